/**
 * The agent's outstanding STUN transactions on candidate pairs: connectivity checks (RFC 8445
 * §7.2) and consent checks (RFC 7675 §5.1). It sends their (re)transmissions and matches
 * responses to them by transaction id and integrity (§7.2.5.1).
 */
import type { TransportAddress } from "../common/address.js";
import { toHex } from "../common/bytes.js";
import { earliest, type Deadline } from "../common/sans-io.js";
import type { DecodedStunMessage } from "../stun/message.js";
import type { StunClientTransaction } from "../stun/transaction.js";
import { verifyMessageIntegrity } from "../stun/verify.js";
import { sameAddress } from "./candidate.js";
import type { AgentCounters } from "./counters.js";
import type { CandidatePair } from "./pair.js";
import type { Sender } from "./ports.js";

/** An outstanding transaction and what it is for. */
export interface PendingCheck {
  readonly kind: "check" | "consent";
  readonly transaction: StunClientTransaction;
  readonly pair: CandidatePair;
  /** The key the request was signed with: its response must verify with it. */
  readonly key: Uint8Array;
}

/** The table of outstanding check and consent transactions, by transaction id. */
export class CheckTransactions {
  private readonly pending = new Map<string, PendingCheck>();

  constructor(
    private readonly sender: Sender,
    private readonly counters: AgentCounters,
  ) {}

  add(entry: PendingCheck): void {
    this.pending.set(toHex(entry.transaction.transactionId), entry);
  }

  /**
   * Sends every (re)transmission due at `now`, from the pair's base to its remote candidate.
   * Returns the transactions that timed out (or were cancelled), which are forgotten.
   */
  pump(now: number): PendingCheck[] {
    const ended: PendingCheck[] = [];
    for (const [id, entry] of this.pending) {
      const { transaction } = entry;
      transaction.handleTimeout(now);
      for (let bytes; (bytes = transaction.pollTransmit());) {
        if (transaction.transmissions > 1 && entry.kind === "check")
          this.counters.values.checkRetransmissions++;
        this.sender.send(now, entry.pair.local.base, entry.pair.remote.address, bytes);
      }
      if (transaction.state === "timed-out" || transaction.state === "cancelled") {
        this.pending.delete(id);
        ended.push(entry);
      }
    }
    return ended;
  }

  /**
   * The transaction `response` (which arrived on the socket `local` from `source`) answers,
   * completed and forgotten; or why none: it answers none of ours, its MESSAGE-INTEGRITY does
   * not verify, or — for a consent check — it did not come from where the request went
   * (RFC 7675 §5.1 with RFC 8445 §7.2.5.2.1). In those cases the transaction goes on. A
   * connectivity check's asymmetric response does complete it: the caller fails the pair.
   */
  match(
    response: DecodedStunMessage,
    local: TransportAddress,
    source: TransportAddress,
  ): PendingCheck | "unknown-transaction" | "bad-integrity" | "asymmetric" {
    const id = toHex(response.transactionId);
    const entry = this.pending.get(id);
    if (entry === undefined) return "unknown-transaction";
    if (!verifyMessageIntegrity(response, entry.key)) return "bad-integrity";
    if (entry.kind === "consent" && !symmetric(entry.pair, local, source)) return "asymmetric";
    this.pending.delete(id);
    entry.transaction.complete();
    return entry;
  }

  /** Forgets every transaction (close), or every one but those `keep` says (ICE restart). */
  clear(keep?: (entry: PendingCheck) => boolean): void {
    if (keep === undefined) {
      this.pending.clear();
      return;
    }
    for (const [id, entry] of this.pending) if (!keep(entry)) this.pending.delete(id);
  }

  /** Forgets the consent checks in flight on `pair` (an old pair that was given up). */
  cancelConsent(pair: CandidatePair): void {
    this.clear((entry) => entry.kind !== "consent" || entry.pair !== pair);
  }

  /** Outstanding transactions (at most one check per pair, plus nominations and consent). */
  get size(): number {
    return this.pending.size;
  }

  /** The next retransmission or timeout. */
  deadline(): Deadline {
    let next: Deadline;
    for (const entry of this.pending.values())
      next = earliest(next, entry.transaction.pollTimeout());
    return next;
  }
}

/**
 * RFC 8445 §7.2.5.2.1: a response must come from the address the request went to, and arrive
 * on the socket it left from.
 */
export function symmetric(
  pair: CandidatePair,
  local: TransportAddress,
  source: TransportAddress,
): boolean {
  return sameAddress(source, pair.remote.address) && sameAddress(local, pair.local.base);
}
