import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { ReplyLimiter } from "../../src/ice/reply-limiter.js";
import { decodeStunMessage, encodeStunMessage } from "../../src/stun/index.js";
import { StunMethod } from "../../src/stun/constants.js";
import { HOST, PEER, PEER2, testParts, v4, withPairs } from "./parts.js";

/** How many of `n` requests at `now` from `source` may be answered. */
function allowed(limiter: ReplyLimiter, now: number, source = PEER, n = 1): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (limiter.allow(now, source)) count++;
  return count;
}

describe("ReplyLimiter", () => {
  it("allows one second's worth per source at once, then one more each 1/rate s", () => {
    const limiter = new ReplyLimiter({ perSource: 5, total: 50, maxSources: 10 });
    assert.equal(allowed(limiter, 0, PEER, 20), 5);
    assert.equal(allowed(limiter, 199), 0);
    assert.equal(allowed(limiter, 200, PEER, 3), 1);
    assert.equal(allowed(limiter, 2000, PEER, 20), 5, "refilled, but never beyond the burst");
    assert.equal(allowed(limiter, 2000, PEER2, 20), 5, "another source has its own bucket");
  });

  it("caps every source together at the total rate", () => {
    const limiter = new ReplyLimiter({ perSource: 5, total: 50, maxSources: 100 });
    let count = 0;
    for (let i = 0; i < 40; i++) count += allowed(limiter, 0, v4("198.51.100.9", 1000 + i), 5);
    assert.equal(count, 50);
    count = 0;
    for (let i = 0; i < 40; i++) count += allowed(limiter, 100, v4("198.51.100.9", 1000 + i), 5);
    assert.equal(count, 5, "100 ms at 50/s");
  });

  it("remembers at most maxSources addresses, forgetting the least recently seen first", () => {
    const limiter = new ReplyLimiter({ perSource: 1, total: 1000, maxSources: 2 });
    const [a, b, c] = [v4("198.51.100.1", 1), v4("198.51.100.2", 1), v4("198.51.100.3", 1)];
    assert.equal(allowed(limiter, 0, a), 1);
    assert.equal(allowed(limiter, 0, b), 1);
    assert.equal(allowed(limiter, 0, a), 0, "a is now the most recently seen");
    assert.equal(allowed(limiter, 0, c), 1);
    assert.equal(limiter.size, 2);
    assert.equal(allowed(limiter, 0, a), 0, "a was kept");
    assert.equal(allowed(limiter, 0, b), 1, "b was forgotten: a fresh bucket");
    assert.equal(limiter.size, 2);
  });
});

describe("CheckResponder error replies", () => {
  /** A Binding request without USERNAME or MESSAGE-INTEGRITY: answered 400. */
  const unauthenticated = (i: number) =>
    decodeStunMessage(
      encodeStunMessage({
        class: "request",
        method: StunMethod.Binding,
        transactionId: new Uint8Array(12).fill(i & 0xff),
        attributes: [],
      }),
    );

  it("answers 5 bad requests per second to one source and 50 in all, counting the rest as suppressed", () => {
    const p = testParts({ role: "controlled" });
    withPairs(p, []);
    const socket = p.registry.sockets[0]!;
    for (let i = 0; i < 20; i++) p.responder.handleRequest(0, socket, PEER, unauthenticated(i));
    assert.equal(p.takeTransmits().length, 5);
    assert.equal(p.counters.values.responsesSent, 5);
    assert.equal(p.counters.values.errorRepliesSuppressed, 15);
    assert.deepEqual(p.counters.snapshot().dropped, { "bad-request": 20 });
    for (let i = 0; i < 100; i++)
      p.responder.handleRequest(10, socket, v4("198.51.100.7", 1000 + i), unauthenticated(i));
    assert.equal(p.takeTransmits().length, 45, "the 5 already sent count against the 50");
    assert.equal(p.counters.values.errorRepliesSuppressed, 15 + 55);
    assert.equal(p.counters.values.checksReceived, 120);
  });

  it("takes its rates from the agent options", () => {
    const p = testParts({
      role: "controlled",
      errorRepliesPerSourcePerSecond: 1,
      errorRepliesPerSecond: 2,
    });
    withPairs(p, []);
    const socket = p.registry.sockets[0]!;
    for (let i = 0; i < 3; i++) p.responder.handleRequest(0, socket, PEER, unauthenticated(i));
    for (let i = 0; i < 3; i++) p.responder.handleRequest(0, socket, PEER2, unauthenticated(i));
    assert.deepEqual(
      p.takeTransmits().map((t) => (t.type === "datagram" ? t.remote.port : 0)),
      [PEER.port, PEER2.port],
    );
    assert.equal(p.counters.values.errorRepliesSuppressed, 4);
  });
});

describe("IceAgent error replies", () => {
  it("sends strangers' unauthenticated Binding requests 5 error replies a second and counts the rest in stats()", () => {
    const agent = new IceAgent({ role: "controlled", rng: seededRng(2) });
    agent.addHostAddress(0, 1, HOST);
    const request = (i: number) =>
      encodeStunMessage({
        class: "request",
        method: StunMethod.Binding,
        transactionId: new Uint8Array(12).fill(i),
        attributes: [],
      });
    const burst = (now: number): number => {
      for (let i = 0; i < 20; i++)
        agent.handleDatagram(now, { local: HOST, remote: PEER, data: request(i) });
      let sent = 0;
      while (agent.pollTransmit() !== undefined) sent++;
      return sent;
    };
    assert.equal(burst(0), 5);
    assert.equal(burst(600), 3, "600 ms at 5/s");
    assert.equal(burst(10_000), 5, "never more than one second's worth");
    const stats = agent.stats();
    assert.equal(stats.errorRepliesSuppressed, 60 - 13);
    assert.equal(stats.responsesSent, 13);
    assert.equal(stats.dropped["bad-request"], 60);
  });
});
