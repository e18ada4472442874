import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, seededRng } from "../../src/common/rng.js";
import type { Rng } from "../../src/common/rng.js";

/** Bytes from a fresh generator with `seed`. */
function bytesOf(seed: number, length: number): Uint8Array {
  return randomBytes(seededRng(seed), length);
}

/**
 * An independent reference for the first output word: splitmix32 expands the seed into the four
 * state words, then one step of xoshiro128** (Blackman & Vigna) on them.
 */
function referenceFirstWord(seed: number): number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  splitmix();
  const s1 = splitmix();
  // result = rotl(s1 * 5, 7) * 9
  const x = Math.imul(s1, 5) >>> 0;
  const rotated = ((x << 7) | (x >>> 25)) >>> 0;
  return Math.imul(rotated, 9) >>> 0;
}

describe("seededRng", () => {
  it("gives the same bytes for the same seed", () => {
    const a = bytesOf(42, 64);
    const b = bytesOf(42, 64);
    assert.deepEqual(a, b);
  });

  it("gives different bytes for different seeds", () => {
    const seen = new Set<string>();
    for (const seed of [0, 1, 2, 42, 0x7fffffff, 0xffffffff]) {
      seen.add(Buffer.from(bytesOf(seed, 16)).toString("hex"));
    }
    assert.equal(seen.size, 6);
  });

  it("treats the seed as a 32-bit unsigned integer", () => {
    assert.deepEqual(bytesOf(-1, 16), bytesOf(0xffffffff, 16));
    assert.deepEqual(bytesOf(2 ** 32 + 5, 16), bytesOf(5, 16));
  });

  it("writes the first xoshiro128** word little-endian into the first four bytes", () => {
    for (const seed of [0, 1, 12345, 0xdeadbeef]) {
      const word = referenceFirstWord(seed);
      const expected = Uint8Array.of(
        word & 0xff,
        (word >>> 8) & 0xff,
        (word >>> 16) & 0xff,
        word >>> 24,
      );
      assert.deepEqual(bytesOf(seed, 4), expected, `seed ${seed}`);
    }
  });

  it("keeps producing new bytes across successive fills", () => {
    const rng = seededRng(7);
    const first = new Uint8Array(16);
    const second = new Uint8Array(16);
    rng.fill(first);
    rng.fill(second);
    assert.notDeepEqual(first, second);
  });

  it("does not get stuck at zero for seed 0", () => {
    const bytes = bytesOf(0, 32);
    assert.ok(bytes.some((b) => b !== 0));
  });

  it("fills odd lengths with the prefix of the stream, using one word per four bytes", () => {
    const whole = bytesOf(99, 8);
    for (const length of [1, 2, 3, 5, 6, 7]) {
      assert.deepEqual(bytesOf(99, length), whole.subarray(0, length), `length ${length}`);
    }
    // A fill of 3 consumes a whole word: the next fill starts at the second word.
    const rng = seededRng(99);
    rng.fill(new Uint8Array(3));
    const next = new Uint8Array(4);
    rng.fill(next);
    assert.deepEqual(next, whole.subarray(4, 8));
  });

  it("leaves an empty target alone and consumes nothing for it", () => {
    const rng = seededRng(5);
    rng.fill(new Uint8Array(0));
    const bytes = new Uint8Array(8);
    rng.fill(bytes);
    assert.deepEqual(bytes, bytesOf(5, 8));
  });

  it("spreads values over the whole byte range", () => {
    const bytes = bytesOf(2024, 4096);
    const distinct = new Set(bytes);
    assert.equal(distinct.size, 256);
    const mean = bytes.reduce((sum, b) => sum + b, 0) / bytes.length;
    assert.ok(mean > 120 && mean < 135, `mean ${mean}`);
  });
});

describe("randomBytes", () => {
  it("returns a new array of the requested length filled by the rng", () => {
    const calls: number[] = [];
    const rng: Rng = {
      fill(target) {
        calls.push(target.length);
        target.fill(0xab);
      },
    };
    const bytes = randomBytes(rng, 5);
    assert.deepEqual(bytes, Uint8Array.of(0xab, 0xab, 0xab, 0xab, 0xab));
    assert.deepEqual(calls, [5]);
  });

  it("returns an empty array for length 0", () => {
    assert.deepEqual(randomBytes(seededRng(1), 0), new Uint8Array(0));
  });
});
