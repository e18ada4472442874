import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodedChunkLength, readChunks, writeChunk } from "../../src/sctp/chunk-codec.js";
import { crc32c } from "../../src/sctp/crc32c.js";
import { SctpDecodeError } from "../../src/sctp/errors.js";
import { checksumMatches, decodePacket, encodePacket, sealPacket } from "../../src/sctp/packet.js";
import { anyChunk } from "./support/arbitraries.js";

const header = { sourcePort: 5000, destinationPort: 5000, verificationTag: 0x01020304 };

/** Decodes, accepting only success or SctpDecodeError. */
function decodeOrReject(bytes: Uint8Array): void {
  try {
    decodePacket(bytes);
  } catch (error) {
    if (!(error instanceof SctpDecodeError)) throw error;
  }
}

describe("SCTP chunk codecs", () => {
  it("decode every chunk they encode to the same chunk", () => {
    fc.assert(
      fc.property(anyChunk, (chunk) => {
        const bytes = new Uint8Array(encodedChunkLength(chunk));
        assert.equal(writeChunk(chunk, bytes, 0), bytes.length);
        assert.equal(bytes.length % 4, 0);
        assert.deepEqual(readChunks(bytes, 0, bytes.length), [chunk]);
      }),
      { numRuns: 2000 },
    );
  });

  it("reject a chunk whose length is under 4 or past the packet", () => {
    assert.throws(() => readChunks(new Uint8Array([0, 0, 0, 3]), 0, 4), SctpDecodeError);
    assert.throws(
      () => readChunks(new Uint8Array([0, 0, 0, 20, 0, 0, 0, 0]), 0, 8),
      SctpDecodeError,
    );
  });

  it("reject a SACK that claims more gap blocks than it holds", () => {
    const sack = new Uint8Array([3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 9, 0, 5, 0, 0]);
    assert.throws(() => readChunks(sack, 0, sack.length), SctpDecodeError);
  });
});

describe("SCTP packets", () => {
  it("decode every packet they encode, checksum included (RFC 9260 §6.8)", () => {
    fc.assert(
      fc.property(fc.array(anyChunk, { maxLength: 5 }), (chunks) => {
        const bytes = encodePacket(header, chunks);
        assert.ok(checksumMatches(bytes));
        assert.deepEqual(decodePacket(bytes), { ...header, chunks });
      }),
      { numRuns: 500 },
    );
  });

  it("store the CRC32c least significant byte first (RFC 9260 Appendix A)", () => {
    const bytes = encodePacket(header, [{ type: 11, reflected: false }]);
    const zeroed = bytes.slice();
    zeroed.fill(0, 8, 12);
    const crc = crc32c(zeroed);
    assert.deepEqual(
      [...bytes.subarray(8, 12)],
      [crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24],
    );
  });

  it("refuse a packet with one bit flipped anywhere", () => {
    fc.assert(
      fc.property(
        fc.array(anyChunk, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (chunks, at, bit) => {
          const bytes = encodePacket(header, chunks);
          bytes[at % bytes.length]! ^= 1 << bit;
          assert.equal(checksumMatches(bytes), false);
          assert.throws(() => decodePacket(bytes), SctpDecodeError);
        },
      ),
    );
  });

  it("refuse anything shorter than the common header", () => {
    for (let n = 0; n < 12; n++)
      assert.throws(() => decodePacket(new Uint8Array(n)), SctpDecodeError);
  });

  it("throw nothing but SctpDecodeError on mutated packets with a valid checksum", () => {
    fc.assert(
      fc.property(
        fc.array(anyChunk, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        (chunks, edits, cut) => {
          const encoded = encodePacket(header, chunks);
          const bytes = encoded.slice(0, 12 + (cut % (encoded.length - 11)));
          for (const [at, value] of edits)
            if (bytes.length > 12) bytes[12 + (at % (bytes.length - 12))] = value;
          sealPacket(bytes);
          decodeOrReject(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("throw nothing but SctpDecodeError on random bytes with a valid checksum", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 400 }), (bytes) => {
        sealPacket(bytes);
        decodeOrReject(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});
