/**
 * The errors the STUN layer throws. Decoding untrusted bytes throws only
 * {@link StunDecodeError}; every other error from this layer is a caller mistake. All of them
 * extend {@link JingleIceError}.
 */
import { JingleIceError } from "../common/errors.js";

/**
 * Bytes that are not a well-formed STUN (or ChannelData) message. `where` names the part that
 * failed, e.g. `header/magic-cookie` or `attribute/xor-mapped-address`; `offset` is the byte
 * offset in the input where that part starts.
 */
export class StunDecodeError extends JingleIceError {
  override readonly name = "StunDecodeError";
  /** Which part failed: `header/…`, `attribute/<name>`, `attributes`, `channel-data/…`. */
  readonly where: string;
  /** Byte offset in the input of the part that failed (for an attribute: its header). */
  readonly offset: number;
  /** What was wrong, without the location. */
  readonly reason: string;

  constructor(where: string, offset: number, reason: string) {
    super(`STUN decode failed at ${where} (offset ${offset}): ${reason}`);
    this.where = where;
    this.offset = offset;
    this.reason = reason;
  }
}

/** A message or value that cannot be encoded (out of range, too long, wrong size). */
export class StunEncodeError extends JingleIceError {
  override readonly name = "StunEncodeError";
  /** The attribute or field at fault, e.g. `attribute/username`. */
  readonly where: string;

  constructor(where: string, reason: string) {
    super(`STUN encode failed at ${where}: ${reason}`);
    this.where = where;
  }
}

/** A password or username that the chosen string preparation profile rejects. */
export class StunCredentialError extends JingleIceError {
  override readonly name = "StunCredentialError";
}
