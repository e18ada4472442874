// The example stanzas of XEP-0176 (facts reproduced as data: attributes and values), parsed into
// the model. Fixtures go through pretty(), so they look like what ltx hands over after parsing
// pretty-printed XML (whitespace text between elements, parent pointers).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  NS_JINGLE,
  NS_JINGLE_ICE_UDP,
  child,
  parseJingle,
  type XmlElement,
} from "../../src/jingle/index.js";
import {
  JULIET,
  ROMEO,
  RTP,
  SID,
  iq,
  jingleOf,
  sessionAccept,
  sessionInitiate,
  x,
} from "./support.js";

/** The credentials the XEP-0176 examples use before the restart of §5.9. */
const EXAMPLE_CREDENTIALS = { pwd: "asd88fgpdd777uzjYhagZg", ufrag: "8hhy" };

/** A transport-info of the examples: Romeo's audio content, an ICE-UDP transport with `children`. */
function audioTransportInfo(
  from: string,
  id: string,
  to: string,
  credentials: Record<string, string>,
  ...children: XmlElement[]
): XmlElement {
  return iq(
    from,
    id,
    to,
    x(
      "jingle",
      { xmlns: NS_JINGLE, action: "transport-info", initiator: ROMEO, sid: SID },
      x(
        "content",
        { creator: "initiator", name: "this-is-the-audio-content" },
        x("transport", { xmlns: NS_JINGLE_ICE_UDP, ...credentials }, ...children),
      ),
    ),
  );
}

describe("XEP-0176 examples", () => {
  it("reads the session-initiate of §5.2 with its credentials and both candidates", () => {
    const jingle = parseJingle(jingleOf(sessionInitiate));
    const description = jingle.contents[0]?.description;
    assert.deepEqual(jingle, {
      action: "session-initiate",
      sid: SID,
      initiator: ROMEO,
      contents: [
        {
          creator: "initiator",
          name: "this-is-the-audio-content",
          description,
          transport: {
            kind: "ice-udp",
            ufrag: "8hhy",
            pwd: "asd88fgpdd777uzjYhagZg",
            candidates: [
              {
                component: 1,
                foundation: "1",
                generation: 0,
                id: "el0747fg11",
                ip: "10.0.1.1",
                network: 1,
                port: 8998,
                priority: 2130706431,
                protocol: "udp",
                type: "host",
              },
              {
                component: 1,
                foundation: "2",
                generation: 0,
                id: "y3s2b30v3r",
                ip: "192.0.2.3",
                network: 1,
                port: 45664,
                priority: 1694498815,
                protocol: "udp",
                type: "srflx",
                relAddr: "10.0.1.1",
                relPort: 8998,
              },
            ],
            gatheringComplete: false,
            skipped: [],
          },
        },
      ],
    });
  });

  it("hands the application description over untouched (the very same element)", () => {
    const jingleEl = jingleOf(sessionInitiate);
    const contentEl = child(jingleEl, "content", NS_JINGLE);
    assert.ok(contentEl);
    const description = child(contentEl, "description", RTP);
    assert.ok(description);
    assert.equal(parseJingle(jingleEl).contents[0]?.description, description);
  });

  it("reads the session-accept of §5.4 with the responder's credentials and candidate", () => {
    const jingle = parseJingle(jingleOf(sessionAccept));
    assert.equal(jingle.action, "session-accept");
    assert.equal(jingle.responder, JULIET);
    const transport = jingle.contents[0]?.transport;
    assert.equal(transport?.kind, "ice-udp");
    if (transport?.kind !== "ice-udp") return;
    assert.equal(transport.ufrag, "9uB6");
    assert.equal(transport.pwd, "YH75Fviy6338Vbrhrlp8Yh");
    assert.deepEqual(
      transport.candidates.map((c) => [c.ip, c.port, c.type, c.network]),
      [["192.0.2.1", 3478, "host", 0]],
    );
  });

  it("reads the in-use candidate of §5.7 as remoteCandidate", () => {
    const info = audioTransportInfo(
      ROMEO,
      "pd81b49s",
      JULIET,
      EXAMPLE_CREDENTIALS,
      x("remote-candidate", { component: "1", ip: "10.0.1.2", port: "9001" }),
    );
    const transport = parseJingle(jingleOf(info)).contents[0]?.transport;
    assert.deepEqual(transport, {
      kind: "ice-udp",
      ufrag: "8hhy",
      pwd: "asd88fgpdd777uzjYhagZg",
      candidates: [],
      remoteCandidate: { component: 1, ip: "10.0.1.2", port: 9001 },
      gatheringComplete: false,
      skipped: [],
    });
  });

  it("acks the trickled candidate of §5.8 but skips it: its printed priority exceeds 2^32−1", () => {
    // The published example carries priority='21149780477', above the RFC 8445 §5.1.2 range.
    const attrs = {
      component: "1",
      foundation: "1",
      generation: "0",
      id: "m3110wc4nd",
      ip: "2001:db8::9:1",
      network: "0",
      port: "9001",
      priority: "21149780477",
      protocol: "udp",
      type: "host",
    };
    const info = audioTransportInfo(
      ROMEO,
      "uh3g1f48",
      JULIET,
      EXAMPLE_CREDENTIALS,
      x("candidate", attrs),
    );
    const transport = parseJingle(jingleOf(info)).contents[0]?.transport;
    assert.equal(transport?.kind, "ice-udp");
    if (transport?.kind !== "ice-udp") return;
    assert.deepEqual(transport.candidates, []);
    assert.deepEqual(transport.skipped, [{ candidate: attrs, reason: "bad-priority" }]);
  });

  it("reads the ICE restart of §5.9: new credentials, generation 1, srflx without rel-addr", () => {
    const restart = audioTransportInfo(
      ROMEO,
      "kl23fs71",
      JULIET,
      { pwd: "bv71hdn38hgb39hf6xlk33", ufrag: "g7qs" },
      x("candidate", {
        component: "1",
        foundation: "1",
        generation: "1",
        id: "y3s2b30v3r",
        ip: "192.0.2.3",
        network: "1",
        port: "45665",
        priority: "1694498815",
        protocol: "udp",
        type: "srflx",
      }),
    );
    const transport = parseJingle(jingleOf(restart)).contents[0]?.transport;
    assert.equal(transport?.kind, "ice-udp");
    if (transport?.kind !== "ice-udp") return;
    assert.equal(transport.ufrag, "g7qs");
    assert.equal(transport.pwd, "bv71hdn38hgb39hf6xlk33");
    assert.deepEqual(transport.candidates, [
      {
        component: 1,
        foundation: "1",
        generation: 1,
        id: "y3s2b30v3r",
        ip: "192.0.2.3",
        network: 1,
        port: 45665,
        priority: 1694498815,
        protocol: "udp",
        type: "srflx",
      },
    ]);
  });

  it("reads the end-of-candidates indication (XEP-0371, Informational Messages) in ICE-UDP", () => {
    // XEP-0371's example, with the transport in the ICE-UDP namespace as peers send it.
    const eoc = audioTransportInfo(JULIET, "xv39z423", ROMEO, {}, x("gathering-complete"));
    const transport = parseJingle(jingleOf(eoc)).contents[0]?.transport;
    assert.deepEqual(transport, {
      kind: "ice-udp",
      candidates: [],
      gatheringComplete: true,
      skipped: [],
    });
  });
});
