// How the TURN client fails: every error the server can answer an Allocate with, a redirect to
// an alternate server (followed once), no server at all, a forbidden peer, and an allocation
// lost after a server restart or a cut link. Latency is 10 ms one way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { TurnError } from "../../src/turn/errors.js";
import { SimTurnServer } from "../sim/turn-server.js";
import {
  CLIENT,
  OTHER_PEER,
  PEER,
  RELAY,
  SERVER,
  allocated,
  bytes,
  dataOf,
  v4,
  world,
  zeroStats,
} from "./support.js";

const ALT = v4("198.51.100.3", 3478);
const ALT2 = v4("198.51.100.4", 3478);

/** The error of the endpoint's "failed" event, with the time it came. */
function failure(ep: ReturnType<typeof allocated>["ep"]): {
  at: number;
  code: number;
  errorName: string;
  phase: string;
} {
  const failed = ep.event("failed");
  assert.ok(failed !== undefined, `a failed event, got ${ep.eventTypes().join(", ")}`);
  const { error } = failed.event;
  assert.ok(error instanceof TurnError);
  return { at: failed.at, code: error.code, errorName: error.errorName, phase: error.phase };
}

describe("TurnClient allocation failures", () => {
  it("fails with 401 Unauthorized in the allocate phase when the password is wrong", () => {
    const w = world();
    const { ep } = allocated(w, { password: "wrong" });
    assert.deepEqual(failure(ep), {
      at: 40,
      code: 401,
      errorName: "Unauthorized",
      phase: "allocate",
    });
    assert.deepEqual(ep.eventTypes(), ["failed"]);
    assert.equal(ep.client.state, "failed");
    assert.equal(ep.client.pollTimeout(), undefined);
    assert.deepEqual(ep.client.stats(), { ...zeroStats(), allocateRequests: 2 });
    assert.equal(w.server.counters.unauthorized, 2);
    assert.equal(w.server.counters.allocations, 0);
  });

  it("fails with 486 AllocationQuotaReached when the user already holds its quota, while another user still allocates", () => {
    const w = world({ quota: 1 });
    assert.deepEqual(allocated(w).ep.eventTypes(), ["allocated"]);
    const second = allocated(w, {}, v4("192.0.2.11", 4000)).ep;
    assert.deepEqual(failure(second), {
      at: 140,
      code: 486,
      errorName: "AllocationQuotaReached",
      phase: "allocate",
    });
    assert.deepEqual(second.client.stats(), { ...zeroStats(), allocateRequests: 2 });
    const bob = allocated(w, { username: "bob", password: "bob-pw" }, v4("192.0.2.12", 4000));
    assert.deepEqual(bob.ep.eventTypes(), ["allocated"]);
    assert.deepEqual(w.server.counters.errors, { 401: 3, 486: 1 });
    assert.equal(w.server.counters.allocations, 2);
  });

  it("fails with 508 InsufficientCapacity when the server is full", () => {
    const w = world({ capacity: 1 });
    allocated(w);
    const bob = allocated(w, { username: "bob", password: "bob-pw" }, v4("192.0.2.12", 4000)).ep;
    assert.deepEqual(failure(bob), {
      at: 140,
      code: 508,
      errorName: "InsufficientCapacity",
      phase: "allocate",
    });
    assert.deepEqual(w.server.counters.errors, { 401: 2, 508: 1 });
    assert.equal(w.server.counters.allocations, 1);
  });

  it("times out with code 0 after the RFC 8489 schedule (39.5 s) when no server answers", () => {
    const w = world();
    const { ep, att } = w.client({ server: v4("198.51.100.99", 3478) });
    att.input((now) => ep.client.start(now));
    w.sim.run({ maxTime: 60_000 });
    assert.deepEqual(failure(ep), { at: 39_500, code: 0, errorName: "Timeout", phase: "allocate" });
    assert.deepEqual(
      ep.sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 15_500, 31_500],
    );
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 1,
      retransmissions: 6,
    });
    assert.equal(w.internet.counters.unroutable, 7);
    assert.equal(ep.client.pollTimeout(), undefined);
  });
});

describe("TurnClient alternate server (300 Try Alternate)", () => {
  it("reports the redirect and allocates on the alternate server", () => {
    const w = world({ alternateServer: ALT });
    const alt = w.turnServer(ALT.address);
    const { ep } = allocated(w);
    assert.deepEqual(ep.events, [
      { at: 40, event: { type: "redirected", server: ALT } },
      {
        at: 80,
        event: {
          type: "allocated",
          relayed: v4(ALT.address, 50000),
          mapped: CLIENT,
          lifetimeMs: 600_000,
        },
      },
    ]);
    assert.deepEqual(ep.client.server, ALT);
    assert.deepEqual(
      ep.sent.map((s) => s.to),
      [SERVER, SERVER, ALT, ALT],
    );
    assert.equal(ep.client.stats().allocateRequests, 4);
    assert.deepEqual(w.server.counters.errors, { 401: 1, 300: 1 });
    assert.equal(w.server.counters.allocations, 0);
    assert.equal(alt.counters.allocationsCreated, 1);
    // Refreshes go to the alternate server too.
    w.sim.run({ maxTime: 600_000 });
    assert.equal(alt.counters.refreshRequests, 1);
    assert.equal(w.server.counters.refreshRequests, 0);
  });

  it("sends its first Allocate to the alternate server without credentials, so an alternate with another realm works (RFC 8489 §9.2.3.1)", () => {
    const w = world({ alternateServer: ALT });
    const alt = w.turnServer(ALT.address, { realm: "alt.example" });
    const { ep } = allocated(w);
    assert.deepEqual(ep.eventTypes(), ["redirected", "allocated"]);
    const firstToAlt = decodeStunMessage(ep.sent[2]!.data);
    assert.equal(getAttribute(firstToAlt, "NONCE"), undefined, "no nonce of the first server");
    assert.equal(firstToAlt.messageIntegrity, undefined);
    assert.deepEqual(ep.client.stats(), { ...zeroStats(), allocateRequests: 4 });
    assert.deepEqual(alt.counters.errors, { 401: 1 });
  });

  it("does not follow a second redirect: it fails with 300 TryAlternate", () => {
    const w = world({ alternateServer: ALT });
    const alt = w.turnServer(ALT.address, { alternateServer: ALT2 });
    const alt2 = w.turnServer(ALT2.address);
    const { ep } = allocated(w);
    assert.deepEqual(ep.eventTypes(), ["redirected", "failed"]);
    assert.deepEqual(ep.event("redirected")?.event.server, ALT);
    assert.deepEqual(failure(ep), {
      at: 80,
      code: 300,
      errorName: "TryAlternate",
      phase: "allocate",
    });
    assert.equal(ep.client.stats().allocateRequests, 4);
    assert.equal(alt.counters.errors[300], 1);
    assert.equal(alt2.counters.allocateRequests, 0);
  });
});

describe("TurnClient permission and refresh failures", () => {
  it("reports permission-failed for a forbidden peer only, while another peer still works", () => {
    const w = world({ forbiddenPeers: [OTHER_PEER.address] });
    const { ep, att } = allocated(w);
    att.input((now) => {
      ep.client.send(now, PEER, bytes("a"));
      ep.client.send(now, OTHER_PEER, bytes("x"));
    });
    w.sim.run({ maxTime: 1000 });
    const refused = ep.event("permission-failed");
    assert.equal(refused?.at, 120);
    assert.deepEqual(refused?.event.peer, OTHER_PEER);
    assert.equal(refused?.event.error.code, 403);
    assert.equal(refused?.event.error.errorName, "Forbidden");
    assert.equal(refused?.event.error.phase, "permission");
    assert.deepEqual(
      att.input((now) => [
        ep.client.send(now, OTHER_PEER, bytes("y")),
        ep.client.send(now, PEER, bytes("b")),
      ]),
      [false, true],
    );
    w.sim.run({ maxTime: 2000 });

    assert.equal(ep.client.state, "allocated");
    assert.deepEqual(ep.eventTypes(), ["allocated", "permission-failed", "data", "data"]);
    assert.deepEqual(dataOf(ep), ["203.0.113.9:5000 a", "203.0.113.9:5000 b"]);
    assert.deepEqual(w.other.received, []);
    assert.deepEqual(
      w.peer.received.map((r) => [r.from, r.text]),
      [
        [RELAY, "a"],
        [RELAY, "b"],
      ],
    );
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      permissionRequests: 2,
      channelBindRequests: 1,
      sendIndications: 1,
      channelDataSent: 1,
      channelDataReceived: 2,
      queuedDropped: 1,
    });
    assert.deepEqual(w.server.counters.errors, { 401: 1, 403: 1 });
  });

  it("fails in the refresh phase with 437 AllocationMismatch when the server restarted and lost the allocation", () => {
    const w = world();
    const { ep } = allocated(w);
    w.sim.run({ maxTime: 1000 });
    // The server restarts on the same address with no allocations and new nonces.
    w.serverAtt.detach();
    const restarted = new SimTurnServer({
      rng: w.sim.rng("turn-restarted"),
      users: { alice: "alice-pw" },
    });
    restarted.useAttachment(w.sim.attach(w.serverAtt.host, restarted, [{ port: SERVER.port }]));
    w.sim.run({ maxTime: 600_000 });

    // The old nonce is unknown (438, retried), then the Refresh finds no allocation.
    assert.deepEqual(failure(ep), {
      at: 540_080,
      code: 437,
      errorName: "AllocationMismatch",
      phase: "refresh",
    });
    assert.deepEqual(ep.eventTypes(), ["allocated", "failed"]);
    assert.equal(ep.client.state, "failed");
    assert.equal(ep.client.pollTimeout(), undefined);
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 2,
      staleNonceRetries: 1,
    });
    assert.deepEqual(restarted.counters.errors, { 437: 1, 438: 1 });
  });

  it("fails in the refresh phase with a timeout when the link is cut, and the server lets the allocation expire", () => {
    const w = world();
    const { ep } = allocated(w);
    w.sim.run({ maxTime: 1000 });
    w.internet.configure({ loss: 1 });
    w.sim.run({ maxTime: 700_000 });

    assert.deepEqual(failure(ep), {
      at: 540_040 + 39_500,
      code: 0,
      errorName: "Timeout",
      phase: "refresh",
    });
    assert.deepEqual(ep.client.stats(), {
      ...zeroStats(),
      allocateRequests: 2,
      refreshRequests: 1,
      retransmissions: 6,
    });
    assert.equal(w.internet.counters.lost, 7);
    assert.equal(w.server.counters.expiredAllocations, 1);
    assert.equal(w.server.counters.allocations, 0);
  });
});
