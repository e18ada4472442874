/**
 * Nomination and selection (RFC 8445 §8): the controlling agent nominates the best valid pair
 * of each component with a USE-CANDIDATE check — as soon as no better pair is still pending, or
 * `nominationSettleMs` after the component's first valid pair — and either side selects a
 * nominated pair, keeping the best one (§8.1.1, §8.2).
 */
import type { Deadline, Outbox } from "../common/sans-io.js";
import type { CheckTransactions } from "./check-transactions.js";
import type { CheckList } from "./checklist.js";
import type { CheckScheduler } from "./checks.js";
import type { ComponentRecord, Components } from "./components.js";
import type { Identity } from "./identity.js";
import { pairInfo, type CandidatePair } from "./pair.js";
import type { AgentSettings } from "./settings.js";
import type { ComponentStates } from "./states.js";
import type { AgentEvent } from "./types.js";

/** Nominates (controlling) and selects pairs; the selection lives in each component's record. */
export class Nomination {
  constructor(
    private readonly settings: AgentSettings,
    private readonly identity: Identity,
    private readonly checklist: CheckList,
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly scheduler: CheckScheduler,
    private readonly transactions: CheckTransactions,
    private readonly events: Outbox<AgentEvent>,
  ) {}

  /**
   * Regular nomination by the controlling agent (RFC 8445 §8.1.1): USE-CANDIDATE on the best
   * valid pair as soon as no better pair is still pending, or `nominationSettleMs` after the
   * first valid pair, whichever comes first. Nomination checks are not paced by Ta.
   */
  nominate(now: number): void {
    if (this.identity.role !== "controlling" || this.identity.remoteKey === undefined) return;
    for (const record of this.components) {
      if (record.selected !== undefined || record.nominating !== undefined) continue;
      const best = this.bestValid(record.component);
      if (best === undefined) continue;
      const betterPending = this.checklist.pairs.some(
        (p) =>
          p.component === record.component &&
          !p.valid &&
          (p.state === "waiting" || p.state === "in-progress" || p.state === "frozen") &&
          p.priority > best.priority,
      );
      if (betterPending && now < (record.firstValidAt ?? now) + this.settings.nominationSettleMs)
        continue;
      record.nominating = best;
      this.scheduler.startCheck(now, best, true);
    }
  }

  /** Makes `pair` the selected pair of its component if it is the best nominated one. */
  select(now: number, pair: CandidatePair): void {
    pair.nominated = true;
    const record = this.components.of(pair);
    const current = record.selected;
    const role = this.identity.role;
    if (
      current !== undefined &&
      current !== pair &&
      current.validPriority(role) >= pair.validPriority(role)
    ) {
      return;
    }
    if (current === pair) return;
    record.selected = pair;
    // RFC 8445 §9: the new generation carries the data now; the old pair's consent stops.
    const previous = record.previous;
    this.components.dropPrevious(record);
    if (previous !== undefined) this.transactions.cancelConsent(previous);
    record.consent.start(now);
    this.events.push({ type: "selected-pair", ...pairInfo(pair) });
    this.states.set(pair.component, "completed");
  }

  /**
   * A check on `pair` succeeded: the component's first valid pair starts the nomination clock,
   * and a nominated pair is selected — ours (controlling, the USE-CANDIDATE check came back) or
   * the peer's (controlled, RFC 8445 §7.3.1.5).
   */
  succeeded(now: number, pair: CandidatePair, wasNominating: boolean): void {
    this.components.of(pair).firstValidAt ??= now;
    const role = this.identity.role;
    if (
      (wasNominating && role === "controlling") ||
      (pair.remoteNominated && role === "controlled")
    ) {
      this.select(now, pair);
    }
  }

  /** The valid pair of `component` with the highest priority, if any. */
  bestValid(component: number): CandidatePair | undefined {
    const role = this.identity.role;
    let best: CandidatePair | undefined;
    for (const pair of this.checklist.pairs) {
      if (pair.component !== component || !pair.valid) continue;
      if (best === undefined || pair.validPriority(role) > best.validPriority(role)) best = pair;
    }
    return best;
  }

  /** When a waiting nomination must go ahead anyway. */
  deadline(record: ComponentRecord): Deadline {
    if (
      this.identity.role === "controlling" &&
      record.selected === undefined &&
      record.nominating === undefined &&
      record.firstValidAt !== undefined
    )
      return record.firstValidAt + this.settings.nominationSettleMs;
    return undefined;
  }
}
