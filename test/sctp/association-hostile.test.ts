import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readU32 } from "../../src/common/bytes.js";
import type { Chunk, DataChunk } from "../../src/sctp/chunk-types.js";
import { SctpError } from "../../src/sctp/errors.js";
import { encodePacket, sealPacket } from "../../src/sctp/packet.js";
import { MAX_GAP_RANGES, MAX_TSN_AHEAD } from "../../src/sctp/data-tracker.js";
import { associationPair, chunksOf, connectBoth, transfer } from "./support/associations.js";

/** An established pair, b's verification tag and the next TSN a would use. */
function established(options: Parameters<typeof associationPair>[0] = {}) {
  const pair = associationPair(options);
  connectBoth(pair);
  let tag = 0;
  let tsn = 0;
  pair.tap = (from, bytes) => {
    if (from === "a") {
      tag = readU32(bytes, 4);
      for (const c of chunksOf(bytes)) if (c.type === 0) tsn = c.tsn + 1;
    }
    return bytes;
  };
  transfer(pair, 1, 10);
  pair.run(() => false, 1_000);
  pair.tap = undefined;
  const inject = (
    chunks: readonly Chunk[],
    header: Partial<{ verificationTag: number; sourcePort: number; destinationPort: number }> = {},
  ): void => {
    pair.b.handlePacket(
      pair.clock.now,
      encodePacket(
        { sourcePort: 5000, destinationPort: 5000, verificationTag: tag, ...header },
        chunks,
      ),
    );
    pair.drive("b");
  };
  return { pair, tag, tsn, inject };
}

const data = (tsn: number, size: number, more: Partial<DataChunk> = {}): DataChunk => ({
  type: 0,
  unordered: true,
  beginning: true,
  ending: false,
  immediate: false,
  tsn: tsn >>> 0,
  streamId: 1,
  ssn: 0,
  ppid: 53,
  userData: new Uint8Array(size),
  ...more,
});

describe("SCTP association under hostile input", () => {
  it("drops and counts packets with a bad checksum, wrong ports, a wrong tag or a bundled INIT (§8.5)", () => {
    const { pair, tag, inject } = established();
    const sack: Chunk = {
      type: 3,
      cumulativeTsnAck: 0,
      aRwnd: 0,
      gapBlocks: [],
      duplicateTsns: [],
    };
    const good = encodePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: tag }, [
      { type: 11, reflected: false },
    ]);
    good[12]! ^= 0xff;
    pair.b.handlePacket(pair.clock.now, good);
    pair.b.handlePacket(pair.clock.now, new Uint8Array(7));
    inject([sack], { destinationPort: 5001 });
    inject([sack], { sourcePort: 9 });
    inject([sack], { verificationTag: tag ^ 1 });
    inject(
      [
        {
          type: 1,
          initiateTag: 5,
          aRwnd: 1,
          outboundStreams: 1,
          inboundStreams: 1,
          initialTsn: 1,
          params: [],
        },
        sack,
      ],
      { verificationTag: 0 },
    );
    inject([
      {
        type: 1,
        initiateTag: 5,
        aRwnd: 1,
        outboundStreams: 1,
        inboundStreams: 1,
        initialTsn: 1,
        params: [],
      },
    ]);
    inject([]);
    inject([{ type: 6, reflected: true, causes: [] }]); // T bit with our own tag: not the peer's
    const stats = pair.b.stats();
    assert.deepEqual(
      {
        checksum: stats.droppedChecksum,
        port: stats.droppedPort,
        tag: stats.droppedVerificationTag,
      },
      { checksum: 2, port: 2, tag: 5 },
    );
    assert.equal(pair.b.state, "established");
    assert.equal(transfer(pair, 3, 100).length, 3);
  });

  it("never throws on mutated packets from a real session, however they are changed", () => {
    // The same seed gives the same tags and TSNs, so a fresh session (after a mutation ended
    // one, e.g. by becoming a valid ABORT) still matches the captured packets.
    const session = (): ReturnType<typeof associationPair> => {
      const { pair } = established({ seed: 21 });
      return pair;
    };
    const captured: Uint8Array[] = [];
    let pair = session();
    pair.tap = (_from, bytes) => {
      captured.push(bytes);
      return bytes;
    };
    transfer(pair, 20, 3000);
    pair.a.resetStream(pair.clock.now, 1);
    pair.drive();
    pair.run(() => false, 2_000);
    pair.tap = undefined;
    let counted = 0;
    let sessions = 1;
    const tally = (s: ReturnType<typeof pair.a.stats>): number =>
      s.droppedMalformed +
      s.droppedVerificationTag +
      s.droppedUnexpected +
      s.droppedOverWindow +
      s.droppedChecksum;
    fc.assert(
      fc.property(
        fc.nat(captured.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (which, edits) => {
          if (pair.a.state === "closed" || pair.b.state === "closed") {
            counted += tally(pair.a.stats()) + tally(pair.b.stats());
            pair = session();
            sessions++;
          }
          const bytes = captured[which]!.slice();
          for (const [at, value] of edits) bytes[12 + (at % (bytes.length - 12))] = value;
          sealPacket(bytes);
          pair.a.handlePacket(pair.clock.now, bytes);
          pair.b.handlePacket(pair.clock.now, bytes);
          pair.drive();
        },
      ),
      { numRuns: 3000 },
    );
    counted += tally(pair.a.stats()) + tally(pair.b.stats());
    assert.ok(counted > 1000, `${counted} packets counted as dropped over ${sessions} sessions`);
  });

  it("acknowledges DATA on a stream it did not grant, reports Invalid Stream Identifier and drops it (§6.5)", () => {
    const { pair, tsn, inject } = established({ b: { streams: 8 } });
    const replies: number[] = [];
    const acked: number[] = [];
    pair.tap = (from, bytes) => {
      for (const c of chunksOf(bytes)) {
        if (from === "b" && c.type === 9) replies.push(c.causes[0]!.type);
        if (from === "b" && c.type === 3) acked.push(c.cumulativeTsnAck);
      }
      return bytes;
    };
    const before = pair.events.b.length;
    inject([data(tsn, 10, { streamId: 8, ending: true })]);
    pair.run(() => false, 500);
    assert.deepEqual(replies, [1]);
    assert.equal(pair.events.b.slice(before).filter((e) => e.type === "message").length, 0);
    assert.equal(acked.at(-1), tsn >>> 0, "the TSN is acknowledged");
  });

  it("aborts on a DATA chunk without user data (No User Data, §6.2)", () => {
    const { pair, tsn, inject } = established();
    inject([data(tsn, 0)]);
    assert.deepEqual(pair.events.b.at(-1), {
      type: "closed",
      reason: "protocol-violation",
      detail: "DATA chunk without user data",
    });
    pair.run(() => pair.a.state === "closed");
    assert.equal(pair.events.a.at(-1)?.type, "closed");
  });

  it("aborts when a message grows past max-message-size", () => {
    const { pair, tsn, inject } = established({ b: { maxMessageSize: 4000 } });
    for (let i = 0; i < 4; i++)
      inject([data(tsn + i, 1100, { unordered: false, beginning: i === 0, ssn: 1 })]);
    assert.deepEqual(pair.events.b.at(-1), {
      type: "closed",
      reason: "protocol-violation",
      detail: "message over max-message-size",
    });
  });

  it("holds at most the receive window of out-of-order data from a flood, and counts the rest", () => {
    const { pair, tsn, inject } = established({ b: { receiveWindow: 64 * 1024 } });
    // TSN `tsn` never comes, so nothing can be delivered: every chunk must be held or dropped.
    for (let i = 1; i <= 200; i++) inject([data(tsn + i, 1000)]);
    const stats = pair.b.stats();
    assert.equal(stats.reassemblyBytes, 65_000);
    assert.equal(stats.droppedOverWindow, 135);
    assert.equal(pair.b.state, "established");
  });

  it("refuses TSNs too far ahead and more out-of-order ranges than it keeps", () => {
    const { pair, tsn, inject } = established({ b: { receiveWindow: 64 * 1024 * 1024 } });
    inject([data(tsn + MAX_TSN_AHEAD + 1, 10)]);
    assert.equal(pair.b.stats().droppedOverWindow, 1);
    for (let i = 0; i < MAX_GAP_RANGES + 10; i++) inject([data(tsn + 2 + 2 * i, 10)]);
    assert.equal(pair.b.stats().droppedOverWindow, 11);
  });

  it("survives a SACK with thousands of gap blocks claiming everything", () => {
    const { pair, tsn } = established();
    for (let i = 0; i < 30; i++) pair.a.send(pair.clock.now, 1, 53, new Uint8Array(1000));
    const gapBlocks = Array.from({ length: 16_000 }, () => ({ start: 1, end: 65_535 }));
    const sack: Chunk = {
      type: 3,
      cumulativeTsnAck: tsn - 1,
      aRwnd: 100_000,
      gapBlocks,
      duplicateTsns: [],
    };
    // Sent as b would: with a's tag, learnt from a packet b sent.
    let aTag = 0;
    pair.tap = (from, bytes) => {
      if (from === "b") aTag = readU32(bytes, 4);
      return bytes;
    };
    pair.drive();
    pair.run(() => aTag !== 0, 1_000);
    pair.a.handlePacket(
      pair.clock.now,
      encodePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: aTag }, [sack]),
    );
    pair.drive();
    assert.equal(pair.a.state, "established");
  });

  it("refuses sends past the send queue limit instead of growing without bound", () => {
    const { pair } = established({ a: { sendQueueLimit: 100_000 } });
    pair.conditions = { ...pair.conditions, loss: 1 };
    let refused: unknown;
    try {
      for (let i = 0; i < 1000; i++) pair.a.send(pair.clock.now, 1, 53, new Uint8Array(1000));
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof SctpError && refused.code === "send-queue-full");
    assert.ok(pair.a.stats().sendQueueBytes <= 100_000);
  });
});
