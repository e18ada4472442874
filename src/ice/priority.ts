/**
 * Candidate and pair priorities (RFC 8445 §5.1.2, §6.1.2.3) and the dual-stack local
 * preferences of RFC 8421.
 */
import type { AddressFamily } from "../common/address.js";
import type { CandidateType } from "./types.js";

/** RFC 8445 §5.1.2.2 recommended type preferences. */
export const TYPE_PREFERENCE: Readonly<Record<CandidateType, number>> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

/**
 * RFC 8445 §5.1.2.1: priority = 2^24·type + 2^8·local + (256 − component).
 * @throws {RangeError} for a local preference outside 0..65535 or a component outside 1..256.
 */
export function candidatePriority(
  type: CandidateType,
  localPreference: number,
  component: number,
): number {
  if (!Number.isInteger(localPreference) || localPreference < 0 || localPreference > 0xffff) {
    throw new RangeError(`local preference ${localPreference} is not in 0..65535`);
  }
  if (!Number.isInteger(component) || component < 1 || component > 256) {
    throw new RangeError(`component ${component} is not in 1..256`);
  }
  return TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

/**
 * Local preference for an address (RFC 8421 §4): IPv6 above IPv4 so dual-stack hosts try IPv6
 * first, with `index` (the order the addresses were given in) breaking ties so every
 * candidate of one component gets a distinct priority.
 */
export function localPreference(family: AddressFamily, index: number): number {
  const base = family === "IPv6" ? 60_000 : 50_000;
  return Math.max(0, base - Math.min(index, 9_999));
}

/**
 * RFC 8445 §6.1.2.3: pair priority = 2^32·min(G, D) + 2·max(G, D) + (G > D ? 1 : 0), where G is
 * the controlling agent's candidate priority and D the controlled agent's. It needs 64 bits, so
 * it is a bigint (2^32·x overflows 53-bit doubles for the largest priorities' sums).
 */
export function pairPriority(controlling: number, controlled: number): bigint {
  const g = BigInt(controlling);
  const d = BigInt(controlled);
  const [min, max] = g < d ? [g, d] : [d, g];
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}
