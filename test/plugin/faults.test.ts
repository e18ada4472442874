// Signalling faults (docs/plugin.md, "Faults") over the in-memory XMPP stand-in with real ICE on
// 127.0.0.1: a peer whose server or client says it is gone, and our own XMPP stream going down
// and coming back. The same faults with real processes are in test/e2e/faults-*.test.ts.
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { describe, it } from "node:test";
import { jingleIceUdp, type JingleSession } from "../../src/plugin/index.js";
import type { Reason } from "../../src/jingle/model.js";
import { XmppLinkWatch, goneReason } from "../../src/plugin/signalling.js";
import { FakeNetwork, FakeXmpp } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";

/** A FakeXmpp that also emits xmpp.js' status events (`disconnect`, `online`). */
class StatusXmpp extends FakeXmpp {
  private readonly status = new EventEmitter();
  on(event: string, listener: () => void): this {
    this.status.on(event, listener);
    return this;
  }
  emitStatus(event: "disconnect" | "online"): void {
    this.status.emit(event);
  }
}

/** Alice and Bob with one open session; Bob echoes. */
async function connected(network: FakeNetwork, aliceXmpp = network.client(ALICE), options = {}) {
  const alice = jingleIceUdp(aliceXmpp, { ice, ...options });
  const bob = jingleIceUdp(network.client(BOB), { ice });
  const theirs = new Promise<JingleSession>((resolve) =>
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
  return { alice, bob, session, channel, theirs: await theirs };
}

async function echoed(channel: { send(d: Uint8Array): void } & EventEmitter, text: string) {
  const reply = once(channel, "message", { signal: AbortSignal.timeout(5_000) });
  channel.send(new TextEncoder().encode(text));
  const [data] = (await reply) as [Uint8Array];
  return new TextDecoder().decode(data);
}

describe("plugin faults", () => {
  it("reports nothing when a session-terminate finds the peer gone (offline, or it ended the session too)", async () => {
    const network = new FakeNetwork();
    const { alice, bob, session, theirs } = await connected(network);
    const errors: Error[] = [];
    alice.on("error", (e) => errors.push(e));
    bob.on("error", (e) => errors.push(e));
    // Both end at once (terminates cross: item-not-found), then one ends with its peer offline
    // (service-unavailable).
    await Promise.all([session.terminate("success"), theirs.terminate("success")]);
    const again = await connected(network);
    again.alice.on("error", (e) => errors.push(e));
    network.disconnect(BOB);
    await again.session.terminate("success");
    assert.deepEqual(errors, []);
  });

  it("ends the session with reason gone when a transport-info to the peer bounces with service-unavailable", async () => {
    const network = new FakeNetwork();
    const { session, theirs } = await connected(network);
    network.disconnect(BOB);
    const ended = once(session, "terminated");
    session.restart(); // new credentials: a transport-info to Bob, who is gone
    const [reason] = (await ended) as [Reason];
    assert.equal(reason.condition, "gone");
    assert.match(reason.text ?? "", /transport-info to .* answered with service-unavailable/);
    assert.equal(session.state, "ended");
    // Nobody was told: the session-terminate would bounce too.
    assert.equal(network.log.filter(([, , , a]) => a === "session-terminate").length, 0);
    await theirs.terminate("success");
  });

  it("ends the session with reason gone when the peer answers a transport-info with item-not-found (it forgot the session)", async () => {
    const network = new FakeNetwork();
    const { session, theirs } = await connected(network);
    // Bob no longer knows the session: whatever Alice sends for it gets <unknown-session/>.
    network.rewrite = (from, payload) => {
      if (from === ALICE) (payload.attrs as Record<string, string>)["sid"] = "forgotten";
    };
    const ended = once(session, "terminated");
    session.restart();
    const [reason] = (await ended) as [Reason];
    assert.equal(reason.condition, "gone");
    assert.match(reason.text ?? "", /answered with item-not-found/);
    network.rewrite = () => undefined;
    await theirs.terminate("success");
  });

  it("ends with the peer's reason, not gone, when its session-terminate crosses our transport-info", async () => {
    const network = new FakeNetwork();
    const { session, theirs } = await connected(network);
    const ended = once(session, "terminated");
    // Bob terminates and forgets the session while Alice's restart sends a transport-info: Bob
    // answers it with item-not-found, after his session-terminate.
    void theirs.terminate("success");
    session.restart();
    const [reason] = (await ended) as [Reason];
    assert.equal(reason.condition, "success");
  });

  it("pings the peer with an empty session-info and ends with gone when the ping bounces", async () => {
    const network = new FakeNetwork();
    const { session, theirs } = await connected(network);
    await session.ping();
    assert.equal(session.state, "active", "an answered ping changes nothing");
    assert.equal(network.log.at(-1)?.[3], "session-info");
    network.disconnect(BOB);
    await session.ping();
    assert.equal(session.state, "ended");
    await theirs.terminate("success");
  });

  it("keeps the session through an XMPP outage, pings the peer when the stream is back, and still carries datagrams", async () => {
    const network = new FakeNetwork();
    const xmpp = new StatusXmpp(ALICE, network, 0);
    network.adopt(xmpp);
    const { session, channel, theirs } = await connected(network, xmpp, {
      offlineTimeoutMs: 60_000,
    });
    xmpp.emitStatus("disconnect");
    assert.equal(await echoed(channel, "during the outage"), "during the outage");
    const pings = network.log.length;
    xmpp.emitStatus("online");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      network.log.slice(pings).map(([from, , , action]) => [from, action]),
      [[ALICE, "session-info"]],
    );
    assert.equal(session.state, "active");
    assert.equal(await echoed(channel, "after"), "after");
    const told = once(theirs, "terminated");
    await session.terminate("success");
    assert.equal(((await told) as [Reason])[0].condition, "success", "signalling works again");
  });

  it("after an outage waits for a peer whose stream comes back later than ours, and ends with gone when it never does", async () => {
    const network = new FakeNetwork();
    const xmpp = new StatusXmpp(ALICE, network, 0);
    network.adopt(xmpp);
    const { session, channel, theirs } = await connected(network, xmpp, {
      offlineTimeoutMs: 2_500,
    });
    // Bob's stream as it will come back: a new client for his JID, acking Jingle IQs.
    const bobXmpp = network.client(BOB);
    network.disconnect(BOB);
    xmpp.emitStatus("disconnect");
    xmpp.emitStatus("online"); // we are back, Bob is not: the ping bounces, and is retried
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(session.state, "active");
    network.adopt(bobXmpp);
    bobXmpp.iqCallee.set("urn:xmpp:jingle:1", "jingle", () => true); // Bob acks again
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal(session.state, "active", "the retried ping was answered");
    assert.equal(await echoed(channel, "still here"), "still here");
    // Now Bob goes away for good: after the window the session ends with gone.
    network.disconnect(BOB);
    const ended = once(session, "terminated");
    xmpp.emitStatus("disconnect");
    xmpp.emitStatus("online");
    const [reason] = (await ended) as [Reason];
    assert.equal(reason.condition, "gone");
    assert.match(reason.text ?? "", /session-info to .* answered with service-unavailable/);
    await theirs.terminate("success");
  });

  it("ends every session with connectivity-error when the XMPP stream stays down for offlineTimeoutMs", async () => {
    const network = new FakeNetwork();
    const xmpp = new StatusXmpp(ALICE, network, 0);
    network.adopt(xmpp);
    const { alice, session, theirs } = await connected(network, xmpp, { offlineTimeoutMs: 200 });
    const ended = once(session, "terminated");
    xmpp.emitStatus("disconnect");
    const [reason] = (await ended) as [Reason];
    assert.deepEqual(reason, {
      condition: "connectivity-error",
      text: "XMPP connection lost for 0.2 s",
    });
    assert.deepEqual(alice.stats(), { sessions: 0, pending: 0, active: 0 });
    await theirs.terminate("success");
  });

  it("XmppLinkWatch calls back only for an online after a disconnect, and lost only when the outage outlasts the timeout", async () => {
    const status = new EventEmitter();
    const calls: string[] = [];
    new XmppLinkWatch(status, 100, {
      back: () => calls.push("back"),
      lost: (reason) => calls.push(`lost ${reason.condition}`),
    });
    status.emit("online"); // the first login
    status.emit("disconnect");
    status.emit("online");
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(calls, ["back"]);
    status.emit("disconnect");
    status.emit("disconnect");
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(calls, ["back", "lost connectivity-error"]);
  });

  it("goneReason names only service-unavailable and item-not-found as the peer being gone", () => {
    assert.equal(goneReason({ condition: "service-unavailable" }, "x")?.condition, "gone");
    assert.equal(goneReason({ condition: "item-not-found" }, "x")?.condition, "gone");
    assert.equal(goneReason({ condition: "remote-server-timeout" }, "x"), undefined);
    assert.equal(goneReason(new Error("timeout"), "x"), undefined);
    assert.equal(goneReason(null, "x"), undefined);
  });
});
