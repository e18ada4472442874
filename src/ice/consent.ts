/**
 * Consent freshness of a selected pair (RFC 7675): when the next consent check is due (every
 * 0.8–1.2 × the mean interval, §5.1), and whether consent is fresh, stale (our `disconnected`)
 * or expired (`failed`: stop sending). The checks themselves are sent by the agent.
 */
import type { Rng } from "../common/rng.js";
import { earliest, isDue, type Deadline } from "../common/sans-io.js";

/** The consent timers, in ms. */
export interface ConsentTiming {
  readonly consentIntervalMs: number;
  readonly disconnectedTimeoutMs: number;
  readonly consentTimeoutMs: number;
}

/** What consent is at a given moment. */
export type ConsentStatus = "fresh" | "stale" | "expired";

/** The consent timers of one selected pair. */
export class Consent {
  private lastResponseAt = 0;
  private nextCheckAt: Deadline;

  constructor(
    private readonly rng: Rng,
    private readonly timing: ConsentTiming,
  ) {}

  /** A pair was just selected: consent is fresh now, the first check comes after one interval. */
  start(now: number): void {
    this.lastResponseAt = now;
    this.nextCheckAt = now + this.delay();
  }

  /** No selected pair any more (ICE restart): no checks until the next start(). */
  stop(): void {
    this.nextCheckAt = undefined;
  }

  /** A consent check got its response. */
  granted(now: number): void {
    this.lastResponseAt = now;
  }

  /**
   * Fresh, stale after `disconnectedTimeoutMs` without a response, expired after `consentTimeoutMs`.
   * Compared against the same sums {@link deadline} reports, so a timer that fires exactly at
   * the deadline always sees it reached (no floating-point gap).
   */
  status(now: number): ConsentStatus {
    if (now >= this.lastResponseAt + this.timing.consentTimeoutMs) return "expired";
    if (now >= this.lastResponseAt + this.timing.disconnectedTimeoutMs) return "stale";
    return "fresh";
  }

  /** True when a check is due at `now`; the next one is then scheduled. */
  takeDue(now: number): boolean {
    if (!isDue(this.nextCheckAt, now)) return false;
    this.nextCheckAt = now + this.delay();
    return true;
  }

  /** The next moment something is due (a check, going stale unless already, expiring). */
  deadline(stale: boolean): number {
    const expiry = this.lastResponseAt + this.timing.consentTimeoutMs;
    const staleAt = stale ? undefined : this.lastResponseAt + this.timing.disconnectedTimeoutMs;
    return earliest(this.nextCheckAt, staleAt, expiry)!;
  }

  /** RFC 7675 §5.1: intervals randomised to 0.8–1.2 × the mean (whole milliseconds). */
  private delay(): number {
    const byte = new Uint8Array(1);
    this.rng.fill(byte);
    return Math.round(this.timing.consentIntervalMs * (0.8 + (0.4 * byte[0]!) / 255));
  }
}
