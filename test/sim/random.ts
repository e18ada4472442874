/**
 * Deterministic randomness for the simulator. Every random draw comes from
 * {@link seededRng}; each part of a scenario gets its own stream, derived from the scenario's
 * seed and a label, so adding a network or an endpoint does not shift the draws of the others.
 */
import { seededRng, type Rng } from "../../src/common/rng.js";

/** The stream for `label` under `seed` (FNV-1a of the label, mixed with the seed). */
export function deriveRng(seed: number, label: string): Rng {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return seededRng((hash ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

const word = new Uint8Array(4);

/** A uniform draw in [0, 1) from 32 random bits of `rng`. */
export function uniform(rng: Rng): number {
  rng.fill(word);
  const bits = (word[0]! | (word[1]! << 8) | (word[2]! << 16) | (word[3]! << 24)) >>> 0;
  return bits / 0x1_0000_0000;
}
