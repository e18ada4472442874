/**
 * STUN wire constants (RFC 8489 §5, §18; TURN codes from RFC 8656 §17–18; ICE codes from
 * RFC 8445 §16.1).
 */

/** RFC 8489 §5: the fixed magic cookie in every STUN header. */
export const MAGIC_COOKIE = 0x2112a442;

/** RFC 8489 §5: the STUN header is 20 bytes. */
export const HEADER_LENGTH = 20;

/** RFC 8489 §14: every attribute starts with a 4-byte type/length header. */
export const ATTRIBUTE_HEADER_LENGTH = 4;

/** RFC 8489 §14.7: FINGERPRINT is the CRC-32 of the message XOR this value. */
export const FINGERPRINT_XOR = 0x5354554e;

/** The largest `length` a STUN header can state (16 bits, a multiple of 4). */
export const MAX_BODY_LENGTH = 0xfffc;

/** STUN method numbers (RFC 8489 §18.2; TURN methods RFC 8656 §17). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

/** The four STUN message classes (RFC 8489 §5). */
export type StunClass = "request" | "indication" | "success" | "error";

/**
 * Attribute type codes by their RFC names. Codes below 0x8000 are comprehension-required
 * (RFC 8489 §14): a receiver that does not know one must reject a request with 420.
 */
export const AttributeCode = {
  "MAPPED-ADDRESS": 0x0001,
  USERNAME: 0x0006,
  "MESSAGE-INTEGRITY": 0x0008,
  "ERROR-CODE": 0x0009,
  "UNKNOWN-ATTRIBUTES": 0x000a,
  "CHANNEL-NUMBER": 0x000c,
  LIFETIME: 0x000d,
  "XOR-PEER-ADDRESS": 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  "XOR-RELAYED-ADDRESS": 0x0016,
  "REQUESTED-ADDRESS-FAMILY": 0x0017,
  "EVEN-PORT": 0x0018,
  "REQUESTED-TRANSPORT": 0x0019,
  "DONT-FRAGMENT": 0x001a,
  "MESSAGE-INTEGRITY-SHA256": 0x001c,
  "PASSWORD-ALGORITHM": 0x001d,
  USERHASH: 0x001e,
  "XOR-MAPPED-ADDRESS": 0x0020,
  "RESERVATION-TOKEN": 0x0022,
  PRIORITY: 0x0024,
  "USE-CANDIDATE": 0x0025,
  "ADDITIONAL-ADDRESS-FAMILY": 0x8000,
  "ADDRESS-ERROR-CODE": 0x8001,
  "PASSWORD-ALGORITHMS": 0x8002,
  "ALTERNATE-DOMAIN": 0x8003,
  SOFTWARE: 0x8022,
  "ALTERNATE-SERVER": 0x8023,
  FINGERPRINT: 0x8028,
  "ICE-CONTROLLED": 0x8029,
  "ICE-CONTROLLING": 0x802a,
} as const;

/** True for codes 0x0000–0x7FFF, which a receiver must understand (RFC 8489 §14). */
export function isComprehensionRequired(code: number): boolean {
  return code < 0x8000;
}

/** PASSWORD-ALGORITHM numbers (RFC 8489 §18.5). */
export const PasswordAlgorithmCode = {
  MD5: 0x0001,
  "SHA-256": 0x0002,
} as const;

/** Protocol numbers for REQUESTED-TRANSPORT (RFC 8656 §18.7). */
export const TransportProtocol = { UDP: 17, TCP: 6 } as const;

/** Common error codes (RFC 8489 §14.8, RFC 8656 §19, RFC 8445 §7.3.1.1). */
export const StunErrorCode = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  MobilityForbidden: 405,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  PeerAddressFamilyMismatch: 443,
  AllocationQuotaReached: 486,
  RoleConflict: 487,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;
