/**
 * Jingle errors: the one error {@link parseJingle} throws, the one {@link buildJingle} throws,
 * and the error payloads an IQ handler answers with (XEP-0166 §10, Error Handling).
 */
import { JingleIceError } from "../common/errors.js";
import { NS_JINGLE_ERRORS } from "./model.js";
import { el, type XmlElement } from "./xml.js";

/** The namespace of XMPP stanza error conditions (RFC 6120 §8.3.3). */
export const NS_XMPP_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/**
 * The Jingle-specific error conditions, each with the XMPP stanza condition it goes with
 * (XEP-0166 §10; `security-required` from §9, Security Preconditions).
 */
export const JINGLE_ERROR_CONDITIONS = {
  "out-of-order": "unexpected-request",
  "tie-break": "conflict",
  "unknown-session": "item-not-found",
  "unsupported-info": "feature-not-implemented",
  "security-required": "not-acceptable",
} as const;

/** A Jingle-specific error condition, sent in namespace `urn:xmpp:jingle:errors:1`. */
export type JingleErrorCondition = keyof typeof JINGLE_ERROR_CONDITIONS;

/** The XMPP stanza error conditions a Jingle handler answers with (RFC 6120 §8.3.3). */
export type StanzaErrorCondition =
  | "bad-request"
  | "conflict"
  | "feature-not-implemented"
  | "item-not-found"
  | "not-acceptable"
  | "resource-constraint"
  | "service-unavailable"
  | "unexpected-request";

/** The `type` of a stanza `<error/>` (RFC 6120 §8.3.2). */
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/**
 * A `<jingle/>` element that cannot be used at all; answer the IQ with an error of `condition`
 * (plus `jingleCondition`, if any). {@link parseJingle} throws it with `bad-request` only: no or
 * empty `sid`, no or unknown `action` (XEP-0166 §7.2), a `<content/>` without a `name`, an action
 * that needs contents but has none, an element that is not `<jingle xmlns='urn:xmpp:jingle:1'/>`,
 * or SCTP numbers out of range in XEP-0343's `<sctpmap/>` or Conversations' data-channel transport.
 * Odd candidates, unknown attributes and unknown children never cause it (docs/plugin.md). The
 * `feature-not-implemented` / `unsupported-info` pair is for the session layer, which alone knows
 * whether it understands a session-info payload (XEP-0166 §6.8).
 */
export class JingleParseError extends JingleIceError {
  override readonly name = "JingleParseError";
  /** The XMPP stanza error condition to answer with. */
  readonly condition: "bad-request" | "feature-not-implemented";
  /** The Jingle-specific condition to add, if any. */
  readonly jingleCondition?: JingleErrorCondition;

  constructor(
    condition: "bad-request" | "feature-not-implemented",
    message: string,
    jingleCondition?: JingleErrorCondition,
  ) {
    super(message);
    this.condition = condition;
    if (jingleCondition !== undefined) this.jingleCondition = jingleCondition;
  }
}

/**
 * A model that must not be sent: a transport with candidates but no `ufrag`/`pwd` (XEP-0176
 * §5.3), or a candidate that the receiving side would skip. A caller mistake, never input.
 */
export class JingleBuildError extends JingleIceError {
  override readonly name = "JingleBuildError";
}

/**
 * The Jingle-specific condition element, e.g. `<unknown-session xmlns='urn:xmpp:jingle:errors:1'/>`,
 * to put in an IQ `<error/>` next to the stanza condition ({@link JINGLE_ERROR_CONDITIONS}).
 */
export function buildJingleError(condition: JingleErrorCondition): XmlElement {
  return el(condition, { xmlns: NS_JINGLE_ERRORS });
}

/**
 * A whole stanza `<error type='…'>` with the stanza `condition` and, optionally, a Jingle
 * condition, e.g. `cancel` / `item-not-found` / `unknown-session` (XEP-0166 §6.7).
 */
export function buildStanzaError(
  type: StanzaErrorType,
  condition: StanzaErrorCondition,
  jingleCondition?: JingleErrorCondition,
): XmlElement {
  const content = [el(condition, { xmlns: NS_XMPP_STANZAS })];
  if (jingleCondition !== undefined) content.push(buildJingleError(jingleCondition));
  return el("error", { type }, content);
}
