import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SctpError } from "../../src/sctp/errors.js";
import { associationPair, chunksOf, connectBoth, transfer } from "./support/associations.js";

const MIB = 1024 * 1024;

/** The counters a transfer is checked with: exact, since the run is deterministic. */
function summary(pair: ReturnType<typeof associationPair>) {
  const a = pair.a.stats();
  const b = pair.b.stats();
  return {
    at: Math.round(pair.clock.now),
    lost: pair.link.a.lost + pair.link.b.lost,
    dataChunksSent: a.dataChunksSent,
    retransmissions: a.retransmissions,
    fastRetransmissions: a.fastRetransmissions,
    t3Expirations: a.t3Expirations,
    duplicateTsnsReceived: b.duplicateTsnsReceived,
  };
}

describe("SCTP data transfer (RFC 9260 §6, §7)", () => {
  // 64 messages of 16 KiB over a 40 ms round trip; counters are exact for seed 3.
  for (const [loss, expected] of [
    [
      0,
      {
        at: 460,
        lost: 0,
        dataChunksSent: 896,
        retransmissions: 0,
        fastRetransmissions: 0,
        t3Expirations: 0,
        duplicateTsnsReceived: 0,
      },
    ],
    [
      0.01,
      {
        at: 2300,
        lost: 15,
        dataChunksSent: 896,
        retransmissions: 9,
        fastRetransmissions: 9,
        t3Expirations: 0,
        duplicateTsnsReceived: 0,
      },
    ],
    [
      0.05,
      {
        at: 10860,
        lost: 101,
        dataChunksSent: 896,
        retransmissions: 78,
        fastRetransmissions: 58,
        t3Expirations: 6,
        duplicateTsnsReceived: 11,
      },
    ],
  ] as const) {
    it(`delivers 1 MiB in order and intact at ${loss * 100} % loss`, () => {
      const pair = associationPair({ seed: 3, link: { latency: 20, loss } });
      connectBoth(pair);
      const start = pair.clock.now;
      const arrived = transfer(pair, 64, 16 * 1024);
      assert.deepEqual(
        arrived,
        Array.from({ length: 64 }, (_, i) => i),
      );
      const result = { ...summary(pair), at: Math.round(pair.clock.now - start) };
      assert.deepEqual(result, expected);
      // Every chunk was sent once, plus its retransmissions; nothing is left in flight.
      pair.run(() => false, 5_000);
      assert.equal(pair.a.stats().flightSize, 0);
      assert.equal(pair.b.stats().reassemblyBytes, 0);
    });
  }

  it("delivers every unordered message exactly once when the link reorders them", () => {
    const pair = associationPair({ seed: 4, link: { latency: 5, jitter: 30, loss: 0.02 } });
    connectBoth(pair);
    const arrived = transfer(pair, 300, 1000, { unordered: true });
    assert.equal(arrived.length, 300);
    assert.deepEqual(
      [...arrived].sort((x, y) => x - y),
      Array.from({ length: 300 }, (_, i) => i),
    );
    assert.notDeepEqual(
      arrived,
      Array.from({ length: 300 }, (_, i) => i),
      "the link did reorder",
    );
  });

  it("fragments and reassembles a message of max-message-size (256 KiB)", () => {
    const pair = associationPair({ seed: 5, link: { loss: 0.01 } });
    connectBoth(pair);
    assert.deepEqual(transfer(pair, 2, 256 * 1024), [0, 1]);
  });

  it("refuses to send a message over the peer's max-message-size, and an empty one", () => {
    const pair = associationPair({ a: { maxSendMessageSize: 1000 } });
    connectBoth(pair);
    assert.throws(
      () => pair.a.send(pair.clock.now, 1, 53, new Uint8Array(1001)),
      (e: unknown) => e instanceof SctpError && e.code === "message-too-large",
    );
    assert.throws(
      () => pair.a.send(pair.clock.now, 1, 53, new Uint8Array(0)),
      (e: unknown) => e instanceof SctpError && e.code === "invalid-argument",
    );
    pair.a.send(pair.clock.now, 1, 53, new Uint8Array(1000));
  });

  it("bundles small messages into packets up to the MTU once cwnd holds them back (§6.10)", () => {
    const pair = associationPair();
    connectBoth(pair);
    const perPacket: number[] = [];
    pair.tap = (from, bytes) => {
      if (from === "a") perPacket.push(chunksOf(bytes).filter((c) => c.type === 0).length);
      return bytes;
    };
    for (let i = 0; i < 200; i++) pair.a.send(pair.clock.now, 1, 51, new Uint8Array(100).fill(i));
    pair.drive();
    pair.run(() => pair.a.stats().flightSize === 0 && pair.a.stats().sendQueueBytes === 0);
    // No Nagle: while cwnd (4380 bytes) has room each message leaves at once, alone; the rest
    // wait for SACKs and go out together as cwnd opens (ten 116-byte chunks would fit in 1200).
    assert.deepEqual(perPacket.slice(0, 34), Array<number>(34).fill(1));
    assert.equal(Math.max(...perPacket), 8);
    assert.equal(
      perPacket.reduce((x, y) => x + y, 0),
      200,
    );
  });

  it("delivers messages on several streams, each stream in its own order", () => {
    const pair = associationPair({ seed: 6, link: { latency: 5, loss: 0.03 } });
    connectBoth(pair);
    const got = new Map<number, number[]>();
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message")
        got.set(e.streamId, [...(got.get(e.streamId) ?? []), e.data[0]!]);
    };
    for (let i = 0; i < 50; i++)
      for (const stream of [0, 2, 4])
        pair.a.send(pair.clock.now, stream, 53, new Uint8Array(600).fill(i));
    pair.drive();
    pair.run(() => [...got.values()].every((list) => list.length === 50) && got.size === 3);
    for (const stream of [0, 2, 4])
      assert.deepEqual(
        got.get(stream),
        Array.from({ length: 50 }, (_, i) => i),
      );
  });

  it("refuses a stream the peer did not grant", () => {
    const pair = associationPair({ b: { streams: 16 } });
    connectBoth(pair);
    assert.equal(pair.a.outboundStreams, 16);
    assert.throws(
      () => pair.a.send(pair.clock.now, 16, 53, new Uint8Array(1)),
      (e: unknown) => e instanceof SctpError && e.code === "invalid-stream",
    );
  });

  it("grows cwnd in slow start while the window is used (§7.2.1)", () => {
    const pair = associationPair({ link: { latency: 50 } });
    connectBoth(pair);
    const initial = pair.a.stats().cwnd;
    assert.equal(initial, 4380);
    transfer(pair, 32, 16 * 1024);
    assert.ok(pair.a.stats().cwnd > 8 * initial, `cwnd ${pair.a.stats().cwnd}`);
    assert.equal(pair.a.stats().ssthresh, 1 * MIB);
  });
});
