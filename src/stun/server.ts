/**
 * STUN servers as structured data (for server-reflexive candidates, RFC 8445 §5.1.1.2), from the
 * application or XEP-0215 discovery to the driver that resolves them.
 */
import { parseHostPort } from "../common/address.js";
import { JingleIceError } from "../common/errors.js";

/** A STUN server as configured. */
export interface StunServerConfig {
  /** DNS name or IP literal (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

/** A STUN server given as text that is not `host:port`. */
export class StunServerSyntaxError extends JingleIceError {
  override readonly name = "StunServerSyntaxError";
}

/**
 * Parses `host:port` or `[IPv6]:port`.
 * @throws {StunServerSyntaxError} when there is no port, or it is not 1–65535.
 */
export function parseStunServer(text: string): StunServerConfig {
  const parsed = parseHostPort(text);
  if (parsed === undefined)
    throw new StunServerSyntaxError(`a STUN server is host:port, got ${text}`);
  return parsed;
}
