// The plugin between two (and three) JIDs over an in-memory XMPP stand-in, with real ICE on
// 127.0.0.1. The same flows against a real Prosody are in test/e2e/.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import { jingleIceUdp, type JingleSession } from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { FakeNetwork, FakeStanzaError } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";

function pair() {
  const network = new FakeNetwork();
  const alice = jingleIceUdp(network.client(ALICE), { ice });
  const bob = jingleIceUdp(network.client(BOB), { ice });
  return { network, alice, bob };
}

describe("jingleIceUdp", () => {
  it("opens a session, connects both channels, carries datagrams both ways and terminates", async () => {
    const { network, alice, bob } = pair();
    const bobSession = new Promise<JingleSession>((resolve) =>
      bob.on("incoming", (session) => {
        resolve(session);
        void session
          .accept()
          .then((channel) => channel.on("message", (data) => channel.send(data)))
          .catch(() => undefined);
      }),
    );
    const session = alice.initiate(BOB);
    const channel = await session.connect();
    const echoed = once(channel, "message");
    channel.send(new TextEncoder().encode("hello bob"));
    const [data] = (await echoed) as [Uint8Array];
    assert.equal(new TextDecoder().decode(data), "hello bob");
    assert.equal(session.state, "active");
    const actions = network.log.map(([, , , action]) => action);
    assert.equal(actions[0], "session-initiate");
    // The order rules (src/jingle/outbox.ts): bob sent nothing before his session-accept.
    const fromBob = network.log.filter(([from]) => from === BOB).map(([, , , action]) => action);
    assert.equal(fromBob[0], "session-accept", JSON.stringify(network.log));
    const theirs = await bobSession;
    assert.equal(theirs.peer, ALICE);
    const ended = once(theirs, "terminated");
    await session.terminate("success");
    assert.equal(session.state, "ended");
    const [reason] = (await ended) as [{ condition: string }];
    assert.equal(reason.condition, "success");
    assert.equal(network.log.at(-1)?.[3], "session-terminate");
  });

  it("answers an unknown sid with item-not-found and <unknown-session/> (XEP-0166 §6.6)", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), { ice });
    const mallory = network.client("mallory@jingle.test/x");
    const info = buildJingle({
      action: "transport-info",
      sid: "nope",
      contents: [
        {
          creator: "initiator",
          name: "datagram",
          transport: {
            kind: "ice-udp",
            ufrag: "u",
            pwd: "p".repeat(22),
            candidates: [],
            gatheringComplete: false,
            skipped: [],
          },
        },
      ],
    });
    await assert.rejects(
      mallory.iqCaller.request(xml("iq", { type: "set", to: BOB }, toXmpp(info))),
      (error: unknown) =>
        error instanceof FakeStanzaError &&
        error.condition === "item-not-found" &&
        error.element.getChildElements().some((c) => c.name === "unknown-session"),
    );
  });

  it("declines sessions the policy refuses, before any candidate is sent", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const bob = jingleIceUdp(network.client(BOB), {
      ice,
      policy: (peer) => peer.startsWith("carol@"),
    });
    let offered = false;
    bob.on("incoming", () => (offered = true));
    await assert.rejects(alice.initiate(BOB).connect(), {
      name: "JingleSessionError",
      reason: "decline",
    });
    assert.equal(offered, false);
    const fromBob = network.log.filter(([from]) => from === BOB).map(([, , , action]) => action);
    assert.deepEqual(fromBob, ["session-terminate"], "bob sent nothing but the decline");
  });

  it("advertises Jingle and ICE-UDP in disco#info", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), { ice });
    const asker = network.client("carol@jingle.test/x");
    const reply = (await asker.iqCaller.request(
      xml(
        "iq",
        { type: "get", to: BOB },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
    )) as { toString(): string };
    assert.match(reply.toString(), /urn:xmpp:jingle:1/);
    assert.match(reply.toString(), /urn:xmpp:jingle:transports:ice-udp:1/);
  });

  it("acknowledges a content-add and then refuses it politely with content-reject (XEP-0166 §6.2)", async () => {
    const { network, alice, bob } = pair();
    bob.on("incoming", (session) => void session.accept().catch(() => undefined));
    const session = alice.initiate(BOB);
    await session.connect();
    const add = buildJingle({
      action: "content-add",
      sid: session.sid,
      contents: [{ creator: "initiator", name: "video" }],
    });
    const client = network.sender(ALICE); // the same JID, to send a raw IQ in the session
    await client.iqCaller.request(xml("iq", { type: "set", to: BOB }, toXmpp(add)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reject = network.log.find(
      ([from, , , action]) => from === BOB && action === "content-reject",
    );
    assert.ok(reject, JSON.stringify(network.log));
    await session.terminate();
  });

  it("resolves glare: when both initiate at once, the lower sid's session survives (docs/plugin.md)", async () => {
    const { alice, bob } = pair();
    for (const side of [alice, bob])
      side.on("incoming", (session) => void session.accept().catch(() => undefined));
    const fromAlice = alice.initiate(BOB);
    const fromBob = bob.initiate(ALICE);
    const results = await Promise.allSettled([fromAlice.connect(), fromBob.connect()]);
    const winner = fromAlice.sid < fromBob.sid ? 0 : 1;
    assert.equal(results[winner]!.status, "fulfilled");
    assert.equal(results[1 - winner]!.status, "rejected");
    await Promise.all([fromAlice.terminate(), fromBob.terminate()]);
  });

  it("terminates with reason cancel when the AbortSignal fires before the channel opens", async () => {
    const { network, alice, bob } = pair();
    bob.on("incoming", () => undefined); // never accepts
    const session = alice.initiate(BOB);
    await assert.rejects(session.connect({ signal: AbortSignal.timeout(200) }), {
      name: "JingleSessionError",
      reason: "cancel",
    });
    assert.equal(session.state, "ended");
    assert.equal(network.log.at(-1)?.[3], "session-terminate");
  });
});
