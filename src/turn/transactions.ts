/**
 * The outstanding requests of one TURN client: each is signed with the long-term credentials
 * (RFC 8489 §9.2), runs as a STUN client transaction (retransmitted over UDP, sent once over
 * TCP/TLS, §6.2) and is matched with its response by transaction id and integrity.
 */
import { toHex } from "../common/bytes.js";
import type { Rng } from "../common/rng.js";
import { earliest, type Deadline, type Outbox } from "../common/sans-io.js";
import type { DecodedStunMessage, StunMessage } from "../stun/message.js";
import { StunClientTransaction } from "../stun/transaction.js";
import { createTransactionId } from "../stun/transaction-id.js";
import type { LongTermCredentials } from "./auth.js";
import type { PeerChannel, PeerPermission } from "./peers.js";
import type { TurnClientStats } from "./stats.js";

/** What a request does. */
export type RequestKind = "allocate" | "refresh" | "permission" | "channel-bind";

/** What a request is about, beyond its kind. */
export interface RequestContext {
  readonly permission?: PeerPermission;
  readonly channel?: PeerChannel;
  /** For a Refresh: the LIFETIME asked for, in seconds (0: the deallocation, RFC 8656 §7.3). */
  readonly lifetimeS?: number;
}

/** One outstanding request. */
export interface TurnRequest extends RequestContext {
  readonly kind: RequestKind;
  readonly transaction: StunClientTransaction;
  /** The message as sent, with its transaction id, before signing (to retry it). */
  readonly message: StunMessage;
  /** Sent with credentials (a response without integrity is then refused). */
  readonly signed: boolean;
  /** 438 Stale Nonce answers so far to this request (RFC 8489 §9.2.5). */
  readonly staleRetries: number;
}

/** Retransmission settings of every request of one client. */
export interface TurnTransactionOptions {
  readonly rtoMs: number;
  /** TCP/TLS: sent once (RFC 8489 §6.2.2). */
  readonly reliable: boolean;
}

const requestCounter: Record<RequestKind, keyof TurnClientStats> = {
  allocate: "allocateRequests",
  refresh: "refreshRequests",
  permission: "permissionRequests",
  "channel-bind": "channelBindRequests",
};

/** The request table of one client; its bytes go to the client's outbox. */
export class TurnTransactions {
  private readonly pending = new Map<string, TurnRequest>();

  constructor(
    private readonly rng: Rng,
    private readonly options: TurnTransactionOptions,
    private readonly counters: TurnClientStats,
    private readonly outbox: Outbox<Uint8Array>,
  ) {}

  /**
   * Gives `message` a fresh transaction id, signs it (unsigned before the first 401) and
   * registers it; its first send becomes due at `now` ({@link pump} sends it).
   */
  add(
    now: number,
    credentials: LongTermCredentials,
    kind: RequestKind,
    message: StunMessage,
    staleRetries: number,
    context: RequestContext,
  ): void {
    const transactionId = createTransactionId(this.rng);
    const withId = { ...message, transactionId };
    const signed = credentials.ready;
    const bytes = credentials.sign(withId);
    const transaction = new StunClientTransaction(now, transactionId, bytes, this.options);
    this.pending.set(toHex(transactionId), {
      kind,
      transaction,
      message: withId,
      signed,
      staleRetries,
      ...context,
    });
    this.counters[requestCounter[kind]]++;
  }

  /**
   * Sends every (re)transmission due at `now`. A request that timed out is removed and handed
   * to `onTimeout` at once, in order, which may add or cancel requests.
   */
  pump(now: number, onTimeout: (request: TurnRequest) => void): void {
    for (const [id, request] of this.pending) {
      const { transaction } = request;
      transaction.handleTimeout(now);
      for (let bytes; (bytes = transaction.pollTransmit());) {
        if (transaction.transmissions > 1) this.counters.retransmissions++;
        this.outbox.push(bytes);
      }
      if (transaction.state === "timed-out") {
        this.pending.delete(id);
        onTimeout(request);
      }
    }
  }

  /**
   * The request `response` answers, removed and completed; `unknown` when it answers none of
   * ours, `unverified` when its integrity does not hold (RFC 8489 §9.2.5; the request stays).
   */
  match(
    response: DecodedStunMessage,
    credentials: LongTermCredentials,
  ): TurnRequest | "unknown" | "unverified" {
    const id = toHex(response.transactionId);
    const request = this.pending.get(id);
    if (request === undefined) return "unknown";
    if (!credentials.verify(response, request.signed)) return "unverified";
    this.pending.delete(id);
    request.transaction.complete();
    return request;
  }

  /** Stops every request (the allocation failed or is being deleted). */
  cancelAll(): void {
    for (const request of this.pending.values()) request.transaction.cancel();
    this.pending.clear();
  }

  /** The next retransmission or timeout. */
  deadline(): Deadline {
    let next: Deadline;
    for (const request of this.pending.values())
      next = earliest(next, request.transaction.pollTimeout());
    return next;
  }
}
