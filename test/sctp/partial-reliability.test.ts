import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodePacket, encodePacket } from "../../src/sctp/packet.js";
import {
  associationPair,
  chunksOf,
  connectBoth,
  indexOf,
  patterned,
} from "./support/associations.js";

describe("SCTP partial reliability (RFC 3758)", () => {
  it("abandons messages after maxRetransmits, sends FORWARD TSN and delivers no partial message", () => {
    const pair = associationPair({ seed: 8, link: { latency: 10, loss: 0.2 } });
    connectBoth(pair);
    const arrived: number[] = [];
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message") arrived.push(indexOf(e.data));
    };
    for (let i = 0; i < 200; i++) {
      pair.a.send(pair.clock.now, 1, 53, patterned(i, 2000), {
        unordered: true,
        maxRetransmits: 0,
      });
    }
    pair.drive();
    // Done once nothing is queued or in flight and b holds no fragment of an abandoned message.
    pair.run(() => {
      const a = pair.a.stats();
      return a.flightSize === 0 && a.sendQueueBytes === 0 && pair.b.stats().reassemblyBytes === 0;
    });
    const a = pair.a.stats();
    const b = pair.b.stats();
    assert.ok(a.messagesAbandoned > 0 && a.forwardTsnsSent > 0 && b.forwardTsnsReceived > 0);
    // A message abandoned after it arrived (its SACK was lost) counts in both.
    assert.ok(200 - arrived.length <= a.messagesAbandoned);
    assert.equal(new Set(arrived).size, arrived.length);
    assert.deepEqual(
      {
        arrived: arrived.length,
        abandoned: a.messagesAbandoned,
        forwardTsnsSent: a.forwardTsnsSent,
        retransmissions: a.retransmissions,
      },
      { arrived: 124, abandoned: 78, forwardTsnsSent: 59, retransmissions: 0 },
    );
    assert.equal(b.reassemblyBytes, 0);
  });

  it("skips abandoned messages of an ordered stream so later ones still arrive (FORWARD TSN stream list)", () => {
    const pair = associationPair({ seed: 9, link: { latency: 10 } });
    connectBoth(pair);
    let dropData = true;
    pair.tap = (from, bytes) =>
      from === "a" && dropData && chunksOf(bytes).some((c) => c.type === 0) ? undefined : bytes;
    const arrived: number[] = [];
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message") arrived.push(indexOf(e.data));
    };
    for (let i = 0; i < 3; i++)
      pair.a.send(pair.clock.now, 1, 53, patterned(i, 3000), { maxPacketLifeTime: 500 });
    pair.drive();
    pair.run(() => pair.a.stats().messagesAbandoned === 3);
    dropData = false;
    pair.a.send(pair.clock.now, 1, 53, patterned(3, 100));
    pair.drive();
    pair.run(() => arrived.length === 1);
    assert.deepEqual(arrived, [3]);
    const forward = pair.a.stats().forwardTsnsSent;
    assert.ok(forward >= 1, `forward TSNs ${forward}`);
  });

  it("drops a timed message that expires before it was ever sent, leaving no gap in its stream", () => {
    const pair = associationPair({ seed: 10, link: { latency: 100 } });
    connectBoth(pair);
    const arrived: number[] = [];
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message") arrived.push(indexOf(e.data));
    };
    // cwnd (4380 bytes) lets five 1016-byte chunks out; the rest waits a round trip, longer than its 50 ms lifetime.
    for (let i = 0; i < 20; i++)
      pair.a.send(pair.clock.now, 1, 53, patterned(i, 1000), { maxPacketLifeTime: 50 });
    pair.a.send(pair.clock.now, 1, 53, patterned(20, 1000));
    pair.drive();
    pair.run(() => arrived.includes(20));
    assert.deepEqual(arrived, [0, 1, 2, 3, 4, 20]);
    assert.equal(pair.a.stats().forwardTsnsSent, 0);
    assert.equal(pair.a.stats().messagesAbandoned, 0);
  });

  it("sends reliably when the peer does not support FORWARD TSN", () => {
    const pair = associationPair({ seed: 11, link: { latency: 10, loss: 0.2 } });
    // b announces neither FORWARD TSN nor RE-CONFIG in its INIT and INIT ACK.
    pair.tap = (from, bytes) => {
      const packet = decodePacket(bytes);
      const [first] = packet.chunks;
      if (from !== "b" || (first?.type !== 1 && first?.type !== 2)) return bytes;
      const params = first.params.filter((p) => p.type !== 0xc000 && p.type !== 0x8008);
      return encodePacket(packet, [{ ...first, params }]);
    };
    connectBoth(pair);
    assert.equal(pair.a.partialReliability, false);
    const arrived: number[] = [];
    pair.onEvent = (side, e) => {
      if (side === "b" && e.type === "message") arrived.push(indexOf(e.data));
    };
    for (let i = 0; i < 50; i++)
      pair.a.send(pair.clock.now, 1, 53, patterned(i, 500), { maxRetransmits: 0 });
    pair.drive();
    pair.run(() => arrived.length === 50);
    assert.deepEqual(
      arrived,
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(pair.a.stats().messagesAbandoned, 0);
    assert.equal(pair.a.stats().forwardTsnsSent, 0);
  });
});
