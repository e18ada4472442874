// Conversations reads ICE candidates from transport-info only, never from session-initiate or
// session-accept (docs/field-notes.md): in its data-channel variant we repeat the opening
// stanza's candidates in a transport-info once the opening is acknowledged, before anything
// else (so no end-of-candidates precedes them); the XEP-0343 variant sends them once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { XmlElement } from "../../src/jingle/xml.js";
import { dataChannelApplication, jingleIceUdp } from "../../src/plugin/index.js";
import { FakeNetwork } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";

const kids = (e: XmlElement, name: string): XmlElement[] =>
  e.children.filter((c): c is XmlElement => typeof c !== "string" && c.name === name);

/** The candidates (as ip:port) of every Jingle stanza `from` sent, by action, in order. */
function stanzas(network: FakeNetwork, from: string) {
  const candidates = (e: XmlElement): string[] =>
    e.name === "candidate"
      ? [`${e.attrs["ip"]}:${e.attrs["port"]}`]
      : kids(e, "content")
          .concat(kids(e, "transport"))
          .flatMap((c) => (c.name === "content" ? candidates(c) : transportCandidates(c)));
  const transportCandidates = (t: XmlElement): string[] =>
    kids(t, "candidate")
      .map((c) => `${c.attrs["ip"]}:${c.attrs["port"]}`)
      .concat(kids(t, "transport").flatMap(transportCandidates));
  return network.payloads
    .filter((p) => p.from === from && p.element.name === "jingle")
    .map((p) => ({ action: p.element.attrs["action"], candidates: candidates(p.element) }));
}

describe("candidates for Conversations' data-channel variant", () => {
  for (const variant of ["webrtc-datachannel", "sctpmap"] as const) {
    it(`${variant === "webrtc-datachannel" ? "repeats" : "does not repeat"} the opening candidates in a transport-info (${variant})`, async () => {
      const network = new FakeNetwork();
      const options = { ice, applications: [dataChannelApplication] };
      const alice = jingleIceUdp(network.client(ALICE), options);
      const bob = jingleIceUdp(network.client(BOB), options);
      bob.on("incoming", (session) => void session.accept());
      const session = alice.initiate(BOB, {
        application: dataChannelApplication.namespace,
        sctpVariant: variant,
      });
      await session.connect();
      for (const who of [ALICE, BOB]) {
        const sent = stanzas(network, who);
        const opening = sent[0]!;
        assert.ok(opening.candidates.length > 0);
        const next = sent[1];
        if (variant === "webrtc-datachannel") {
          assert.equal(next?.action, "transport-info");
          assert.deepEqual(next.candidates, opening.candidates);
        } else {
          assert.ok(
            sent.slice(1).every((s) => s.candidates.every((c) => !opening.candidates.includes(c))),
            "no candidate twice",
          );
        }
      }
      await alice.close();
      await bob.close();
    });
  }
});
