/** The public shapes of the TURN client: its options, events and states. */
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import type { TurnError } from "./errors.js";
import type { TurnTransport } from "./server.js";

/** Options of a {@link TurnClient}. Every duration is in milliseconds. */
export interface TurnClientOptions {
  /** The TURN server. */
  readonly server: TransportAddress;
  /** How we reach it: over UDP requests are retransmitted; over TCP/TLS ChannelData is padded. @default "udp" */
  readonly transport?: TurnTransport;
  readonly username: string;
  readonly password: string;
  readonly rng: Rng;
  /** Requested allocation lifetime (RFC 8656 §7.2), sent rounded up to whole seconds. @default 600000 */
  readonly lifetimeMs?: number;
  /** Refresh allocations, permissions and channels this long before they expire. @default 60000 */
  readonly refreshMarginMs?: number;
  /** Initial RTO of requests (RFC 8489 §6.2.1). @default 500 */
  readonly rtoMs?: number;
  /** Datagrams kept per peer while its permission is being created; more are dropped. @default 32 */
  readonly maxQueued?: number;
  /** Consecutive 438 Stale Nonce answers to one request before giving up. @default 5 */
  readonly maxStaleNonceRetries?: number;
}

/** What the client reports, drained with `pollEvent()`. */
export type TurnClientEvent =
  | {
      readonly type: "allocated";
      readonly relayed: TransportAddress;
      readonly mapped: TransportAddress;
      /** The lifetime the server granted. */
      readonly lifetimeMs: number;
    }
  | { readonly type: "redirected"; readonly server: TransportAddress }
  | { readonly type: "failed"; readonly error: TurnError }
  | { readonly type: "data"; readonly peer: TransportAddress; readonly data: Uint8Array }
  | {
      readonly type: "permission-failed";
      readonly peer: TransportAddress;
      readonly error: TurnError;
    }
  | { readonly type: "closed" };

/** Where the allocation stands. */
export type TurnClientState = "idle" | "allocating" | "allocated" | "failed" | "closing" | "closed";
