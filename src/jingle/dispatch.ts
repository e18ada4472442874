/**
 * What to do with an incoming Jingle action (XEP-0166 §6–7, docs/plugin.md): the reply to send
 * at once (an ack or a stanza error) and the work to do after the reply. Pure: it reads the
 * session table and returns a decision; the plugin carries it out. Sessions are keyed by
 * (peer full JID, sid).
 */
import type { JingleErrorCondition, StanzaErrorCondition, StanzaErrorType } from "./errors.js";
import type { Jingle } from "./model.js";

/** Where a session stands (XEP-0166 §6). */
export type SessionState = "pending" | "active" | "ended";

/** What the decision needs to know of a session. */
export interface SessionView {
  readonly peer: string;
  readonly sid: string;
  /** We sent its session-initiate. */
  readonly initiator: boolean;
  readonly state: SessionState;
}

/** A stanza error to answer with. */
export interface ErrorReply {
  readonly type: StanzaErrorType;
  readonly condition: StanzaErrorCondition;
  readonly jingleCondition?: JingleErrorCondition;
}

/**
 * How many sessions one instance keeps (everything from the network is hostile: a stranger must
 * not be able to make us hold sockets without bound).
 */
export interface SessionLimits {
  /** Sessions (pending or active) in total; a session-initiate beyond it is acked and ended with `busy`. @default 256 */
  readonly maxSessions: number;
  /** Pending sessions in total; beyond it a session-initiate gets `resource-constraint`. @default 64 */
  readonly maxPendingSessions: number;
  /** Sessions with one bare JID; beyond it a session-initiate gets `resource-constraint`. @default 8 */
  readonly maxSessionsPerPeer: number;
}

/** The defaults of {@link SessionLimits}. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxSessions: 256,
  maxPendingSessions: 64,
  maxSessionsPerPeer: 8,
};

/** The bare JID (`local@domain`) of a normalized JID. */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash < 0 ? jid : jid.slice(0, slash);
}

/** The decision about one incoming `<jingle/>`. */
export type Dispatch<S extends SessionView> =
  | { readonly kind: "error"; readonly error: ErrorReply }
  /** Ack; a new incoming session, and maybe one of ours that lost a tie-break. */
  | { readonly kind: "new-session"; readonly abandon: S | undefined }
  /** Ack; then end the new session at once with reason `busy` (too many sessions). */
  | { readonly kind: "busy" }
  /** Ack; then apply the action to the session. */
  | { readonly kind: "handle"; readonly session: S }
  /** Ack; then refuse it politely (content-reject / transport-reject). */
  | { readonly kind: "refuse"; readonly session: S }
  /** Ack and nothing else (a ping, or a change that does not concern us). */
  | { readonly kind: "ack" };

const error = (
  type: StanzaErrorType,
  condition: StanzaErrorCondition,
  jingleCondition?: JingleErrorCondition,
) =>
  ({
    kind: "error",
    error:
      jingleCondition === undefined ? { type, condition } : { type, condition, jingleCondition },
  }) as const;

/**
 * Decides what `jingle`, received from `from`, means given our `sessions`. JIDs must be
 * normalized by the caller (the plugin uses `@xmpp/jid`), so that plain comparison is equality.
 */
export function dispatch<S extends SessionView>(
  sessions: Iterable<S>,
  from: string,
  jingle: Jingle,
  limits: SessionLimits = DEFAULT_SESSION_LIMITS,
): Dispatch<S> {
  let session: S | undefined;
  let oursToPeer: S | undefined;
  let total = 0;
  let pending = 0;
  let fromPeer = 0;
  const bare = bareJid(from);
  for (const s of sessions) {
    total++;
    if (s.state === "pending") pending++;
    if (bareJid(s.peer) === bare) fromPeer++;
    if (s.peer !== from) continue;
    if (s.sid === jingle.sid) session = s;
    if (s.initiator && s.state === "pending") oursToPeer = s;
  }
  if (jingle.action === "session-initiate") {
    if (session !== undefined) return error("cancel", "unexpected-request", "out-of-order");
    // Glare: we are initiating to this peer too; the lower sid wins, the other is refused with
    // <tie-break/> (XEP-0166 §10; the rule is ours, see docs/plugin.md).
    if (oursToPeer !== undefined && oursToPeer.sid < jingle.sid)
      return error("cancel", "conflict", "tie-break");
    // A stranger may not make us hold sessions without bound (docs/security.md): RFC 6120
    // §8.3.3.18 resource-constraint, to be retried later.
    if (fromPeer >= limits.maxSessionsPerPeer || pending >= limits.maxPendingSessions)
      return error("wait", "resource-constraint");
    if (total >= limits.maxSessions) return { kind: "busy" };
    return { kind: "new-session", abandon: oursToPeer };
  }
  // XEP-0166 §6.6: a sid we do not know from this JID (even if another JID uses it).
  if (session === undefined) return error("cancel", "item-not-found", "unknown-session");
  switch (jingle.action) {
    case "session-accept":
      // XEP-0166 §6.8: only the initiator takes a session-accept, once.
      if (!session.initiator || session.state !== "pending")
        return error("cancel", "unexpected-request", "out-of-order");
      return { kind: "handle", session };
    case "session-info":
      // An empty session-info is a ping; we understand no payload (XEP-0166 §6.8).
      return jingle.info !== undefined && jingle.info.length > 0
        ? error("cancel", "feature-not-implemented", "unsupported-info")
        : { kind: "ack" };
    // XEP-0166 §6.9-6.11: for transport-replace/-accept/-reject the session decides (a file
    // transfer may move to In-Band Bytestreams, XEP-0261; any other session rejects a
    // transport-replace and ignores the answers).
    case "session-terminate":
    case "transport-info":
    case "transport-replace":
    case "transport-accept":
    case "transport-reject":
      return { kind: "handle", session };
    case "description-info":
    case "security-info":
      return error("cancel", "feature-not-implemented", "unsupported-info");
    case "content-add":
      // One content per session: refused politely (XEP-0166 §6.2).
      return { kind: "refuse", session };
    default:
      // content-accept/reject/remove/modify: nothing of ours changes.
      return { kind: "ack" };
  }
}
