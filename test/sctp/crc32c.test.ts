import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { crc32c, crc32cBytewise, crc32cUpdate } from "../../src/sctp/crc32c.js";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("CRC32c", () => {
  // RFC 3720 Appendix B.4 (the iSCSI CRC32c vectors, the same polynomial as SCTP, RFC 9260 App. A).
  it("gives 0x8A9136AA for 32 zero bytes (RFC 3720 B.4)", () => {
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  });

  it("gives 0x62A8AB43 for 32 bytes of 0xFF (RFC 3720 B.4)", () => {
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  });

  it("gives 0x46DD794E for the bytes 0 to 31 ascending (RFC 3720 B.4)", () => {
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  });

  it("gives 0x113FDB5C for the bytes 31 to 0 descending (RFC 3720 B.4)", () => {
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  it("gives 0xD9963A56 (bytes 56 3a 96 d9) for the iSCSI SCSI Read (10) command PDU (RFC 3720 B.4)", () => {
    const pdu = new Uint8Array(48);
    for (const [at, value] of [
      [0, 0x01],
      [1, 0xc0],
      [16, 0x14],
      [22, 0x04],
      [27, 0x14],
      [31, 0x18],
      [32, 0x28],
      [40, 0x02],
    ] as const) {
      pdu[at] = value;
    }
    // The RFC lists the CRC bytes in transmission order, least significant byte first.
    assert.equal(crc32c(pdu), 0xd9963a56);
  });

  it("gives the catalogued check value 0xE3069283 for the ASCII digits 1 to 9", () => {
    assert.equal(crc32c(ascii("123456789")), 0xe3069283);
  });

  it("agrees with the one-table reference on any input and any range", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, x, y) => {
        const start = bytes.length === 0 ? 0 : x % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : y % (bytes.length - start + 1));
        assert.equal(crc32c(bytes, start, end), crc32cBytewise(bytes, start, end));
      }),
    );
  });

  it("can be computed in pieces with crc32cUpdate", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        const register = crc32cUpdate(
          crc32cUpdate(0xffffffff, bytes, 0, at),
          bytes,
          at,
          bytes.length,
        );
        assert.equal((register ^ 0xffffffff) >>> 0, crc32c(bytes));
      }),
    );
  });
});
