import { createHmac } from "node:crypto";
import { crc32 } from "node:zlib";
import { constantTimeEqual, copyBytes, writeU16 } from "../common/bytes.js";
import { FINGERPRINT_XOR, HEADER_LENGTH } from "./constants.js";
import { hmacSha1For } from "./hmac-sha1.js";

/** Where a MESSAGE-INTEGRITY(-SHA256) attribute sits in a decoded message. */
export interface IntegrityField {
  /** Byte offset of the attribute header in the message. */
  readonly offset: number;
  /** The HMAC as received (20 bytes for SHA-1; 16–32 bytes for SHA-256). */
  readonly value: Uint8Array;
}

/** Lengths on the wire of the three trailing attributes, headers included. */
export const MESSAGE_INTEGRITY_SIZE = 24;
export const MESSAGE_INTEGRITY_SHA256_SIZE = 36;
export const FINGERPRINT_SIZE = 8;

/**
 * The HMAC over `bytes[0, end)` where the header length already covers the attribute being
 * computed (RFC 8489 §14.5, §14.6). Used by the encoder, which sets the length first.
 */
export function hmacOver(
  algorithm: "sha1" | "sha256",
  key: Uint8Array,
  bytes: Uint8Array,
  end: number,
): Uint8Array {
  if (algorithm === "sha1") return hmacSha1For(key).digest(bytes, 0, end);
  return createHmac(algorithm, key).update(bytes.subarray(0, end)).digest();
}

/**
 * The CRC for FINGERPRINT over `bytes[0, end)` whose header length already covers the
 * FINGERPRINT attribute (RFC 8489 §14.7).
 */
export function fingerprintOver(bytes: Uint8Array, end: number): number {
  return (crc32(bytes.subarray(0, end)) ^ FINGERPRINT_XOR) >>> 0;
}

// The expected SHA-1 HMAC of a received message: compared at once, never handed out.
const sha1Scratch = new Uint8Array(20);

/**
 * The HMAC of a received message up to the attribute at `offset`, computed as the sender did:
 * with the header length rewritten to end just after that attribute (RFC 8489 §14.5). The input
 * is never written to.
 */
function receivedHmac(
  algorithm: "sha1" | "sha256",
  key: Uint8Array,
  raw: Uint8Array,
  offset: number,
  attributeSize: number,
): Uint8Array {
  if (algorithm === "sha256") {
    const header = copyBytes(raw, 0, HEADER_LENGTH);
    writeU16(header, 2, offset + attributeSize - HEADER_LENGTH);
    return createHmac(algorithm, key)
      .update(header)
      .update(raw.subarray(HEADER_LENGTH, offset))
      .digest();
  }
  hmacSha1For(key).digestInto(
    raw,
    0,
    offset,
    sha1Scratch,
    0,
    offset + attributeSize - HEADER_LENGTH,
  );
  return sha1Scratch;
}

/** The received FINGERPRINT's expected value, with the header length as the sender set it. */
export function receivedFingerprint(raw: Uint8Array, offset: number): number {
  if (offset + FINGERPRINT_SIZE === raw.length) return fingerprintOver(raw, offset);
  const header = copyBytes(raw, 0, HEADER_LENGTH);
  writeU16(header, 2, offset + FINGERPRINT_SIZE - HEADER_LENGTH);
  return (crc32(raw.subarray(HEADER_LENGTH, offset), crc32(header)) ^ FINGERPRINT_XOR) >>> 0;
}

/**
 * Checks a received MESSAGE-INTEGRITY (HMAC-SHA1) in constant time (RFC 8489 §14.5).
 * @returns false when the attribute is absent or does not match.
 */
export function verifyIntegrityField(
  raw: Uint8Array,
  field: IntegrityField | undefined,
  key: Uint8Array,
  algorithm: "sha1" | "sha256",
): boolean {
  if (field === undefined) return false;
  const size = algorithm === "sha1" ? MESSAGE_INTEGRITY_SIZE : 4 + field.value.length;
  const expected = receivedHmac(algorithm, key, raw, field.offset, size);
  // RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 may be truncated to 16..32 bytes, so compare the
  // received length only (the decoder guarantees it is at most the digest's).
  return constantTimeEqual(expected, field.value, field.value.length);
}
