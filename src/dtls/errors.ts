/**
 * The errors of the DTLS layer.
 * @module
 */
import { JingleIceError } from "../common/errors.js";
import { alertName } from "./constants.js";

/** Why a DTLS association failed, as the application needs to tell the cases apart. */
export type DtlsErrorCode =
  /** The peer's certificate does not have the fingerprint the caller expects. */
  | "fingerprint-mismatch"
  /** We refused the handshake (a bad signature or Finished, an unexpected message…). */
  | "handshake-failed"
  /** The peer sent a fatal alert. */
  | "alert-received"
  /** No handshake within `handshakeTimeoutMs`. */
  | "timeout";

/**
 * A DTLS association failed. `code` names the case, `alert` the alert description sent (or
 * received, for `alert-received`), e.g. `bad_certificate`, `decrypt_error`.
 */
export class DtlsError extends JingleIceError {
  override name = "DtlsError";

  constructor(
    readonly code: DtlsErrorCode,
    readonly alert: number | undefined,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(alert === undefined ? message : `${message} (alert ${alertName(alert)})`, options);
  }

  /** The alert's name, e.g. `decrypt_error`, or `undefined`. */
  get alertName(): string | undefined {
    return this.alert === undefined ? undefined : alertName(this.alert);
  }
}

/**
 * Bytes that do not decode as the structure they should be (a truncated record, a length past
 * the end…). The only error the decoders throw; the endpoint catches it.
 */
export class DtlsDecodeError extends JingleIceError {
  override name = "DtlsDecodeError";

  constructor(
    /** What was being decoded, e.g. `client-hello/extensions`. */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}
