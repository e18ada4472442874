/**
 * STUN and TURN servers as `IceConnection` takes them, and their resolution: the public API
 * edge where RFC 7065 URIs are parsed (once) into structured servers, and host names become
 * addresses for the sans-IO agent.
 */
import { lookup } from "node:dns/promises";
import { canonicalIp, ipFamily, type TransportAddress } from "../common/address.js";
import { parseStunServer, type StunServerConfig } from "../stun/server.js";
import type { ResolvedTurnServer, TurnServerConfig } from "../turn/server.js";
import { turnServersFromUris } from "../turn/uri.js";

/** A TURN server given by RFC 7065 URIs, like WebRTC's RTCIceServer. */
export interface TurnServerUrls {
  /** e.g. `turn:turn.example.org?transport=tcp` or `turns:turn.example.org`. */
  readonly urls: string | readonly string[];
  readonly username: string;
  readonly password: string;
  /** CA certificates (PEM) to verify a `turns:` server with, instead of the system's. */
  readonly ca?: string | readonly string[];
}

/** A TURN server for `IceConnection`: URIs, or the structured form (e.g. from XEP-0215). */
export type TurnServerOption = TurnServerUrls | TurnServerConfig;

/** A STUN server for `IceConnection`: `host:port`, the structured form, or an address. */
export type StunServerOption = string | StunServerConfig | TransportAddress;

/** Every address of every STUN server (names are looked up). */
export async function resolveStunServers(
  servers: readonly StunServerOption[],
): Promise<TransportAddress[]> {
  const resolved = await Promise.all(
    servers.map((server) => {
      if (typeof server === "string") server = parseStunServer(server);
      return "family" in server ? [server] : resolveHost(server.host, server.port);
    }),
  );
  return resolved.flat();
}

/** One resolved TURN server per URI and address of its host. */
export async function resolveTurnServers(
  servers: readonly TurnServerOption[],
): Promise<ResolvedTurnServer[]> {
  const configs = servers.flatMap((server) =>
    "urls" in server ? turnServersFromUris(server) : [server],
  );
  const resolved = await Promise.all(
    configs.map(async (config) =>
      (await resolveHost(config.host, config.port)).map((address) => ({ ...config, address })),
    ),
  );
  return resolved.flat();
}

/** The addresses of `host` (an IP literal, or a name looked up in DNS). */
async function resolveHost(host: string, port: number): Promise<TransportAddress[]> {
  const literal = ipFamily(host);
  if (literal !== undefined) return [{ family: literal, address: canonicalIp(host)!, port }];
  const results = await lookup(host, { all: true });
  return results.map((r) => ({
    family: r.family === 6 ? "IPv6" : "IPv4",
    address: canonicalIp(r.address)!,
    port,
  }));
}
