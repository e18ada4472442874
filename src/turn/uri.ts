/** TURN URIs (RFC 7065): `turn:host[:port][?transport=udp|tcp]` and `turns:host[:port][?transport=tcp]`. */
import { JingleIceError } from "../common/errors.js";
import { defaultTurnPort, type TurnServerConfig, type TurnTransport } from "./server.js";

/** A parsed TURN URI. */
export interface TurnUri {
  /** `turns:` (TLS over TCP). */
  readonly secure: boolean;
  /** Host name or IP literal (IPv6 without brackets). */
  readonly host: string;
  /** @default 3478 for `turn:`, 5349 for `turns:` (RFC 7065 §3). */
  readonly port: number;
  /** How to reach the server: UDP, TCP, or TLS over TCP. */
  readonly transport: TurnTransport;
}

/** A TURN URI that cannot be understood. */
export class TurnUriError extends JingleIceError {
  override readonly name = "TurnUriError";
}

/**
 * Parses a TURN URI (RFC 7065 §3.1).
 * @throws {TurnUriError} naming what is wrong.
 */
export function parseTurnUri(uri: string): TurnUri {
  const match =
    /^(turns?):(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i.exec(
      uri.trim(),
    );
  if (match === null) {
    throw new TurnUriError(
      `not a TURN URI (turn:host[:port][?transport=udp|tcp] or turns:…): ${uri}`,
    );
  }
  const secure = match[1]!.toLowerCase() === "turns";
  const host = match[2]!.replace(/^\[|\]$/g, "");
  const requested = match[4]?.toLowerCase();
  if (secure && requested === "udp") {
    throw new TurnUriError(`turns: runs over TCP; transport=udp (DTLS) is not supported: ${uri}`);
  }
  const transport = secure ? "tls" : requested === "tcp" ? "tcp" : "udp";
  const port = match[3] === undefined ? defaultTurnPort(transport) : Number(match[3]);
  if (port < 1 || port > 65535) throw new TurnUriError(`port out of range in ${uri}`);
  return { secure, host, port, transport };
}

/**
 * The TURN servers an RTCIceServer-style entry names: one per URI, with its credentials (and
 * its CA certificates, for `turns:`).
 * @throws {TurnUriError} for a URI that cannot be understood.
 */
export function turnServersFromUris(entry: {
  readonly urls: string | readonly string[];
  readonly username: string;
  readonly password: string;
  readonly ca?: string | readonly string[];
}): TurnServerConfig[] {
  const urls = typeof entry.urls === "string" ? [entry.urls] : entry.urls;
  const ca =
    entry.ca === undefined ? undefined : typeof entry.ca === "string" ? [entry.ca] : entry.ca;
  return urls.map((url) => {
    const { host, port, transport } = parseTurnUri(url);
    return {
      host,
      port,
      transport,
      username: entry.username,
      password: entry.password,
      ...(ca === undefined ? {} : { ca }),
    };
  });
}
