import { readU16, readU32 } from "../common/bytes.js";
import { AttributeCode, HEADER_LENGTH, MAGIC_COOKIE } from "./constants.js";
import { fingerprintOver } from "./integrity.js";

/** What a datagram on a multiplexed port is, by its first byte (RFC 7983 §7, RFC 9443 §3). */
export type DatagramKind = "stun" | "zrtp" | "dtls" | "turn-channel" | "rtp" | "quic" | "unknown";

/** Classifies a datagram by its first byte only (RFC 7983 §7, updated by RFC 9443 §3). */
export function classifyDatagram(bytes: Uint8Array): DatagramKind {
  const first = bytes[0];
  if (first === undefined) return "unknown";
  if (first <= 3) return "stun";
  if (first >= 16 && first <= 19) return "zrtp";
  if (first >= 20 && first <= 63) return "dtls";
  if (first >= 64 && first <= 79) return "turn-channel";
  if (first >= 128 && first <= 191) return "rtp";
  if (first >= 80 && first <= 127) return "quic";
  if (first >= 192) return "quic";
  return "unknown";
}

/**
 * True when `bytes` looks like one whole STUN message: first byte 0–3 (RFC 7983), the magic
 * cookie, a length that is a multiple of 4 and matches the datagram, attribute lengths that
 * tile the body exactly, and — when the last attribute is a FINGERPRINT — a matching CRC
 * (RFC 8489 §7.3). It does not decode attribute values: a datagram can pass this and still fail
 * `decodeStunMessage`. Methods 0x100 and above make a first byte over 3, outside RFC 7983's
 * range for STUN; no registered method is that large.
 */
export function isStunMessage(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_LENGTH || bytes[0]! > 3) return false;
  const length = readU16(bytes, 2);
  if (length % 4 !== 0 || length + HEADER_LENGTH !== bytes.length) return false;
  if (readU32(bytes, 4) !== MAGIC_COOKIE) return false;
  let last = -1;
  for (let offset = HEADER_LENGTH; offset < bytes.length;) {
    const valueLength = readU16(bytes, offset + 2);
    last = offset;
    offset += 4 + valueLength + ((4 - (valueLength % 4)) % 4);
    if (offset > bytes.length) return false;
  }
  if (last >= 0 && readU16(bytes, last) === AttributeCode.FINGERPRINT) {
    return (
      readU16(bytes, last + 2) === 4 && readU32(bytes, last + 4) === fingerprintOver(bytes, last)
    );
  }
  return true;
}
