/** The errors the ICE agent reports. */
import { JingleIceError } from "../common/errors.js";

/**
 * A STUN server did not give us a server-reflexive address during gathering (RFC 8445
 * §5.1.1.2): `code` is its error code, or 0 when it did not answer in time or answered without
 * a mapped address; `reason` says which.
 */
export class StunServerError extends JingleIceError {
  override readonly name = "StunServerError";
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string) {
    super(`STUN Binding failed: ${code === 0 ? "" : `${code} `}${reason}`);
    this.code = code;
    this.reason = reason;
  }
}
