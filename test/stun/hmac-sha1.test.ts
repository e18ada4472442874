import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/common/bytes.js";
import { HmacSha1, hmacSha1For } from "../../src/stun/hmac-sha1.js";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("HMAC-SHA1", () => {
  // RFC 2202 §3 test cases 1, 2, 3 and 6 (key longer than the block size).
  const vectors: [string, Uint8Array, Uint8Array, string][] = [
    [
      "1",
      new Uint8Array(20).fill(0x0b),
      ascii("Hi There"),
      "b617318655057264e28bc0b6fb378c8ef146be00",
    ],
    [
      "2",
      ascii("Jefe"),
      ascii("what do ya want for nothing?"),
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    ],
    [
      "3",
      new Uint8Array(20).fill(0xaa),
      new Uint8Array(50).fill(0xdd),
      "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
    ],
    [
      "6",
      new Uint8Array(80).fill(0xaa),
      ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
      "aa4ae5e15272d00e95705637ce8a3b55ed402112",
    ],
  ];
  for (const [name, key, data, digest] of vectors) {
    it(`matches RFC 2202 test case ${name}`, () => {
      assert.equal(toHex(new HmacSha1(key).digest(data)), digest);
    });
  }

  it("matches node:crypto for random keys, message lengths across block boundaries and sub-ranges", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (key, data, a, b) => {
          const start = data.length === 0 ? 0 : a % data.length;
          const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
          const expected = createHmac("sha1", key).update(data.subarray(start, end)).digest("hex");
          assert.equal(toHex(new HmacSha1(key).digest(data, start, end)), expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("pads correctly at every message length from 0 to 130 bytes", () => {
    const key = fromHex("00112233");
    for (let length = 0; length <= 130; length++) {
      const data = new Uint8Array(length).map((_, i) => i * 7);
      assert.equal(
        toHex(new HmacSha1(key).digest(data)),
        createHmac("sha1", key).update(data).digest("hex"),
      );
    }
  });

  it("recomputes the cached pad states when the caller changes the key's bytes", () => {
    const key = ascii("first-key");
    const data = ascii("message");
    const before = toHex(hmacSha1For(key).digest(data));
    key[0] = 0x46;
    assert.notEqual(toHex(hmacSha1For(key).digest(data)), before);
    assert.equal(
      toHex(hmacSha1For(key).digest(data)),
      createHmac("sha1", key).update(data).digest("hex"),
    );
  });
});
