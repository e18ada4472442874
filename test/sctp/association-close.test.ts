import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  associationPair,
  chunksOf,
  connectBoth,
  indexOf,
  patterned,
  transfer,
} from "./support/associations.js";

describe("SCTP stream reset (RFC 6525) and the end of an association (RFC 9260 §9)", () => {
  it("resets an outgoing stream after its data, and its sequence numbers restart at 0 on both sides", () => {
    const pair = associationPair({ seed: 12, link: { latency: 10, loss: 0.05 } });
    connectBoth(pair);
    assert.equal(transfer(pair, 20, 3000).length, 20);
    for (let i = 20; i < 25; i++) pair.a.send(pair.clock.now, 1, 53, patterned(i, 3000));
    pair.a.resetStream(pair.clock.now, 1);
    pair.drive();
    pair.run(() => pair.events.a.some((e) => e.type === "outgoing-streams-reset"));
    assert.deepEqual(
      pair.events.a.find((e) => e.type === "outgoing-streams-reset"),
      { type: "outgoing-streams-reset", streamIds: [1] },
    );
    assert.deepEqual(
      pair.events.b.find((e) => e.type === "incoming-streams-reset"),
      { type: "incoming-streams-reset", streamIds: [1] },
    );
    const before = pair.events.b
      .filter((e) => e.type === "message")
      .map((e) => (e.type === "message" ? indexOf(e.data) : -1));
    assert.deepEqual(
      before,
      Array.from({ length: 25 }, (_, i) => i),
    );
    // The stream is used again from SSN 0; b expects 0 again, so the message is delivered.
    const ssns: number[] = [];
    pair.tap = (from, bytes) => {
      for (const c of chunksOf(bytes)) if (from === "a" && c.type === 0) ssns.push(c.ssn);
      return bytes;
    };
    assert.deepEqual(transfer(pair, 1, 100), [0]);
    assert.equal(ssns[0], 0);
  });

  it("answers a reset request in progress until the data before it has arrived (§5.2.2)", () => {
    const pair = associationPair({ seed: 13, link: { latency: 10 } });
    connectBoth(pair);
    let hold = true;
    const held: Uint8Array[] = [];
    const results: number[] = [];
    pair.tap = (from, bytes) => {
      const chunks = chunksOf(bytes);
      for (const c of chunks) {
        if (from === "b" && c.type === 130)
          for (const p of c.params) if (p.kind === "response") results.push(p.result);
      }
      if (from === "a" && hold && chunks.some((c) => c.type === 0)) {
        held.push(bytes);
        return undefined;
      }
      return bytes;
    };
    pair.a.send(pair.clock.now, 3, 53, patterned(0, 500));
    pair.a.resetStream(pair.clock.now, 3);
    pair.drive();
    pair.run(() => results.length > 0); // the request arrives before the DATA it waits for
    hold = false;
    pair.run(() => pair.events.a.some((e) => e.type === "outgoing-streams-reset"));
    assert.equal(results[0], 6, "first answer: in progress");
    assert.equal(results.at(-1), 1, "last answer: performed");
    assert.equal(held.length, 1);
  });

  it("shuts down gracefully once queued data is delivered (SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE)", () => {
    const pair = associationPair({ seed: 14, link: { latency: 10, loss: 0.02 } });
    connectBoth(pair);
    const arrived: number[] = [];
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message") arrived.push(indexOf(e.data));
    };
    for (let i = 0; i < 40; i++) pair.a.send(pair.clock.now, 1, 53, patterned(i, 5000));
    pair.a.shutdown(pair.clock.now);
    assert.equal(pair.a.state, "shutdown-pending");
    assert.throws(() => pair.a.send(pair.clock.now, 1, 53, new Uint8Array(1)));
    pair.drive();
    pair.run(() => pair.a.state === "closed" && pair.b.state === "closed");
    assert.deepEqual(
      arrived,
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.deepEqual(pair.events.a.at(-1), { type: "closed", reason: "shutdown" });
    assert.deepEqual(pair.events.b.at(-1), { type: "closed", reason: "shutdown" });
    assert.equal(pair.a.pollTimeout(), undefined);
  });

  it("closes both sides when both shut down at once", () => {
    const pair = associationPair({ seed: 15 });
    connectBoth(pair);
    pair.a.shutdown(pair.clock.now);
    pair.b.shutdown(pair.clock.now);
    pair.drive();
    pair.run(() => pair.a.state === "closed" && pair.b.state === "closed");
    assert.deepEqual(pair.events.a.at(-1), { type: "closed", reason: "shutdown" });
    assert.deepEqual(pair.events.b.at(-1), { type: "closed", reason: "shutdown" });
  });

  it("ends both sides at once on ABORT, with the reason", () => {
    const pair = associationPair({ seed: 16 });
    connectBoth(pair);
    pair.a.abort(pair.clock.now, "bye");
    pair.drive();
    pair.run(() => pair.b.state === "closed");
    assert.deepEqual(pair.events.a.at(-1), { type: "closed", reason: "abort", detail: "bye" });
    assert.deepEqual(pair.events.b.at(-1), {
      type: "closed",
      reason: "peer-abort",
      detail: "cause 12",
    });
  });

  it("gives up on a peer that stopped answering after Association.Max.Retrans T3 expiries (§8.1)", () => {
    const pair = associationPair({ seed: 17 });
    connectBoth(pair);
    pair.conditions = { ...pair.conditions, loss: 1 };
    pair.a.send(pair.clock.now, 1, 53, new Uint8Array(100));
    pair.drive();
    pair.run(() => pair.a.state === "closed");
    assert.deepEqual(pair.events.a.at(-1), {
      type: "closed",
      reason: "timeout",
      detail: "peer unreachable",
    });
    assert.equal(pair.a.stats().t3Expirations, 10);
  });

  it("notices a vanished peer on an idle association through unanswered HEARTBEATs (§8.3)", () => {
    const pair = associationPair({ seed: 18, a: { heartbeatIntervalMs: 1000 } });
    connectBoth(pair);
    pair.conditions = { ...pair.conditions, loss: 1 };
    pair.run(() => pair.a.state === "closed");
    assert.deepEqual(pair.events.a.at(-1), {
      type: "closed",
      reason: "timeout",
      detail: "peer unreachable",
    });
    assert.equal(pair.a.stats().heartbeatsSent, 11);
  });

  it("measures the RTT from HEARTBEAT ACKs when idle", () => {
    const pair = associationPair({
      seed: 19,
      link: { latency: 40 },
      a: { heartbeatIntervalMs: 1000 },
    });
    connectBoth(pair);
    pair.run(() => false, 10_000);
    assert.equal(pair.a.state, "established");
    assert.ok(pair.a.stats().heartbeatsSent >= 3);
    assert.equal(Math.round(pair.a.stats().srtt ?? 0), 80);
  });
});
