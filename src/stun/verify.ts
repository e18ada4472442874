import { verifyIntegrityField } from "./integrity.js";
import type { DecodedStunMessage } from "./message.js";

/**
 * Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) of a decoded message with `key`
 * (see `shortTermKey` / `longTermKey`), in constant time.
 * @returns false when the attribute is missing or wrong.
 */
export function verifyMessageIntegrity(message: DecodedStunMessage, key: Uint8Array): boolean {
  return verifyIntegrityField(message.raw, message.messageIntegrity, key, "sha1");
}

/**
 * Checks MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6), including a truncated one, in constant time.
 * @returns false when the attribute is missing or wrong.
 */
export function verifyMessageIntegritySha256(
  message: DecodedStunMessage,
  key: Uint8Array,
): boolean {
  return verifyIntegrityField(message.raw, message.messageIntegritySha256, key, "sha256");
}
