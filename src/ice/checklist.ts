/**
 * The check list of one data stream (all components): pair formation with a cap, pruning of
 * redundant pairs, the frozen/waiting rules of RFC 8445 §6.1.2.6 and §6.1.4.2, and the triggered
 * check queue (§7.3.1.4).
 */
import type { LocalCandidate } from "./candidate.js";
import { CandidatePair, pairKey } from "./pair.js";
import type { Candidate, IceRole } from "./types.js";

/** Pairs ordered by priority, highest first, ties by key so the order is deterministic. */
function byPriority(a: CandidatePair, b: CandidatePair): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** What happened when a pair was offered to the list. */
export type AddPairResult =
  | { readonly kind: "added"; readonly pair: CandidatePair; readonly evicted?: CandidatePair }
  | { readonly kind: "exists"; readonly pair: CandidatePair }
  | { readonly kind: "cap" };

export class CheckList {
  private readonly ordered: CandidatePair[] = [];
  private readonly byKey = new Map<string, CandidatePair>();
  private readonly triggered: CandidatePair[] = [];

  constructor(private readonly maxPairs: number) {}

  /** Every pair, highest priority first. */
  get pairs(): readonly CandidatePair[] {
    return this.ordered;
  }

  /** The pair of this local base and remote address, if formed. */
  get(local: LocalCandidate, remote: Candidate): CandidatePair | undefined {
    return this.byKey.get(pairKey(local, remote));
  }

  /**
   * Forms a pair (RFC 8445 §6.1.2.2). A pair with the same local base and remote address is
   * redundant (§6.1.2.4) and not added again. At the cap (§6.1.2.5) the lowest-priority pair
   * that has not been checked yet makes room for a better one; otherwise the new pair is refused.
   */
  add(local: LocalCandidate, remote: Candidate, role: IceRole): AddPairResult {
    const existing = this.get(local, remote);
    if (existing !== undefined) return { kind: "exists", pair: existing };
    const pair = new CandidatePair(local, remote, role);
    let evicted: CandidatePair | undefined;
    if (this.ordered.length >= this.maxPairs) {
      const victim = this.lowestUnchecked();
      if (victim === undefined || byPriority(pair, victim) > 0) return { kind: "cap" };
      this.remove(victim);
      evicted = victim;
    }
    // §6.1.2.6 with trickle: waiting, unless a pair of the same foundation and a lower or equal
    // component is already waiting or being checked — then it waits for that one's outcome. A
    // later pair of a lower component goes first (the RFC checks the lowest component first),
    // and a same-foundation pair of a higher component that has not started yet waits for it.
    // Both agents then check component 1 first, which matters when both sides' NATs only open
    // for addresses they have sent to. A component that already has a valid pair holds nobody
    // back: its other checks may take a full timeout to fail.
    const settled = new Set(this.ordered.filter((p) => p.valid).map((p) => p.component));
    const busy = this.ordered.some(
      (p) =>
        p.foundation === pair.foundation &&
        p.component <= pair.component &&
        !(p.component < pair.component && settled.has(p.component)) &&
        (p.state === "waiting" || p.state === "in-progress"),
    );
    pair.state = busy ? "frozen" : "waiting";
    if (!busy) {
      for (const p of this.ordered) {
        if (
          p.foundation === pair.foundation &&
          p.component > pair.component &&
          p.state === "waiting"
        ) {
          p.state = "frozen";
        }
      }
    }
    this.insert(pair);
    return evicted ? { kind: "added", pair, evicted } : { kind: "added", pair };
  }

  /** Recomputes every priority after a role change (RFC 8445 §7.2.5.1) and re-sorts. */
  setRole(role: IceRole): void {
    for (const pair of this.ordered) pair.updatePriority(role);
    this.ordered.sort(byPriority);
  }

  /** Re-sorts after a remote candidate's priority changed. */
  resort(): void {
    this.ordered.sort(byPriority);
  }

  /**
   * Queues a triggered check (RFC 8445 §7.3.1.4): a frozen, waiting or failed pair becomes
   * waiting and is checked before ordinary ones. A pair being checked gets an immediate
   * retransmission of its check instead (the caller pumps transactions afterwards).
   */
  trigger(pair: CandidatePair, now: number): void {
    if (pair.state === "in-progress") {
      // Not for a nomination on a pair already known to work: its check is not stuck.
      if (!pair.valid) pair.check?.transaction.retransmitNow(now);
      return;
    }
    if (pair.state === "succeeded") return;
    pair.state = "waiting";
    if (!this.triggered.includes(pair)) this.triggered.push(pair);
  }

  /**
   * After a success on `pair`: RFC 8445 §7.2.5.3.3 unfreezes the pairs that share its foundation.
   * We also unfreeze every frozen pair of the other components: the success proves the peer is
   * reachable, and when it came through a peer-reflexive candidate (a new foundation) the other
   * components would otherwise wait for unrelated checks to time out (see README, "Scope and
   * deviations").
   */
  unfreezeAfterSuccess(pair: CandidatePair): void {
    for (const other of this.ordered) {
      if (other.state !== "frozen") continue;
      if (other.foundation === pair.foundation || other.component !== pair.component)
        other.state = "waiting";
    }
  }

  /**
   * The next pair to check (RFC 8445 §6.1.4.2): the oldest triggered one, else the best waiting
   * one; with none waiting, the best frozen pair of each foundation that has nothing waiting or
   * in progress is unfrozen first.
   */
  next(): CandidatePair | undefined {
    while (this.triggered.length > 0) {
      const pair = this.triggered.shift()!;
      if (pair.state === "waiting" && this.byKey.get(pair.key) === pair) return pair;
    }
    const waiting = this.ordered.find((p) => p.state === "waiting");
    if (waiting !== undefined) return waiting;
    const active = new Set(
      this.ordered.filter((p) => p.state === "in-progress").map((p) => p.foundation),
    );
    let unfrozen = false;
    for (const pair of this.ordered) {
      if (pair.state === "frozen" && !active.has(pair.foundation)) {
        pair.state = "waiting";
        active.add(pair.foundation);
        unfrozen = true;
      }
    }
    return unfrozen ? this.ordered.find((p) => p.state === "waiting") : undefined;
  }

  /** Pairs in the triggered check queue: each at most once, and only pairs of the list. */
  get triggeredCount(): number {
    return this.triggered.length;
  }

  /** Pairs waiting or in progress: N in RFC 8445 §14.3's RTO = max(500 ms, Ta·N). */
  get activeCount(): number {
    let count = 0;
    for (const pair of this.ordered)
      if (pair.state === "waiting" || pair.state === "in-progress") count++;
    return count;
  }

  /** True while some pair of `component` may still be checked (frozen, waiting or in progress). */
  hasPending(component: number): boolean {
    return this.ordered.some(
      (p) =>
        p.component === component &&
        (p.state === "frozen" || p.state === "waiting" || p.state === "in-progress"),
    );
  }

  /**
   * True when {@link next} would return a pair now: a waiting one, or a frozen one whose
   * foundation has no check in progress. Frozen pairs waiting on an active foundation do not
   * count — the outcome of that check will wake the agent.
   */
  get hasWork(): boolean {
    if (this.triggered.some((p) => p.state === "waiting")) return true;
    if (this.ordered.some((p) => p.state === "waiting")) return true;
    const active = new Set(
      this.ordered.filter((p) => p.state === "in-progress").map((p) => p.foundation),
    );
    return this.ordered.some((p) => p.state === "frozen" && !active.has(p.foundation));
  }

  /** Drops every pair (ICE restart). */
  clear(): void {
    this.ordered.length = 0;
    this.byKey.clear();
    this.triggered.length = 0;
  }

  /** Inserts in priority order. */
  private insert(pair: CandidatePair): void {
    this.byKey.set(pair.key, pair);
    let index = this.ordered.findIndex((p) => byPriority(pair, p) < 0);
    if (index < 0) index = this.ordered.length;
    this.ordered.splice(index, 0, pair);
  }

  private remove(pair: CandidatePair): void {
    this.byKey.delete(pair.key);
    this.ordered.splice(this.ordered.indexOf(pair), 1);
    const queued = this.triggered.indexOf(pair);
    if (queued >= 0) this.triggered.splice(queued, 1);
  }

  private lowestUnchecked(): CandidatePair | undefined {
    for (let i = this.ordered.length - 1; i >= 0; i--) {
      const pair = this.ordered[i]!;
      if (pair.state === "frozen" || pair.state === "waiting") return pair;
    }
    return undefined;
  }
}
