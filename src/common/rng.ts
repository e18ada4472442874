/**
 * Randomness for the sans-IO core. The core never reaches for ambient randomness: every
 * transaction id, ufrag, password and tie-breaker comes from an {@link Rng} handed in by the
 * caller — `cryptoRng` from `src/node/` in production, {@link seededRng} in tests and in the
 * simulator, so runs are reproducible.
 */

/** A source of random bytes. */
export interface Rng {
  /** Fills `target` with random bytes. */
  fill(target: Uint8Array): void;
}

/** Returns `length` fresh random bytes from `rng`. */
export function randomBytes(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  rng.fill(out);
  return out;
}

/**
 * A deterministic, fast, NOT cryptographically secure generator (xoshiro128**, seeded through
 * splitmix32). Use it for tests and simulations only.
 */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next32 = (): number => {
    // splitmix32, used to expand the seed into four state words
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  const xoshiro = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  return {
    fill(target: Uint8Array): void {
      for (let i = 0; i < target.length; i += 4) {
        const word = xoshiro();
        target[i] = word;
        if (i + 1 < target.length) target[i + 1] = word >>> 8;
        if (i + 2 < target.length) target[i + 2] = word >>> 16;
        if (i + 3 < target.length) target[i + 3] = word >>> 24;
      }
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
