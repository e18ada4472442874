/** Why a TURN allocation failed or was lost, by RFC 8656 / RFC 8489 error code. */
import { JingleIceError } from "../common/errors.js";

/** Names for the error codes a TURN client reports (RFC 8656 §19, RFC 8489 §14.8). */
export const TurnErrorName: Readonly<Record<number, string>> = {
  300: "TryAlternate",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  420: "UnknownAttribute",
  437: "AllocationMismatch",
  438: "StaleNonce",
  440: "AddressFamilyNotSupported",
  441: "WrongCredentials",
  442: "UnsupportedTransportProtocol",
  486: "AllocationQuotaReached",
  500: "ServerError",
  508: "InsufficientCapacity",
};

/** What the client was doing when it failed; `transport` is the TCP/TLS stream to the server. */
export type TurnPhase = "allocate" | "refresh" | "permission" | "channel-bind" | "transport";

/**
 * A TURN failure: `code` is the server's error code (0 when there is none: a timeout or a
 * transport failure), `errorName` its RFC name (e.g. `AllocationQuotaReached`; `Timeout` for
 * code 0 unless the failure names itself, e.g. `ConnectionClosed`), `phase` what the client was
 * doing, `reason` the detail (the server's reason phrase, or ours), `cause` what caused it. The
 * message reads `TURN <phase> failed: <code> <Name> (<reason>)`.
 */
export class TurnError extends JingleIceError {
  override readonly name = "TurnError";
  readonly code: number;
  readonly errorName: string;
  readonly phase: TurnPhase;
  readonly reason: string;

  constructor(
    phase: TurnPhase,
    code: number,
    reason: string,
    options: { readonly errorName?: string; readonly cause?: unknown } = {},
  ) {
    const errorName =
      options.errorName ?? (code === 0 ? "Timeout" : (TurnErrorName[code] ?? `Error${code}`));
    super(
      `TURN ${phase} failed: ${code === 0 ? "" : `${code} `}${errorName}${reason ? ` (${reason})` : ""}`,
      options,
    );
    this.code = code;
    this.errorName = errorName;
    this.phase = phase;
    this.reason = reason;
  }
}
