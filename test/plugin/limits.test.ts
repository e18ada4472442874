// Session limits under a burst (docs/security.md): session-initiates beyond maxSessions are acked
// and refused with busy, and never hold a slot — not even until the refusal has left. Found by
// the Jingle fuzzer (test/fuzz/regressions/jingle/127c7d619829bec8.json).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import { NS_JINGLE, type Jingle } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { el } from "../../src/jingle/xml.js";
import { NS_DATAGRAM, jingleIceUdp } from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { FakeNetwork } from "./fake-xmpp.js";

const BOB = "bob@jingle.test/bot";
const MALLORY = "mallory@evil.test/x";

function initiate(sid: string): Jingle {
  return {
    action: "session-initiate",
    sid,
    initiator: MALLORY,
    contents: [
      {
        creator: "initiator",
        name: "0",
        description: el("description", { xmlns: NS_DATAGRAM }),
        transport: {
          kind: "ice-udp",
          ufrag: "peer",
          pwd: "peer-password-0123456789",
          candidates: [],
          gatheringComplete: false,
          fingerprints: [{ hash: "sha-256", setup: "actpass", value: "AB:".repeat(31) + "AB" }],
          skipped: [],
        },
      },
    ],
  };
}

describe("plugin session limits under a burst", () => {
  it("acks session-initiates beyond maxSessions, refuses each with busy and never holds more than maxSessions", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), {
      ice: { addresses: ["127.0.0.1"] },
      limits: { maxSessions: 1, maxPendingSessions: 10, maxSessionsPerPeer: 10 },
    });
    bob.on("incoming", () => undefined); // the first session stays pending
    const terminates: string[] = [];
    network.client(MALLORY).iqCallee.set(NS_JINGLE, "jingle", ({ element }) => {
      const jingle = parseJingle(element);
      if (jingle.action === "session-terminate")
        terminates.push(`${jingle.sid}:${jingle.reason?.condition}`);
      return true;
    });
    const mallory = network.sender(MALLORY);
    const send = (sid: string) =>
      mallory.iqCaller.request(
        xml("iq", { type: "set", to: BOB }, toXmpp(buildJingle(initiate(sid)))),
      );
    await send("first");
    assert.equal(bob.stats().sessions, 1);

    // One read of five stanzas: all answered before any after-ack work runs.
    const replies = await Promise.all(["b1", "b2", "b3", "b4", "b5"].map(send));
    assert.equal(replies.length, 5, "every session-initiate is acked");
    assert.equal(bob.stats().sessions, 1, "the refused sessions take no slot");

    for (let i = 0; i < 20 && terminates.length < 5; i++)
      await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(terminates.sort(), ["b1:busy", "b2:busy", "b3:busy", "b4:busy", "b5:busy"]);
    assert.deepEqual(bob.stats(), { sessions: 1, pending: 1, active: 0 });
    await bob.close();
  });
});
