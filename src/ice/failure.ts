/**
 * When a component has failed (RFC 8445 §8.1.2 "Failed"): the peer ended its candidates, our
 * gathering is done, no pair is valid, selected or kept from before a restart, nothing is left
 * to check and no early check waits for credentials — and it stays so for `failureGraceMs`,
 * in case a late peer-reflexive success still comes. Also moves a component with a valid pair
 * to `connected`.
 */
import type { Deadline } from "../common/sans-io.js";
import type { CheckList } from "./checklist.js";
import type { ComponentRecord, Components } from "./components.js";
import type { ComponentStates } from "./states.js";

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
    private readonly graceMs: number,
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
        this.remoteEnded &&
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
      if (now >= record.failingSince + this.graceMs) {
        record.failingSince = undefined;
        this.states.set(component, "failed");
      }
    }
  }

  /** When a hopeless component fails. */
  deadline(record: ComponentRecord): Deadline {
    return record.failingSince === undefined ? undefined : record.failingSince + this.graceMs;
  }
}
