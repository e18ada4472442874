// The seeds of the Jingle fuzzer (test/support/jingle-mutate.ts): what real peers send —
// session-initiate/accept with ICE-UDP candidates (host, srflx, relay), XEP-0320 fingerprints and
// descriptions (ours and an XEP-0167 RTP one), transport-info with remote-candidate and
// end-of-candidates, session-terminate with reasons, session-info, content and transport changes.
import { NS_DATAGRAM } from "../../src/jingle/application.js";
import { buildJingle } from "../../src/jingle/build.js";
import type { Jingle, JingleCandidate } from "../../src/jingle/model.js";
import { el, type XmlElement } from "../../src/jingle/xml.js";
import { clone, type Tree } from "./jingle-mutate.js";

const NS_RTP = "urn:xmpp:jingle:apps:rtp:1";
const NS_INFO = "urn:xmpp:jingle:apps:rtp:info:1";
const FINGERPRINT = "9F:".repeat(31) + "9F";

function candidate(i: number, type: JingleCandidate["type"] = "host"): JingleCandidate {
  return {
    component: 1 + (i % 2),
    foundation: String(1 + i),
    generation: 0,
    id: `c${i}`,
    ip: i % 3 === 2 ? "::1" : "127.0.0.1",
    network: 0,
    port: 40_000 + i,
    priority: 2_130_706_431 - i,
    protocol: "udp",
    type,
    ...(type !== "host" && { relAddr: "127.0.0.1", relPort: 50_000 + i }),
  };
}

const rtpDescription = el("description", { xmlns: NS_RTP, media: "audio" }, [
  el("payload-type", { id: "111", name: "opus", clockrate: "48000", channels: "2" }, [
    el("parameter", { name: "minptime", value: "10" }),
  ]),
  el("payload-type", { id: "0", name: "PCMU", clockrate: "8000" }),
  el("rtcp-mux"),
]);

/** Real stanzas, as the models a peer would send; `sid` is substituted by the caller's pool. */
function seedModels(sid: string, initiator: string): Jingle[] {
  const transport = (n: number, withFingerprint: boolean, complete = false) => ({
    kind: "ice-udp" as const,
    ufrag: "Fz1q",
    pwd: "fuzz-password-0123456789ab",
    candidates: [
      ...Array.from({ length: n }, (_, i) => candidate(i)),
      candidate(n, "srflx"),
      candidate(n + 1, "relay"),
    ],
    gatheringComplete: complete,
    ...(withFingerprint && {
      fingerprints: [{ hash: "sha-256", setup: "actpass" as const, value: FINGERPRINT }],
    }),
    skipped: [],
  });
  const content = (description: XmlElement, n: number, withFingerprint = true) => ({
    creator: "initiator" as const,
    name: "datagram",
    senders: "both" as const,
    description,
    transport: transport(n, withFingerprint),
  });
  const datagram = el("description", { xmlns: NS_DATAGRAM });
  return [
    { action: "session-initiate", sid, initiator, contents: [content(datagram, 3)] },
    { action: "session-initiate", sid, initiator, contents: [content(rtpDescription, 2)] },
    {
      action: "session-accept",
      sid,
      initiator,
      responder: initiator,
      contents: [content(datagram, 2)],
    },
    {
      action: "transport-info",
      sid,
      initiator,
      contents: [{ creator: "initiator", name: "datagram", transport: transport(4, false, true) }],
    },
    {
      action: "transport-info",
      sid,
      initiator,
      contents: [
        {
          creator: "initiator",
          name: "datagram",
          transport: {
            ...transport(0, true),
            remoteCandidate: { component: 1, ip: "127.0.0.1", port: 40_001 },
          },
        },
      ],
    },
    {
      action: "session-terminate",
      sid,
      contents: [],
      reason: { condition: "alternative-session", text: "elsewhere", sid: "other-sid" },
    },
    { action: "session-terminate", sid, contents: [], reason: { condition: "success" } },
    { action: "session-info", sid, contents: [], info: [el("ringing", { xmlns: NS_INFO })] },
    { action: "session-info", sid, contents: [] },
    { action: "content-add", sid, contents: [content(datagram, 1)] },
    { action: "transport-replace", sid, contents: [content(datagram, 1)] },
    { action: "content-remove", sid, contents: [{ creator: "initiator", name: "datagram" }] },
    { action: "description-info", sid, contents: [content(rtpDescription, 0, false)] },
  ];
}

/** The seed stanzas as mutable trees. */
export function seedStanzas(sid: string, initiator: string): Tree[] {
  return seedModels(sid, initiator).map((model) => clone(buildJingle(model)));
}
