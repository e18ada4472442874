// The TURN client (src/turn/client.ts) against the in-simulator TURN server: allocation with
// the long-term credential dance, data both ways (Send/Data indications, then ChannelData), the
// SHA-256 password algorithm, and close(). Latency is 10 ms one way, so a round trip is 20 ms.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PasswordAlgorithmCode, decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import {
  CLIENT,
  PEER,
  RELAY,
  allocated,
  bytes,
  dataOf,
  world,
  zeroCounters,
  zeroStats,
} from "./support.js";

describe("TurnClient allocation", () => {
  it("answers the 401 with an authenticated retry and reports the relayed and mapped addresses", () => {
    const w = world();
    const { ep, att } = w.client();
    att.input((now) => ep.client.start(now));
    assert.equal(ep.client.state, "allocating");
    w.sim.run({ maxTime: 1000 });

    assert.deepEqual(ep.events, [
      { at: 40, event: { type: "allocated", relayed: RELAY, mapped: CLIENT, lifetimeMs: 600_000 } },
    ]);
    assert.equal(ep.client.state, "allocated");
    assert.deepEqual(ep.client.relayed, RELAY);
    assert.deepEqual(ep.client.mapped, CLIENT);
    assert.equal(
      ep.client.relayed?.address,
      w.server.address.address,
      "relayed on the server host",
    );
    // The first Allocate goes without credentials (RFC 8489 §9.2.3), the second is signed.
    assert.deepEqual(ep.sentKinds(), ["Allocate", "Allocate"]);
    const [first, second] = ep.sent.map((s) => decodeStunMessage(s.data));
    assert.equal(first?.messageIntegrity, undefined);
    assert.equal(getAttribute(first!, "USERNAME"), undefined);
    assert.notEqual(second?.messageIntegrity, undefined);
    assert.equal(getAttribute(second!, "USERNAME"), "alice");
    assert.equal(getAttribute(second!, "REALM"), "sim.example");
    assert.deepEqual(ep.client.stats(), { ...zeroStats(), allocateRequests: 2 });
    assert.deepEqual(w.server.counters, {
      ...zeroCounters(),
      allocateRequests: 2,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
    // The refresh is due 60 s before the 600 s lifetime ends.
    assert.equal(ep.client.pollTimeout(), 40 + 540_000);
  });

  it("refuses to send before it has an allocation", () => {
    const w = world();
    const { ep, att } = w.client();
    assert.equal(
      att.input((now) => ep.client.send(now, PEER, bytes("early"))),
      false,
    );
    att.input((now) => ep.client.start(now));
    assert.equal(
      att.input((now) => ep.client.send(now, PEER, bytes("early"))),
      false,
    );
    assert.deepEqual(ep.sentKinds(), ["Allocate"]);
  });

  it("uses MESSAGE-INTEGRITY-SHA256 and echoes PASSWORD-ALGORITHMS when the server offers SHA-256", () => {
    const w = world({ passwordAlgorithms: ["MD5", "SHA-256"] });
    const { ep, att } = allocated(w);
    assert.deepEqual(ep.eventTypes(), ["allocated"]);
    att.input((now) => ep.client.send(now, PEER, bytes("x")));
    w.sim.run({ maxTime: w.sim.now + 100 });

    assert.deepEqual(ep.sentKinds(), [
      "Allocate",
      "Allocate",
      "CreatePermission",
      "Send indication",
      "ChannelBind",
    ]);
    for (const index of [1, 2, 4]) {
      const message = decodeStunMessage(ep.sent[index]!.data);
      assert.notEqual(message.messageIntegritySha256, undefined, `message ${index}`);
      assert.equal(message.messageIntegrity, undefined, `message ${index}`);
      assert.equal(
        getAttribute(message, "PASSWORD-ALGORITHM")?.algorithm,
        PasswordAlgorithmCode["SHA-256"],
      );
      assert.deepEqual(
        getAttribute(message, "PASSWORD-ALGORITHMS")?.map((a) => a.algorithm),
        [PasswordAlgorithmCode.MD5, PasswordAlgorithmCode["SHA-256"]],
      );
    }
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      permissionRequests: 1,
      channelBindRequests: 1,
      sendIndications: 1,
      channelDataReceived: 1, // the echo of "x", relayed on the channel bound by then
    });
    // Only the initial challenge: every signed request was accepted.
    assert.deepEqual(w.server.counters.errors, { 401: 1 });
    assert.equal(w.server.counters.allocations, 1);
  });
});

describe("TurnClient data", () => {
  it("queues data until CreatePermission succeeds, sends a Send indication, binds a channel, then uses ChannelData both ways", () => {
    const w = world();
    w.peer.echo = false;
    const { ep, att } = allocated(w);
    w.sim.run({ maxTime: 1000 });

    // No permission yet: the datagram waits and a CreatePermission goes out alone.
    assert.equal(
      att.input((now) => ep.client.send(now, PEER, bytes("one"))),
      true,
    );
    assert.deepEqual(ep.sentKinds(), ["Allocate", "Allocate", "CreatePermission"]);
    assert.equal(ep.client.stats().sendIndications, 0);

    // The peer answers as soon as the server installed the permission (t=1010), before the
    // ChannelBind reaches the server (t=1030): its datagram comes as a Data indication.
    w.sim.run({
      until: () => (w.server.allocationList()[0]?.permissions.size ?? 0) > 0,
      maxTime: 2000,
    });
    assert.equal(w.sim.now, 1010);
    w.peerAtt.input(() => w.peer.send(PEER, RELAY, "hello"));
    w.sim.run({ maxTime: 1100 });
    assert.deepEqual(ep.sentKinds(), [
      "Allocate",
      "Allocate",
      "CreatePermission",
      "Send indication",
      "ChannelBind",
    ]);
    assert.deepEqual(w.peer.received, [{ at: 1040, from: RELAY, text: "one" }]);

    // Bound: data goes as ChannelData, and so do the peer's replies.
    assert.equal(
      att.input((now) => ep.client.send(now, PEER, bytes("two"))),
      true,
    );
    w.sim.run({ maxTime: 1200 });
    w.peerAtt.input(() => w.peer.send(PEER, RELAY, "world"));
    w.sim.run({ maxTime: 1300 });

    assert.deepEqual(ep.sentKinds().slice(5), ["ChannelData"]);
    assert.deepEqual(w.peer.received, [
      { at: 1040, from: RELAY, text: "one" },
      { at: 1120, from: RELAY, text: "two" },
    ]);
    assert.deepEqual(dataOf(ep), ["203.0.113.9:5000 hello", "203.0.113.9:5000 world"]);
    assert.deepEqual(
      ep.events.map((e) => [e.at, e.event.type]),
      [
        [40, "allocated"],
        [1030, "data"],
        [1220, "data"],
      ],
    );
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      permissionRequests: 1,
      channelBindRequests: 1,
      sendIndications: 1,
      channelDataSent: 1,
      dataIndications: 1,
      channelDataReceived: 1,
    });
    assert.deepEqual(w.server.counters, {
      ...zeroCounters(),
      allocateRequests: 2,
      createPermissionRequests: 1,
      channelBindRequests: 1,
      sendIndications: 1,
      channelDataFromClient: 1,
      relayedToPeer: 2,
      dataIndications: 1,
      channelDataToClient: 1,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("keeps at most maxQueued datagrams per pending permission and sends them in order", () => {
    const w = world();
    w.peer.echo = false;
    const { ep, att } = allocated(w, { maxQueued: 2 });
    const results = att.input((now) =>
      ["a", "b", "c"].map((t) => ep.client.send(now, PEER, bytes(t))),
    );
    assert.deepEqual(results, [true, true, false]);
    w.sim.run({ maxTime: w.sim.now + 100 });
    assert.deepEqual(ep.sentKinds().slice(2), [
      "CreatePermission",
      "Send indication",
      "Send indication",
      "ChannelBind",
    ]);
    assert.deepEqual(
      w.peer.received.map((r) => r.text),
      ["a", "b"],
    );
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      permissionRequests: 1,
      channelBindRequests: 1,
      sendIndications: 2,
      queuedDropped: 1,
    });
  });
});

describe("TurnClient close", () => {
  it("sends a Refresh with LIFETIME 0, the server deletes the allocation, then reports closed", () => {
    const w = world();
    const { ep, att } = allocated(w);
    att.input((now) => ep.client.send(now, PEER, bytes("bye")));
    w.sim.run({ maxTime: 1000 });
    att.input((now) => ep.client.close(now));
    assert.equal(ep.client.state, "closing");
    const refresh = decodeStunMessage(ep.sent.at(-1)!.data);
    assert.equal(ep.sentKinds().at(-1), "Refresh");
    assert.equal(getAttribute(refresh, "LIFETIME"), 0);
    w.sim.run({ maxTime: 2000 });

    assert.equal(ep.client.state, "closed");
    assert.deepEqual(ep.events.at(-1), { at: 1020, event: { type: "closed" } });
    assert.equal(ep.client.pollTimeout(), undefined, "no refresh left once closed");
    assert.equal(w.server.counters.deletedAllocations, 1);
    assert.equal(w.server.counters.allocations, 0);
    assert.equal(w.server.counters.refreshRequests, 1);
    assert.equal(w.server.allocationList().length, 0);
    assert.equal(ep.client.stats().refreshRequests, 1);
    assert.equal(
      att.input((now) => ep.client.send(now, PEER, bytes("late"))),
      false,
    );
  });

  it("closes at once, without a Refresh, when nothing was allocated yet", () => {
    const w = world();
    const { ep, att } = w.client();
    att.input((now) => ep.client.start(now));
    att.input((now) => ep.client.close(now));
    w.sim.run({ maxTime: 60_000 });
    assert.deepEqual(ep.sentKinds(), ["Allocate"]);
    assert.deepEqual(ep.events, [{ at: 0, event: { type: "closed" } }]);
    assert.equal(ep.client.state, "closed");
    assert.deepEqual(ep.client.stats(), { ...zeroStats(), allocateRequests: 1 });
  });
});
