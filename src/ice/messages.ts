/** The STUN messages ICE sends: connectivity checks and their responses (RFC 8445 §7.2–7.3). */
import type { TransportAddress } from "../common/address.js";
import { attr, type StunAttribute } from "../stun/attribute-types.js";
import { StunMethod } from "../stun/constants.js";
import { encodeStunMessage } from "../stun/message.js";
import type { IceRole } from "./types.js";

/** What goes into a connectivity check (RFC 8445 §7.2.2). */
export interface CheckRequest {
  readonly transactionId: Uint8Array;
  /** `remoteUfrag:localUfrag` (RFC 8445 §7.2.2). */
  readonly username: string;
  /** The priority a peer-reflexive candidate of ours would get (RFC 8445 §7.1.1). */
  readonly priority: number;
  readonly role: IceRole;
  readonly tieBreaker: bigint;
  readonly useCandidate: boolean;
  /** The remote password's key (short-term credentials, RFC 8445 §7.2.2). */
  readonly key: Uint8Array;
}

/** Encodes a connectivity check with MESSAGE-INTEGRITY and FINGERPRINT. */
export function encodeCheckRequest(check: CheckRequest): Uint8Array {
  const attributes: StunAttribute[] = [
    attr("USERNAME", check.username),
    attr("PRIORITY", check.priority),
    check.role === "controlling"
      ? attr("ICE-CONTROLLING", check.tieBreaker)
      : attr("ICE-CONTROLLED", check.tieBreaker),
  ];
  if (check.useCandidate) attributes.push(attr("USE-CANDIDATE", true));
  return encodeStunMessage(
    {
      class: "request",
      method: StunMethod.Binding,
      transactionId: check.transactionId,
      attributes,
    },
    { messageIntegrity: check.key, fingerprint: true },
  );
}

/** A success response carrying where the request came from (RFC 8445 §7.3.1.2). */
export function encodeCheckSuccess(
  transactionId: Uint8Array,
  source: TransportAddress,
  key: Uint8Array,
): Uint8Array {
  return encodeStunMessage(
    {
      class: "success",
      method: StunMethod.Binding,
      transactionId,
      attributes: [attr("XOR-MAPPED-ADDRESS", source)],
    },
    { messageIntegrity: key, fingerprint: true },
  );
}

/**
 * An error response. With `key` it carries MESSAGE-INTEGRITY (487 Role Conflict, RFC 8445
 * §7.3.1.1); without, it answers requests whose credentials failed (400/401, RFC 8489 §9.1.3).
 */
export function encodeCheckError(
  transactionId: Uint8Array,
  code: number,
  reason: string,
  key?: Uint8Array,
  unknownAttributes?: readonly number[],
): Uint8Array {
  const attributes: StunAttribute[] = [attr("ERROR-CODE", { code, reason })];
  if (unknownAttributes !== undefined)
    attributes.push(attr("UNKNOWN-ATTRIBUTES", unknownAttributes));
  return encodeStunMessage(
    { class: "error", method: StunMethod.Binding, transactionId, attributes },
    key === undefined ? { fingerprint: true } : { messageIntegrity: key, fingerprint: true },
  );
}

/** A plain Binding request to a STUN server, for a server-reflexive candidate (RFC 8445 §5.1.1.2). */
export function encodeServerBinding(transactionId: Uint8Array): Uint8Array {
  return encodeStunMessage(
    { class: "request", method: StunMethod.Binding, transactionId, attributes: [] },
    { fingerprint: true },
  );
}
