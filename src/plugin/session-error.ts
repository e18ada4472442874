/** The plugin's errors: a session that ended or failed, and failures reported after the fact. */
import { JingleIceError } from "../common/errors.js";
import type { ReasonCondition } from "../jingle/model.js";

/** A session that ended before a channel opened, or a signalling failure. */
export class JingleSessionError extends JingleIceError {
  override readonly name = "JingleSessionError";
  constructor(
    message: string,
    /** The Jingle reason (XEP-0166 §7.4): the peer's, or ours. */
    readonly reason: ReasonCondition,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `error` as a JingleSessionError (`general-error`), with `context` before its message. */
export function reportable(error: unknown, context: string): JingleSessionError {
  const message = error instanceof Error ? error.message : String(error);
  return new JingleSessionError(`${context}: ${message}`, "general-error", { cause: error });
}
