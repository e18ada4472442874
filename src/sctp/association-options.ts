/** The defaults of {@link AssociationOptions} and the zeroed counters of an association. */
import type { AssociationOptions, AssociationStats } from "./association-types.js";

/** Options with every default filled in. */
export type ResolvedAssociationOptions = Required<AssociationOptions>;

/**
 * Fills in the defaults (RFC 9260 §16 for the protocol parameters; 256 KiB messages as browsers
 * announce, RFC 8841 §6).
 * @throws {RangeError} for an MTU under 256 bytes, a stream count outside 1–65535, or a limit
 * that is not a positive number.
 */
export function resolveOptions(options: AssociationOptions): ResolvedAssociationOptions {
  const resolved: ResolvedAssociationOptions = {
    rng: options.rng,
    localPort: options.localPort ?? 5000,
    remotePort: options.remotePort ?? 5000,
    mtu: options.mtu ?? 1200,
    maxMessageSize: options.maxMessageSize ?? 256 * 1024,
    maxSendMessageSize: options.maxSendMessageSize ?? 256 * 1024,
    receiveWindow: options.receiveWindow ?? 1024 * 1024,
    sendQueueLimit: options.sendQueueLimit ?? 16 * 1024 * 1024,
    streams: options.streams ?? 65535,
    rtoInitialMs: options.rtoInitialMs ?? 1000,
    rtoMinMs: options.rtoMinMs ?? 1000,
    rtoMaxMs: options.rtoMaxMs ?? 60_000,
    maxInitRetransmits: options.maxInitRetransmits ?? 8,
    maxRetransmits: options.maxRetransmits ?? 10,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    cookieLifetimeMs: options.cookieLifetimeMs ?? 60_000,
    delayedAckTimeMs: options.delayedAckTimeMs ?? 200,
  };
  if (!(resolved.mtu >= 256 && resolved.mtu <= 65535)) {
    throw new RangeError(`mtu must be 256–65535 bytes, got ${resolved.mtu}`);
  }
  if (!(resolved.streams >= 1 && resolved.streams <= 65535)) {
    throw new RangeError(`streams must be 1–65535, got ${resolved.streams}`);
  }
  for (const key of [
    "maxMessageSize",
    "maxSendMessageSize",
    "receiveWindow",
    "sendQueueLimit",
    "rtoInitialMs",
    "rtoMinMs",
    "rtoMaxMs",
  ] as const) {
    if (!(resolved[key] > 0 && Number.isFinite(resolved[key]))) {
      throw new RangeError(`${key} must be a positive number, got ${resolved[key]}`);
    }
  }
  return resolved;
}

/** The counters that only go up, all zero. */
export type AssociationCounters = Omit<
  AssociationStats,
  | "cwnd"
  | "ssthresh"
  | "rto"
  | "srtt"
  | "flightSize"
  | "peerRwnd"
  | "reassemblyBytes"
  | "sendQueueBytes"
  | "dataChunksSent"
  | "messagesSent"
  | "retransmissions"
  | "fastRetransmissions"
  | "t3Expirations"
  | "forwardTsnsSent"
  | "messagesAbandoned"
>;

/** Fresh counters. */
export function zeroCounters(): AssociationCounters {
  return {
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    dataChunksReceived: 0,
    messagesReceived: 0,
    duplicateTsnsReceived: 0,
    forwardTsnsReceived: 0,
    heartbeatsSent: 0,
    droppedChecksum: 0,
    droppedMalformed: 0,
    droppedPort: 0,
    droppedVerificationTag: 0,
    droppedUnexpected: 0,
    droppedCookie: 0,
    droppedOverWindow: 0,
    unknownChunks: 0,
  };
}
