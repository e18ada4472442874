import type { AddressFamily, TransportAddress } from "../common/address.js";

/** ERROR-CODE value (RFC 8489 §14.8): a code 300–699 and a reason phrase. */
export interface ErrorCodeValue {
  readonly code: number;
  readonly reason: string;
}

/** PASSWORD-ALGORITHM value (RFC 8489 §14.11): an algorithm number and its parameters. */
export interface PasswordAlgorithmValue {
  readonly algorithm: number;
  readonly parameters: Uint8Array;
}

/** ADDRESS-ERROR-CODE value (RFC 8656 §18.13). */
export interface AddressErrorCodeValue {
  readonly family: AddressFamily;
  readonly code: number;
  readonly reason: string;
}

/** EVEN-PORT value (RFC 8656 §18.8). */
export interface EvenPortValue {
  /** The R bit: also reserve the next-higher port. */
  readonly reserveNext: boolean;
}

/**
 * The decoded value of each attribute this codec understands, by RFC name. MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not listed: they are computed by the encoder
 * (see `EncodeOptions`) and reported by the decoder on the message itself.
 */
export interface StunAttributeValues {
  /** RFC 8489 §14.1 */
  "MAPPED-ADDRESS": TransportAddress;
  /** RFC 8489 §14.2 */
  "XOR-MAPPED-ADDRESS": TransportAddress;
  /** RFC 8489 §14.3: fewer than 509 bytes of UTF-8. */
  USERNAME: string;
  /** RFC 8489 §14.4: 32 bytes. */
  USERHASH: Uint8Array;
  /** RFC 8489 §14.8 */
  "ERROR-CODE": ErrorCodeValue;
  /** RFC 8489 §14.9: realm, fewer than 128 characters. */
  REALM: string;
  /** RFC 8489 §14.10: fewer than 128 characters. */
  NONCE: string;
  /** RFC 8489 §14.11 */
  "PASSWORD-ALGORITHMS": readonly PasswordAlgorithmValue[];
  /** RFC 8489 §14.12 */
  "PASSWORD-ALGORITHM": PasswordAlgorithmValue;
  /** RFC 8489 §14.13: the comprehension-required types a server did not understand. */
  "UNKNOWN-ATTRIBUTES": readonly number[];
  /** RFC 8489 §14.14: fewer than 128 characters. */
  SOFTWARE: string;
  /** RFC 8489 §14.15 */
  "ALTERNATE-SERVER": TransportAddress;
  /** RFC 8489 §14.16 */
  "ALTERNATE-DOMAIN": string;
  /** RFC 8445 §16.1: the candidate priority a peer-reflexive candidate would get. */
  PRIORITY: number;
  /** RFC 8445 §16.1: no value. */
  "USE-CANDIDATE": true;
  /** RFC 8445 §16.1: the sender's 64-bit tie-breaker. */
  "ICE-CONTROLLED": bigint;
  /** RFC 8445 §16.1: the sender's 64-bit tie-breaker. */
  "ICE-CONTROLLING": bigint;
  /** RFC 8656 §18.1: a TURN channel number. */
  "CHANNEL-NUMBER": number;
  /** RFC 8656 §18.2: seconds. */
  LIFETIME: number;
  /** RFC 8656 §18.3 (may repeat in one message). */
  "XOR-PEER-ADDRESS": TransportAddress;
  /** RFC 8656 §18.4 */
  DATA: Uint8Array;
  /** RFC 8656 §18.5 (may appear once per family). */
  "XOR-RELAYED-ADDRESS": TransportAddress;
  /** RFC 8656 §18.6 */
  "REQUESTED-ADDRESS-FAMILY": AddressFamily;
  /** RFC 8656 §18.8 */
  "EVEN-PORT": EvenPortValue;
  /** RFC 8656 §18.7: an IP protocol number (17 = UDP). */
  "REQUESTED-TRANSPORT": number;
  /** RFC 8656 §18.9: no value. */
  "DONT-FRAGMENT": true;
  /** RFC 8656 §18.10: 8 bytes. */
  "RESERVATION-TOKEN": Uint8Array;
  /** RFC 8656 §18.11 */
  "ADDITIONAL-ADDRESS-FAMILY": AddressFamily;
  /** RFC 8656 §18.12 */
  "ADDRESS-ERROR-CODE": AddressErrorCodeValue;
}

/** Names of the attributes with a typed value. */
export type StunAttributeName = keyof StunAttributeValues;

/** An attribute this codec understands, with its decoded value. */
export type KnownStunAttribute = {
  readonly [K in StunAttributeName]: { readonly type: K; readonly value: StunAttributeValues[K] };
}[StunAttributeName];

/** An attribute of a type this codec does not know: kept as raw bytes, never dropped. */
export interface UnknownStunAttribute {
  readonly type: "unknown";
  /** The 16-bit attribute type. */
  readonly code: number;
  readonly value: Uint8Array;
}

/** One attribute of a STUN message. */
export type StunAttribute = KnownStunAttribute | UnknownStunAttribute;

/** Builds a typed attribute: `attr("PRIORITY", 123)`. */
export function attr<K extends StunAttributeName>(
  type: K,
  value: StunAttributeValues[K],
): { readonly type: K; readonly value: StunAttributeValues[K] } {
  return { type, value };
}
