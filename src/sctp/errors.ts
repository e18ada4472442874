/** The errors of the SCTP and DCEP layer. */
import { JingleIceError } from "../common/errors.js";

/**
 * Thrown by the chunk, packet and DCEP decoders for bytes that do not follow RFC 9260, RFC 3758,
 * RFC 6525 or RFC 8832. The association catches it, counts the packet in `stats()` and drops it:
 * it never leaves the core.
 */
export class SctpDecodeError extends JingleIceError {
  override name = "SctpDecodeError";
}

/**
 * A programming error or a refused command: sending on a closed channel, a message over
 * `maxMessageSize`, a full send queue, an association used after it closed. `code` names it.
 */
export class SctpError extends JingleIceError {
  override name = "SctpError";

  constructor(
    readonly code: SctpErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What an {@link SctpError} is about. */
export type SctpErrorCode =
  | "closed"
  | "not-open"
  | "message-too-large"
  | "send-queue-full"
  | "invalid-stream"
  | "stream-in-use"
  | "invalid-argument";
