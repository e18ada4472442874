/** Why a TURN allocation failed or was lost, by RFC 8656 / RFC 8489 error code. */

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

/**
 * A TURN failure: `code` is the server's error code (0 for a timeout or a transport failure),
 * `name` its RFC name (e.g. `AllocationQuotaReached`), `phase` what the client was doing.
 */
export class TurnError extends Error {
  override readonly name = "TurnError";
  readonly code: number;
  readonly errorName: string;
  readonly phase: "allocate" | "refresh" | "permission" | "channel-bind" | "transport";

  constructor(phase: TurnError["phase"], code: number, reason: string) {
    const errorName = code === 0 ? "Timeout" : (TurnErrorName[code] ?? `Error${code}`);
    super(
      `TURN ${phase} failed: ${code === 0 ? "" : `${code} `}${errorName}${reason ? ` (${reason})` : ""}`,
    );
    this.code = code;
    this.errorName = errorName;
    this.phase = phase;
  }
}
