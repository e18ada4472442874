/**
 * Serial number arithmetic (RFC 1982) for SCTP's 32-bit TSNs and 16-bit stream sequence
 * numbers (RFC 9260 §1.6): comparisons that keep working when the numbers wrap around.
 */

/** `a + n` modulo 2^32. */
export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed distance `b − a` between two TSNs, in (−2^31, 2^31]. */
export function tsnDiff(a: number, b: number): number {
  return (b - a) | 0;
}

/** `a < b` in serial arithmetic (RFC 1982 §3.2). */
export function tsnLt(a: number, b: number): boolean {
  return a !== b && ((b - a) | 0) > 0;
}

/** `a ≤ b` in serial arithmetic. */
export function tsnLte(a: number, b: number): boolean {
  return a === b || ((b - a) | 0) > 0;
}

/** `a > b` in serial arithmetic. */
export function tsnGt(a: number, b: number): boolean {
  return tsnLt(b, a);
}

/** The later of two TSNs. */
export function tsnMax(a: number, b: number): number {
  return tsnLt(a, b) ? b : a;
}

/** `a + n` modulo 2^16, for stream sequence numbers. */
export function ssnAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}

/** `a < b` for 16-bit stream sequence numbers (RFC 1982 with SERIAL_BITS = 16). */
export function ssnLt(a: number, b: number): boolean {
  const d = (b - a) & 0xffff;
  return d !== 0 && d < 0x8000;
}

/** `a ≤ b` for 16-bit stream sequence numbers. */
export function ssnLte(a: number, b: number): boolean {
  return a === b || ssnLt(a, b);
}
