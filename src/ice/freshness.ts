/**
 * Consent freshness (RFC 7675) on the pairs that carry data: the selected pair, or after an ICE
 * restart the old selected pair until a new one is selected (RFC 8445 §9) — whose checks keep
 * the credentials of its own generation. A consent check at each randomised interval,
 * `disconnected` after `disconnectedTimeoutMs` without an answer, `failed` (and no more sending)
 * after `consentTimeoutMs`, and back when an answer comes.
 */
import type { Deadline } from "../common/sans-io.js";
import type { CheckTransactions } from "./check-transactions.js";
import type { CheckScheduler } from "./checks.js";
import type { ComponentRecord, Components } from "./components.js";
import type { Identity, PairCredentials } from "./identity.js";
import type { Nomination } from "./nomination.js";
import type { CandidatePair } from "./pair.js";
import type { ComponentStates } from "./states.js";

/** Runs consent on the pairs that carry data (the timers are each component's `Consent`). */
export class ConsentFreshness {
  constructor(
    private readonly identity: Identity,
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly scheduler: CheckScheduler,
    private readonly nomination: Nomination,
    private readonly transactions: CheckTransactions,
  ) {}

  /** Judges consent on every pair that carries data and sends the consent checks that are due. */
  run(now: number): void {
    for (const record of this.components) {
      const watched = this.watched(record);
      if (watched === undefined) continue;
      const { pair, credentials } = watched;
      const { component } = record;
      const state = this.states.of(component);
      if (state === "failed") continue;
      const status = record.consent.status(now);
      if (status === "expired") {
        // RFC 7675 §5.1: consent expired; stop sending on this pair.
        if (record.selected === pair) {
          this.states.set(component, "failed");
          continue;
        }
        // The old pair of an ICE restart: given up; the component fails if it carried the data.
        this.components.dropPrevious(record);
        this.transactions.cancelConsent(pair);
        if (this.nomination.bestValid(component) === undefined)
          this.states.set(component, "failed");
        continue;
      }
      if (status === "stale" && (record.selected === pair || state === "checking"))
        this.states.set(component, "disconnected");
      if (record.consent.takeDue(now)) this.scheduler.startConsentCheck(now, pair, credentials);
    }
  }

  /** A consent check on `pair` was answered: consent is fresh again (RFC 7675 §5.1). */
  granted(now: number, pair: CandidatePair): void {
    const record = this.components.of(pair);
    if (record.selected !== pair && (record.selected !== undefined || record.previous !== pair))
      return;
    record.consent.granted(now);
    pair.lastSuccessAt = now;
    if (this.states.of(pair.component) !== "disconnected") return;
    if (record.selected === pair) this.states.set(pair.component, "completed");
    else if (this.nomination.bestValid(pair.component) !== undefined)
      this.states.set(pair.component, "connected");
    else this.states.set(pair.component, "checking");
  }

  /** The component's next consent check, staleness or expiry. */
  deadline(record: ComponentRecord): Deadline {
    const state = this.states.of(record.component);
    if (this.watched(record) === undefined || state === "failed") return undefined;
    return record.consent.deadline(state === "disconnected");
  }

  /** The pair whose consent is watched, and the credentials of its checks. */
  private watched(
    record: ComponentRecord,
  ): { pair: CandidatePair; credentials: PairCredentials } | undefined {
    if (record.selected !== undefined) {
      const credentials = this.identity.current;
      return credentials === undefined ? undefined : { pair: record.selected, credentials };
    }
    if (record.previous === undefined || record.previousCredentials === undefined) return undefined;
    return { pair: record.previous, credentials: record.previousCredentials };
  }
}
