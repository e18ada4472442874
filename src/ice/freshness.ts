/**
 * Consent freshness on the selected pairs (RFC 7675): a consent check at each randomised
 * interval, `disconnected` after `disconnectedTimeoutMs` without an answer, `failed` (and no
 * more sending) after `consentTimeoutMs`, and back to `completed` when an answer comes.
 */
import type { Deadline } from "../common/sans-io.js";
import type { CheckScheduler } from "./checks.js";
import type { ComponentRecord, Components } from "./components.js";
import type { Identity } from "./identity.js";
import type { CandidatePair } from "./pair.js";
import type { ComponentStates } from "./states.js";

/** Runs consent on the selected pairs (the timers are each component's `Consent`). */
export class ConsentFreshness {
  constructor(
    private readonly identity: Identity,
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly scheduler: CheckScheduler,
  ) {}

  /** Judges consent on every selected pair and sends the consent checks that are due. */
  run(now: number): void {
    for (const record of this.components) {
      const pair = record.selected;
      if (pair === undefined || this.identity.remoteKey === undefined) continue;
      const state = this.states.of(record.component);
      if (state === "failed") continue;
      const status = record.consent.status(now);
      if (status === "expired") {
        // RFC 7675 §5.1: consent expired; stop sending on this pair.
        this.states.set(record.component, "failed");
        continue;
      }
      if (status === "stale") this.states.set(record.component, "disconnected");
      if (record.consent.takeDue(now)) this.scheduler.startConsentCheck(now, pair);
    }
  }

  /** A consent check on `pair` was answered: consent is fresh again (RFC 7675 §5.1). */
  granted(now: number, pair: CandidatePair): void {
    const record = this.components.of(pair);
    if (record.selected !== pair) return;
    record.consent.granted(now);
    pair.lastSuccessAt = now;
    if (this.states.of(pair.component) === "disconnected")
      this.states.set(pair.component, "completed");
  }

  /** The component's next consent check, staleness or expiry. */
  deadline(record: ComponentRecord): Deadline {
    const state = this.states.of(record.component);
    if (record.selected === undefined || state === "failed") return undefined;
    return record.consent.deadline(state === "disconnected");
  }
}
