// Refreshes of the TURN client over long virtual runs: the allocation, permissions and channels
// are refreshed 60 s before they expire, and 438 Stale Nonce answers are retried with the new
// nonce (RFC 8489 §9.2.5). Latency is 10 ms one way, so every exchange takes 20 ms.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { PEER, allocated, bytes, world, zeroCounters, zeroStats } from "./support.js";

const HOUR = 3_600_000;

describe("TurnClient stale nonces", () => {
  it("retries each of three forced 438 answers to a refresh with the new nonce and keeps the allocation", () => {
    const w = world();
    const { ep } = allocated(w);
    w.sim.run({ maxTime: 1000 });
    w.server.forceStaleNonce(3);
    // The refresh leaves at 540 040 (allocated at 40, lifetime 600 s, 60 s margin); each 438
    // costs a round trip: the fourth Refresh reaches the server at 540 110, its answer comes
    // back at 540 120.
    w.sim.run({ maxTime: 541_000 });

    assert.equal(ep.client.state, "allocated");
    assert.deepEqual(ep.eventTypes(), ["allocated"]);
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 4,
      staleNonceRetries: 3,
    });
    assert.deepEqual(
      ep.sent.slice(2).map((s) => [s.at, ep.sentKinds()[ep.sent.indexOf(s)]]),
      [
        [540_040, "Refresh"],
        [540_060, "Refresh"],
        [540_080, "Refresh"],
        [540_100, "Refresh"],
      ],
    );
    assert.equal(ep.client.pollTimeout(), 540_120 + 540_000);
    assert.equal(w.server.allocationList()[0]?.expiresAt, 540_110 + 600_000);
    assert.deepEqual(w.server.counters, {
      ...zeroCounters(),
      allocateRequests: 2,
      refreshRequests: 4,
      staleNonces: 3,
      unauthorized: 1,
      errors: { 401: 1, 438: 3 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("gives up the allocation after maxStaleNonceRetries consecutive 438 answers to one refresh", () => {
    const w = world();
    const { ep } = allocated(w);
    w.server.forceStaleNonce(6);
    w.sim.run({ maxTime: 600_000 });

    // Five retries (the default), the sixth 438 is final: 540 040 + 6 × 20 ms.
    const failed = ep.event("failed");
    assert.equal(failed?.at, 540_160);
    assert.equal(failed?.event.error.code, 438);
    assert.equal(failed?.event.error.errorName, "StaleNonce");
    assert.equal(failed?.event.error.phase, "refresh");
    assert.equal(ep.client.state, "failed");
    assert.equal(ep.client.pollTimeout(), undefined);
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 6,
      staleNonceRetries: 5,
    });
  });

  it("keeps an allocation for two hours on a server whose nonces expire after 100 s", () => {
    const w = world({ nonceLifetime: 100_000 });
    const { ep } = allocated(w);
    w.sim.run({ maxTime: 2 * HOUR });

    // Every refresh finds its nonce expired: 438, retry, success — 40 ms per refresh, so the
    // k-th Refresh leaves at k × 540 040 ms (the first at 40 + 540 000); k = 13 is at 7 020 520,
    // k = 14 after 2 h.
    assert.equal(ep.client.state, "allocated");
    assert.deepEqual(ep.eventTypes(), ["allocated"]);
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 26,
      staleNonceRetries: 13,
    });
    assert.equal(ep.sent.at(-1)?.at, 13 * 540_040 + 20, "the last retry");
    assert.deepEqual(w.server.counters, {
      ...zeroCounters(),
      allocateRequests: 2,
      refreshRequests: 26,
      staleNonces: 13,
      unauthorized: 1,
      errors: { 401: 1, 438: 13 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });
});

describe("TurnClient refreshes over a long run", () => {
  it("refreshes the allocation, the permission and the channel of a peer in use for two hours without letting anything expire", () => {
    // Nonces outlive the run so that only the scheduled refreshes count.
    const w = world({ nonceLifetime: 3 * HOUR });
    const { ep, att } = allocated(w);
    // One datagram to the (echoing) peer every minute from t = 1 s: 120 of them in 2 h.
    for (let k = 0; k < 120; k++) {
      w.sim.at(1000 + k * 60_000, () =>
        att.input((now) => ep.client.send(now, PEER, bytes(`m${k}`))),
      );
    }
    w.sim.run({ maxTime: 2 * HOUR });

    // Allocated at 40; a Refresh answered after 20 ms reschedules 540 s later, so the k-th
    // Refresh leaves at 20 + k × 540 020: 13 of them before 7 200 000 (k = 14 is at 7 560 300).
    // The permission is installed at 1020 and refreshed 240 s after each success: the k-th
    // CreatePermission refresh leaves at 1000 + k × 240 020, 29 before 2 h, plus the first one.
    // The channel is bound at 1040, refreshed 540 s after each success: the k-th ChannelBind
    // refresh leaves at 1020 + k × 540 020, 13 before 2 h, plus the first one.
    assert.equal(ep.client.state, "allocated");
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 13,
      permissionRequests: 30,
      channelBindRequests: 14,
      // The first datagram waits for the permission and goes as a Send indication; the channel
      // is bound 20 ms later, so the other 119 and all 120 echoes go as ChannelData.
      sendIndications: 1,
      channelDataSent: 119,
      channelDataReceived: 120,
    });
    const sentAt = (kind: string): number[] =>
      ep.sent.filter((_, i) => ep.sentKinds()[i] === kind).map((s) => s.at);
    assert.deepEqual(
      sentAt("Refresh"),
      Array.from({ length: 13 }, (_, i) => 20 + (i + 1) * 540_020),
    );
    assert.deepEqual(sentAt("CreatePermission"), [
      1000,
      ...Array.from({ length: 29 }, (_, i) => 1000 + (i + 1) * 240_020),
    ]);
    assert.deepEqual(sentAt("ChannelBind"), [
      1020,
      ...Array.from({ length: 13 }, (_, i) => 1020 + (i + 1) * 540_020),
    ]);
    assert.equal(w.peer.received.length, 120);
    assert.equal(ep.events.filter((e) => e.event.type === "data").length, 120);
    assert.deepEqual(w.server.counters, {
      ...zeroCounters(),
      allocateRequests: 2,
      refreshRequests: 13,
      createPermissionRequests: 30,
      channelBindRequests: 14,
      sendIndications: 1,
      channelDataFromClient: 119,
      relayedToPeer: 120,
      channelDataToClient: 120,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
    const allocation = w.server.allocationList()[0];
    assert.ok(allocation !== undefined && allocation.expiresAt > 2 * HOUR);
    assert.equal(allocation.permissions.size, 1);
    assert.equal(allocation.channels.size, 1);
  });
});

describe("TurnClient lifetime options", () => {
  it("asks for lifetimeMs in whole seconds and refreshes refreshMarginMs before the granted lifetime ends", () => {
    const w = world();
    const { ep } = allocated(w, { lifetimeMs: 1_200_000, refreshMarginMs: 30_000 });
    const [first] = ep.sent.map((s) => decodeStunMessage(s.data));
    assert.equal(getAttribute(first!, "LIFETIME"), 1200);
    assert.deepEqual(ep.event("allocated")?.event.lifetimeMs, 1_200_000);
    assert.equal(ep.client.pollTimeout(), 40 + 1_170_000);
  });
});
