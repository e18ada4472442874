/**
 * When a component has failed (RFC 8445 §8.1.2 "Failed"): our gathering is done, no pair is
 * valid, selected or kept from before a restart, nothing is left to check and no early check
 * waits for credentials — and it stays so for `failureGraceMs` after the peer ended its
 * candidates, in case a late peer-reflexive success still comes. A peer that never sends
 * end-of-candidates gets `noEndOfCandidatesTimeoutMs` instead, counted from when its last pair
 * failed or its last candidate came, once the component had at least one pair (docs/ice.md).
 * Also moves a component with a valid pair to `connected`.
 */
import type { Deadline } from "../common/sans-io.js";
import type { CheckList } from "./checklist.js";
import type { ComponentRecord, Components } from "./components.js";
import type { ComponentStates } from "./states.js";

/** How long a hopeless component waits before it fails. */
export interface FailureTiming {
  /** After end-of-candidates. */
  readonly failureGraceMs: number;
  /** Without end-of-candidates. */
  readonly noEndOfCandidatesTimeoutMs: number;
}

/** What the judge needs to know of the rest of the agent. */
export interface Progress {
  /** Our gathering is complete. */
  readonly gatheringDone: boolean;
  /** Checks that arrived before the peer's credentials, still waiting for them. */
  readonly earlyChecks: number;
}

/** Judges each component's progress; owns end-of-candidates from the peer. */
export class FailureJudge {
  /** The peer signalled end-of-candidates (RFC 8838 §8.2). */
  remoteEnded = false;

  constructor(
    private readonly timing: FailureTiming,
    private readonly checklist: CheckList,
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly progress: Progress,
  ) {}

  /** Component states: checking → connected (a valid pair), and failed once hopeless. */
  judge(now: number): void {
    for (const record of this.components) {
      const { component } = record;
      const state = this.states.of(component);
      if (state === "failed" || state === "closed") continue;
      const hasValid = this.checklist.pairs.some((p) => p.component === component && p.valid);
      if (record.selected === undefined && hasValid) this.states.set(component, "connected");
      const hopeless =
        (this.remoteEnded || this.checklist.pairs.some((p) => p.component === component)) &&
        this.progress.gatheringDone &&
        !hasValid &&
        record.selected === undefined &&
        record.previous === undefined &&
        !this.checklist.hasPending(component) &&
        this.progress.earlyChecks === 0;
      if (!hopeless) {
        record.failingSince = undefined;
        continue;
      }
      record.failingSince ??= now;
      if (now >= record.failingSince + this.wait()) {
        record.failingSince = undefined;
        this.states.set(component, "failed");
      }
    }
  }

  /**
   * A new remote candidate came: a component that looked hopeless without end-of-candidates
   * starts its wait again (the candidate forms pairs, or is paired with a socket to come).
   */
  remoteCandidateAdded(): void {
    if (this.remoteEnded) return;
    for (const record of this.components) record.failingSince = undefined;
  }

  /** When a hopeless component fails. */
  deadline(record: ComponentRecord): Deadline {
    return record.failingSince === undefined ? undefined : record.failingSince + this.wait();
  }

  private wait(): number {
    return this.remoteEnded ? this.timing.failureGraceMs : this.timing.noEndOfCandidatesTimeoutMs;
  }
}
