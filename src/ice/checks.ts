/**
 * Starting connectivity checks (RFC 8445 §6.1.4, §7.2): one new check every Ta from the check
 * list (§14.2), nomination checks at once, consent checks (RFC 7675) on selected pairs; their
 * requests, their RTO (§14.3), and what a check that times out means for its pair.
 */
import type { Rng } from "../common/rng.js";
import type { Deadline } from "../common/sans-io.js";
import { StunClientTransaction } from "../stun/transaction.js";
import { createTransactionId } from "../stun/transaction-id.js";
import type { CheckTransactions } from "./check-transactions.js";
import type { CheckList } from "./checklist.js";
import type { Components } from "./components.js";
import type { AgentCounters } from "./counters.js";
import type { Identity, PairCredentials } from "./identity.js";
import { encodeCheckRequest } from "./messages.js";
import type { CandidatePair } from "./pair.js";
import { candidatePriority } from "./priority.js";
import type { AgentSettings } from "./settings.js";
import type { ComponentStates } from "./states.js";

/** Sends of a consent check before it counts as unanswered (RFC 7675 §5.1 leaves it open). */
const CONSENT_TRANSMISSIONS = 4;

/** Starts the agent's checks; owns the pacing clock (when the next paced check may start). */
export class CheckScheduler {
  /** When the next paced check may start; undefined: at once. */
  private nextPacedAt: Deadline;

  constructor(
    private readonly settings: AgentSettings,
    private readonly rng: Rng,
    private readonly identity: Identity,
    private readonly checklist: CheckList,
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly counters: AgentCounters,
    private readonly transactions: CheckTransactions,
  ) {}

  /** Starts one paced check if Ta has passed since the last (RFC 8445 §6.1.4.2, §14.2). */
  pace(now: number): void {
    const { remoteKey } = this.identity;
    if (remoteKey === undefined || (this.nextPacedAt !== undefined && now < this.nextPacedAt))
      return;
    let pair = this.checklist.next();
    while (
      pair !== undefined &&
      this.components.of(pair).selected?.nominated === true &&
      !pair.remoteNominated
    ) {
      // RFC 8445 §8.1.2: a component with a nominated pair needs no further ordinary checks.
      // Except a pair the peer nominates after that (libwebrtc, controlling, switches its
      // selected pair after completion and sends data on it): our triggered check validates
      // it (§7.3.1.4), or its data would be dropped as from an unvalidated source.
      pair.state = "failed";
      pair = this.checklist.next();
    }
    if (pair === undefined) return;
    this.startCheck(now, pair, false);
    this.nextPacedAt = now + this.settings.taMs;
  }

  /**
   * A check on `pair` (with USE-CANDIDATE when nominating), RTO = max(minRto, Ta × pairs
   * waiting or in progress) capped at `maxRtoMs` (RFC 8445 §14.3); its first send goes out now.
   */
  startCheck(now: number, pair: CandidatePair, useCandidate: boolean): void {
    const key = this.identity.remoteKey!;
    const transactionId = createTransactionId(this.rng);
    const username = this.identity.checkUsername;
    const request = this.request(pair, transactionId, useCandidate, username, key);
    const { minRtoMs, taMs, maxRtoMs, maxCheckTransmissions } = this.settings;
    const rto = Math.max(minRtoMs, taMs * this.checklist.activeCount);
    const transaction = new StunClientTransaction(now, transactionId, request, {
      rtoMs: rto,
      maxRtoMs: Math.max(rto, maxRtoMs),
      maxTransmissions: maxCheckTransmissions,
    });
    pair.state = "in-progress";
    pair.check = { transaction, useCandidate, role: this.identity.role };
    this.transactions.add({ kind: "check", transaction, pair, key });
    this.counters.values.checksSent++;
    this.states.set(pair.component, "checking", true);
    this.pump(now);
  }

  /**
   * A consent check on `pair` (RFC 7675 §5.1): a Binding request like a check, with the
   * credentials of the generation the pair was selected in (an old pair that still carries data
   * after an ICE restart keeps its own, RFC 8445 §9).
   */
  startConsentCheck(now: number, pair: CandidatePair, credentials: PairCredentials): void {
    const key = credentials.remoteKey;
    const transactionId = createTransactionId(this.rng);
    const request = this.request(pair, transactionId, false, credentials.checkUsername, key);
    const transaction = new StunClientTransaction(now, transactionId, request, {
      rtoMs: this.settings.minRtoMs,
      maxTransmissions: CONSENT_TRANSMISSIONS,
    });
    this.transactions.add({ kind: "consent", transaction, pair, key });
    this.counters.values.consentChecksSent++;
    this.pump(now);
  }

  /** Sends what is due; a check that got no answer fails its pair (and its nomination). */
  pump(now: number): void {
    for (const ended of this.transactions.pump(now)) {
      if (ended.kind !== "check") continue;
      const { pair } = ended;
      pair.check = undefined;
      pair.state = "failed";
      const record = this.components.of(pair);
      if (record.nominating === pair) record.nominating = undefined;
    }
  }

  /** When the next paced check may start, while there is one to start. */
  deadline(): Deadline {
    return this.identity.remoteKey !== undefined && this.checklist.hasWork
      ? this.nextPacedAt
      : undefined;
  }

  /** ICE restart: the next check may start at once. */
  reset(): void {
    this.nextPacedAt = undefined;
  }

  /** A connectivity (or consent) check on `pair` (RFC 8445 §7.2.2). */
  private request(
    pair: CandidatePair,
    transactionId: Uint8Array,
    useCandidate: boolean,
    username: string,
    key: Uint8Array,
  ): Uint8Array {
    return encodeCheckRequest({
      transactionId,
      username,
      // RFC 8445 §7.1.1: the priority a peer-reflexive candidate from this base would get.
      priority: candidatePriority(
        "prflx",
        (pair.local.candidate.priority >>> 8) & 0xffff,
        pair.component,
      ),
      role: this.identity.role,
      tieBreaker: this.identity.tieBreaker,
      useCandidate,
      key,
    });
  }
}
