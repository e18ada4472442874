import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  constantTimeEqual,
  copyBytes,
  bytesEqual,
  concatBytes,
  fromHex,
  readU16,
  readU32,
  toHex,
  utf8Decode,
  utf8Encode,
  utf8EncodeInto,
  writeU16,
  writeU32,
} from "../../src/common/bytes.js";

describe("UTF-8", () => {
  it("encodes ASCII, two-, three- and four-byte characters", () => {
    assert.deepEqual(utf8Encode("a"), Uint8Array.of(0x61));
    assert.deepEqual(utf8Encode("é"), Uint8Array.of(0xc3, 0xa9));
    assert.deepEqual(utf8Encode("€"), Uint8Array.of(0xe2, 0x82, 0xac));
    assert.deepEqual(utf8Encode("😀"), Uint8Array.of(0xf0, 0x9f, 0x98, 0x80));
    assert.deepEqual(utf8Encode(""), new Uint8Array(0));
  });

  it("round-trips text through encode and decode", () => {
    const text = "マトリックス Ünïcödé 😀";
    assert.equal(utf8Decode(utf8Encode(text)), text);
  });

  it("decodes malformed sequences to U+FFFD instead of throwing", () => {
    assert.equal(utf8Decode(Uint8Array.of(0x61, 0xff, 0x62)), "a\ufffdb");
    assert.equal(utf8Decode(Uint8Array.of(0xe2, 0x82)), "\ufffd");
  });

  it("encodes into a target at an offset and returns the byte count", () => {
    const target = new Uint8Array(8).fill(0xee);
    assert.equal(utf8EncodeInto("é!", target, 2), 3);
    assert.deepEqual(target, Uint8Array.of(0xee, 0xee, 0xc3, 0xa9, 0x21, 0xee, 0xee, 0xee));
  });

  it("returns 0 for empty text, even at the end of the target", () => {
    assert.equal(utf8EncodeInto("", new Uint8Array(4), 4), 0);
  });

  it("returns -1 when the target has no room for all of the text", () => {
    assert.equal(utf8EncodeInto("abcde", new Uint8Array(4), 0), -1);
    assert.equal(utf8EncodeInto("ab", new Uint8Array(4), 3), -1);
    // A four-byte character never fits in three bytes.
    assert.equal(utf8EncodeInto("😀", new Uint8Array(3), 0), -1);
  });

  it("succeeds when the text fills the target exactly", () => {
    const target = new Uint8Array(4);
    assert.equal(utf8EncodeInto("😀", target, 0), 4);
    assert.deepEqual(target, Uint8Array.of(0xf0, 0x9f, 0x98, 0x80));
  });
});

describe("concatBytes", () => {
  it("joins the parts in order into a new array", () => {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3);
    const joined = concatBytes([a, new Uint8Array(0), b, Uint8Array.of(4, 5)]);
    assert.deepEqual(joined, Uint8Array.of(1, 2, 3, 4, 5));
    joined[0] = 99;
    assert.equal(a[0], 1);
  });

  it("returns an empty array for no parts", () => {
    assert.deepEqual(concatBytes([]), new Uint8Array(0));
  });

  it("copies only a subarray's own bytes", () => {
    const base = Uint8Array.of(9, 1, 2, 9);
    assert.deepEqual(concatBytes([base.subarray(1, 3)]), Uint8Array.of(1, 2));
  });
});

describe("bytesEqual", () => {
  it("is true for the same bytes and false for a different byte or length", () => {
    assert.equal(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true);
    assert.equal(bytesEqual(new Uint8Array(0), new Uint8Array(0)), true);
    assert.equal(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false);
    assert.equal(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)), false);
    assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)), false);
  });

  it("compares a Buffer and a Uint8Array by content", () => {
    assert.equal(bytesEqual(Buffer.from([7, 8]), Uint8Array.of(7, 8)), true);
  });
});

describe("hex", () => {
  it("writes lower-case hex, two digits per byte", () => {
    assert.equal(toHex(Uint8Array.of(0x00, 0x0f, 0xa0, 0xff)), "000fa0ff");
    assert.equal(toHex(new Uint8Array(0)), "");
  });

  it("parses hex in either case and ignores whitespace", () => {
    assert.deepEqual(fromHex("00 0F\na0\tFf"), Uint8Array.of(0x00, 0x0f, 0xa0, 0xff));
    assert.deepEqual(fromHex(""), new Uint8Array(0));
  });

  it("round-trips every byte value", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    assert.deepEqual(fromHex(toHex(all)), all);
  });

  it("throws RangeError on an odd number of digits or a non-hex character", () => {
    assert.throws(() => fromHex("abc"), RangeError);
    assert.throws(() => fromHex("0g"), RangeError);
    assert.throws(() => fromHex("0x12"), RangeError);
    assert.throws(() => fromHex("-1"), RangeError);
  });
});

describe("big-endian integers", () => {
  it("reads 16- and 32-bit values most significant byte first", () => {
    const bytes = Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a);
    assert.equal(readU16(bytes, 0), 0x1234);
    assert.equal(readU16(bytes, 3), 0x789a);
    assert.equal(readU32(bytes, 0), 0x12345678);
    assert.equal(readU32(bytes, 1), 0x3456789a);
  });

  it("reads a 32-bit value with the top bit set as unsigned", () => {
    assert.equal(readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0), 0xffffffff);
    assert.equal(readU32(Uint8Array.of(0x80, 0, 0, 0), 0), 0x80000000);
    assert.equal(readU16(Uint8Array.of(0xff, 0xff), 0), 0xffff);
  });

  it("writes 16- and 32-bit values most significant byte first, at the offset", () => {
    const bytes = new Uint8Array(7);
    writeU16(bytes, 1, 0xabcd);
    writeU32(bytes, 3, 0x2112a442);
    assert.deepEqual(bytes, Uint8Array.of(0, 0xab, 0xcd, 0x21, 0x12, 0xa4, 0x42));
  });

  it("writes 0xffffffff and reads it back", () => {
    const bytes = new Uint8Array(4);
    writeU32(bytes, 0, 0xffffffff);
    assert.deepEqual(bytes, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    assert.equal(readU32(bytes, 0), 0xffffffff);
  });

  it("keeps only the low 16 bits when writing a larger value as U16", () => {
    const bytes = new Uint8Array(2);
    writeU16(bytes, 0, 0x12345);
    assert.deepEqual(bytes, Uint8Array.of(0x23, 0x45));
  });
});

describe("constantTimeEqual and copyBytes", () => {
  it("compares the first `length` bytes and ignores what follows", () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4), 2), true);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4), 3), false);
    assert.equal(constantTimeEqual(Uint8Array.of(9), Uint8Array.of(8), 0), true);
  });

  it("is false when either array is shorter than `length`", () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1), Uint8Array.of(1, 2), 2), false);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1), 2), false);
  });

  it("copies short and long ranges out of a Buffer so that writing to the copy leaves the Buffer alone", () => {
    for (const size of [12, 200]) {
      const source = Buffer.alloc(size + 10, 7);
      const copy = copyBytes(source, 5, 5 + size);
      assert.equal(copy.length, size);
      assert.equal(Object.getPrototypeOf(copy), Uint8Array.prototype);
      copy.fill(1);
      assert.ok(source.every((byte) => byte === 7));
    }
  });
});
