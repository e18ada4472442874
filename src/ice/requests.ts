/**
 * How an agent answers a connectivity check it receives (RFC 8445 §7.3): credentials, the role
 * conflict rules of §7.3.1.1, and the response to send. Pure: the agent applies the decision.
 */
import type { TransportAddress } from "../common/address.js";
import { getAttribute, hasAttribute, type DecodedStunMessage } from "../stun/message.js";
import { verifyMessageIntegrity } from "../stun/verify.js";
import { encodeCheckError, encodeCheckSuccess } from "./messages.js";
import type { IceRole } from "./types.js";

/** What the answer depends on. */
export interface CheckContext {
  readonly ufrag: string;
  /** Our password's key: requests are signed with it, responses too. */
  readonly localKey: Uint8Array;
  readonly role: IceRole;
  readonly tieBreaker: bigint;
}

/** The decision about one incoming check. Every kind carries the reply to send. */
export type CheckDecision =
  /** 420, 400 or 401: the request is not a usable check (`drop` names why, if it counts). */
  | { readonly kind: "rejected"; readonly reply: Uint8Array; readonly drop: string | undefined }
  /** 487: we keep our role and the peer must change (RFC 8445 §7.3.1.1). */
  | { readonly kind: "role-conflict"; readonly reply: Uint8Array }
  /** A success: learn from the check (and switch role first, when `switchRole` says so). */
  | {
      readonly kind: "accepted";
      readonly reply: Uint8Array;
      readonly switchRole: IceRole | undefined;
      readonly conflict: boolean;
      readonly priority: number;
      /** USE-CANDIDATE, honoured only when we are (or become) controlled. */
      readonly useCandidate: boolean;
    };

/** Decides how to answer `message`, a Binding request that came from `source`. */
export function answerCheck(
  message: DecodedStunMessage,
  source: TransportAddress,
  context: CheckContext,
): CheckDecision {
  const id = message.transactionId;
  if (message.unknownComprehensionRequired.length > 0) {
    const reply = encodeCheckError(
      id,
      420,
      "Unknown Attribute",
      undefined,
      message.unknownComprehensionRequired,
    );
    return { kind: "rejected", reply, drop: undefined };
  }
  const username = getAttribute(message, "USERNAME");
  const priority = getAttribute(message, "PRIORITY");
  if (username === undefined || message.messageIntegrity === undefined || priority === undefined) {
    return {
      kind: "rejected",
      reply: encodeCheckError(id, 400, "Bad Request"),
      drop: "bad-request",
    };
  }
  // RFC 8445 §7.3: USERNAME is "ours:theirs" and the request is signed with our password.
  if (
    !username.startsWith(`${context.ufrag}:`) ||
    !verifyMessageIntegrity(message, context.localKey)
  ) {
    return {
      kind: "rejected",
      reply: encodeCheckError(id, 401, "Unauthenticated"),
      drop: "bad-credentials",
    };
  }
  // RFC 8445 §7.3.1.1: both claim the same role; the larger tie-breaker controls.
  let switchRole: IceRole | undefined;
  let conflict = false;
  const theirControlling = getAttribute(message, "ICE-CONTROLLING");
  const theirControlled = getAttribute(message, "ICE-CONTROLLED");
  if (context.role === "controlling" && theirControlling !== undefined) {
    conflict = true;
    if (context.tieBreaker >= theirControlling) {
      return {
        kind: "role-conflict",
        reply: encodeCheckError(id, 487, "Role Conflict", context.localKey),
      };
    }
    switchRole = "controlled";
  } else if (context.role === "controlled" && theirControlled !== undefined) {
    conflict = true;
    if (context.tieBreaker < theirControlled) {
      return {
        kind: "role-conflict",
        reply: encodeCheckError(id, 487, "Role Conflict", context.localKey),
      };
    }
    switchRole = "controlling";
  }
  const role = switchRole ?? context.role;
  return {
    kind: "accepted",
    reply: encodeCheckSuccess(id, source, context.localKey),
    switchRole,
    conflict,
    priority,
    useCandidate: hasAttribute(message, "USE-CANDIDATE") && role === "controlled",
  };
}

/**
 * After an ICE restart, the old selected pair carries data until a new one is selected, and the
 * peer keeps checking its consent with the old generation's credentials (RFC 8445 §9, RFC 7675
 * §5.1). The success to send when `message` is such a check — USERNAME `oldUfrag:…`, signed with
 * our old password — or undefined. The caller makes sure it came over that old pair.
 */
export function answerPreviousGeneration(
  message: DecodedStunMessage,
  source: TransportAddress,
  previous: { readonly ufrag: string; readonly localKey: Uint8Array },
): Uint8Array | undefined {
  const username = getAttribute(message, "USERNAME");
  if (username === undefined || !username.startsWith(`${previous.ufrag}:`)) return undefined;
  if (message.unknownComprehensionRequired.length > 0) return undefined;
  if (!verifyMessageIntegrity(message, previous.localKey)) return undefined;
  return encodeCheckSuccess(message.transactionId, source, previous.localKey);
}
