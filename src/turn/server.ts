/**
 * TURN servers as structured data, from the application (or XEP-0215 discovery) down to the
 * TURN client: where the server is, how to reach it, and the long-term credentials (RFC 8656
 * §3, §9.2 of RFC 8489). RFC 7065 URIs are parsed into this shape once, at the public API edge
 * (`parseTurnUri`); nothing formats it back into a string.
 */
import type { TransportAddress } from "../common/address.js";

/** How the client reaches the server: UDP, TCP, or TLS over TCP (RFC 7065's `turns:`). */
export type TurnTransport = "udp" | "tcp" | "tls";

/** A TURN server as configured. */
export interface TurnServerConfig {
  /** DNS name or IP literal (IPv6 without brackets); for `tls`, the name the certificate must carry. */
  readonly host: string;
  readonly port: number;
  readonly transport: TurnTransport;
  readonly username: string;
  readonly password: string;
  /** For `tls`: CA certificates (PEM) to verify the server with instead of the system's. */
  readonly ca?: readonly string[];
}

/** A TURN server whose host is resolved: what the sans-IO core allocates on. */
export interface ResolvedTurnServer extends TurnServerConfig {
  /** The server's transport address (the host's address and the port). */
  readonly address: TransportAddress;
}

/** The default port of a TURN server for a transport (RFC 7065 §3: 5349 for TLS, else 3478). */
export function defaultTurnPort(transport: TurnTransport): number {
  return transport === "tls" ? 5349 : 3478;
}

/**
 * A TURN server at a known address (tests, simulations, or a server given by IP): its host is
 * the address itself.
 */
export function turnServerAt(
  address: TransportAddress,
  credentials: { readonly username: string; readonly password: string },
  transport: TurnTransport = "udp",
): ResolvedTurnServer {
  return { host: address.address, port: address.port, transport, address, ...credentials };
}
