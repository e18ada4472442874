/**
 * Errors of the XEP-0234 file-transfer core and of XEP-0047 In-Band Bytestreams. Parse functions
 * throw them on hostile or unusable input; each carries what to answer with, so a caller never
 * has to guess: a Jingle {@link ReasonCondition} for a description or a session-info payload, an
 * XMPP stanza condition for an IBB IQ.
 */
import { JingleIceError } from "../common/errors.js";
import type { StanzaErrorCondition, StanzaErrorType } from "./errors.js";
import type { ReasonCondition } from "./model.js";

/**
 * A `<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/>`, `<file/>`, `<checksum/>` or
 * `<received/>` that cannot be used: missing or duplicate `<file/>`, a value that is not a
 * non-negative decimal integer, a field above its cap ({@link FILE_LIMITS}), a hash that is not
 * strict base64 or has the wrong length for its algorithm, too many elements.
 *
 * `condition` is the Jingle reason to refuse an offer with (XEP-0166 §7.4): `failed-application`
 * for a malformed description, `incompatible-parameters` for a well-formed one we will not serve
 * (no size, too large). For a session-info payload, answer the IQ with `bad-request`.
 */
export class FileTransferParseError extends JingleIceError {
  override readonly name = "FileTransferParseError";
  /** The reason condition to terminate or refuse with. */
  readonly condition: ReasonCondition;

  constructor(condition: ReasonCondition, message: string) {
    super(message);
    this.condition = condition;
  }
}

/**
 * An In-Band Bytestreams (XEP-0047) element that cannot be used, with the IQ error to answer
 * with: `bad-request` (malformed, bad base64, a block above the block-size), `resource-constraint`
 * / `modify` (a block-size above our cap, §2.2), `not-acceptable` (a stanza type we do not use),
 * `item-not-found` (unknown sid, §2.2), `unexpected-request` (an out-of-sequence `seq`, §2.2).
 */
export class IbbError extends JingleIceError {
  override readonly name = "IbbError";
  /** The stanza error condition (RFC 6120 §8.3.3). */
  readonly condition: StanzaErrorCondition;
  /** The stanza error type (RFC 6120 §8.3.2). */
  readonly type: StanzaErrorType;

  constructor(condition: StanzaErrorCondition, message: string, type: StanzaErrorType = "cancel") {
    super(message);
    this.condition = condition;
    this.type = type;
  }
}
