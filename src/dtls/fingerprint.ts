/**
 * Certificate fingerprints as XEP-0320 and SDP (RFC 8122 §5) write them: a hash of the DER
 * certificate in upper-case hex pairs joined by colons, e.g. `AB:CD:…`.
 * @module
 */
import { createHash } from "node:crypto";
import { constantTimeEqual } from "../common/bytes.js";

/** Hash functions accepted for fingerprints (RFC 8122 §5 names them so). */
export type FingerprintAlgorithm = "sha-1" | "sha-256" | "sha-384" | "sha-512";

/** A fingerprint as signalling carries it. */
export interface Fingerprint {
  readonly algorithm: FingerprintAlgorithm;
  /** `AB:CD:…` (any case accepted on input). */
  readonly value: string;
}

const HASHES: Record<FingerprintAlgorithm, string> = {
  "sha-1": "sha1",
  "sha-256": "sha256",
  "sha-384": "sha384",
  "sha-512": "sha512",
};

/** Whether `name` (any case) is an algorithm we accept. */
export function isFingerprintAlgorithm(name: string): name is FingerprintAlgorithm {
  return Object.hasOwn(HASHES, name.toLowerCase());
}

/** The fingerprint of a DER certificate. */
export function fingerprintOf(
  der: Uint8Array,
  algorithm: FingerprintAlgorithm = "sha-256",
): Fingerprint {
  const digest = createHash(HASHES[algorithm]).update(der).digest();
  return { algorithm, value: formatFingerprint(digest) };
}

/** `AB:CD:…` of raw bytes. */
export function formatFingerprint(digest: Uint8Array): string {
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/**
 * The bytes of an `AB:CD:…` value, or `undefined` when it is not colon-separated hex pairs of
 * the algorithm's length.
 */
export function parseFingerprint(fingerprint: Fingerprint): Uint8Array | undefined {
  const algorithm = fingerprint.algorithm.toLowerCase();
  if (!isFingerprintAlgorithm(algorithm)) return undefined;
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/.test(fingerprint.value)) return undefined;
  const bytes = Uint8Array.from(fingerprint.value.split(":"), (h) => parseInt(h, 16));
  const expected = { "sha-1": 20, "sha-256": 32, "sha-384": 48, "sha-512": 64 }[algorithm];
  return bytes.length === expected ? bytes : undefined;
}

/** Whether `der` has the fingerprint `expected` (false when `expected` is malformed). */
export function matchesFingerprint(der: Uint8Array, expected: Fingerprint): boolean {
  const want = parseFingerprint(expected);
  if (want === undefined) return false;
  const algorithm = expected.algorithm.toLowerCase() as FingerprintAlgorithm;
  const digest = createHash(HASHES[algorithm]).update(der).digest();
  return constantTimeEqual(digest, want, want.length) && digest.length === want.length;
}
