/** ICE credentials and tie-breakers drawn from an injected RNG (RFC 8445 §5.3, §16.1). */
import { randomBytes, type Rng } from "../common/rng.js";

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4): exactly 64 characters, so one byte's
// low six bits pick one without bias.
const ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function iceString(rng: Rng, length: number): string {
  let out = "";
  for (const byte of randomBytes(rng, length)) out += ICE_CHARS[byte & 63]!;
  return out;
}

/** A ufrag of 8 ice-chars (≥ 24 bits of randomness; RFC 8445 §5.3 asks ≥ 24). */
export function createUfrag(rng: Rng): string {
  return iceString(rng, 8);
}

/** A password of 24 ice-chars (≥ 128 bits; RFC 8445 §5.3 asks ≥ 128). */
export function createPassword(rng: Rng): string {
  return iceString(rng, 24);
}

/** A uniformly random 64-bit tie-breaker (RFC 8445 §16.1). */
export function createTieBreaker(rng: Rng): bigint {
  let value = 0n;
  for (const byte of randomBytes(rng, 8)) value = (value << 8n) | BigInt(byte);
  return value;
}

/** True when `text` is 1..256 ice-chars: what a peer's ufrag/pwd may contain. */
export function isIceString(text: string, min: number, max: number): boolean {
  return text.length >= min && text.length <= max && /^[A-Za-z0-9+/]*$/.test(text);
}
