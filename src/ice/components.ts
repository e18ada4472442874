/**
 * Per-component bookkeeping of nomination, consent and failure (RFC 8445 §8, RFC 7675): the one
 * place the agent keeps a record per component, and iterates over them.
 */
import type { Rng } from "../common/rng.js";
import { Consent, type ConsentTiming } from "./consent.js";
import type { PairCredentials } from "./identity.js";
import type { CandidatePair } from "./pair.js";

/** What the agent tracks for one component. */
export interface ComponentRecord {
  /** 1-based component id. */
  readonly component: number;
  /** The selected pair (RFC 8445 §8.1.1, §8.2). */
  selected: CandidatePair | undefined;
  /**
   * After an ICE restart: the old selected pair, which carries data until a new one is selected
   * (RFC 8445 §9), and keeps its consent checks meanwhile (RFC 7675 §5.1).
   */
  previous: CandidatePair | undefined;
  /** The credentials of the generation `previous` was selected in: its consent checks use them. */
  previousCredentials: PairCredentials | undefined;
  /** When the first pair of this component became valid (nomination waits from there). */
  firstValidAt: number | undefined;
  /** The pair the controlling agent is nominating (its USE-CANDIDATE check is in flight). */
  nominating: CandidatePair | undefined;
  /** Consent freshness of the selected pair (RFC 7675). */
  readonly consent: Consent;
  /** Since when the component has looked hopeless (see `FailureJudge`). */
  failingSince: number | undefined;
}

/** The records of components 1..n, in order; iterate with `for…of`. */
export class Components implements Iterable<ComponentRecord> {
  private readonly records: ComponentRecord[] = [];

  constructor(count: number, rng: Rng, timing: ConsentTiming) {
    for (let component = 1; component <= count; component++) {
      this.records.push({
        component,
        selected: undefined,
        previous: undefined,
        previousCredentials: undefined,
        firstValidAt: undefined,
        nominating: undefined,
        consent: new Consent(rng, timing),
        failingSince: undefined,
      });
    }
  }

  /** How many components there are. */
  get count(): number {
    return this.records.length;
  }

  /** The record of `component`, or undefined outside 1..count. */
  get(component: number): ComponentRecord | undefined {
    return this.records[component - 1];
  }

  /** The record of the component `pair` belongs to (pairs only exist for valid components). */
  of(pair: CandidatePair): ComponentRecord {
    return this.records[pair.component - 1]!;
  }

  [Symbol.iterator](): Iterator<ComponentRecord> {
    return this.records[Symbol.iterator]();
  }

  /** The selected pairs, component by component. */
  selectedPairs(): CandidatePair[] {
    return this.records.flatMap((r) => (r.selected ? [r.selected] : []));
  }

  /**
   * ICE restart at `now` (RFC 8445 §9): nomination starts over. Each component's selected pair
   * (selected with `credentials`), or the one it kept from an earlier restart, becomes
   * `previous`, to carry data until a new pair is selected; its consent goes on, with the
   * credentials of its own generation (RFC 7675 §5.1). A pair whose consent has expired is not
   * kept: it may not carry data.
   */
  restart(now: number, credentials: PairCredentials | undefined): void {
    for (const record of this.records) {
      if (record.selected !== undefined) {
        record.previous = record.selected;
        record.previousCredentials = credentials;
      }
      if (
        record.previous !== undefined &&
        (record.previousCredentials === undefined || record.consent.status(now) === "expired")
      ) {
        record.previous = undefined;
        record.previousCredentials = undefined;
      }
      if (record.previous === undefined) record.consent.stop();
      record.selected = undefined;
      record.firstValidAt = undefined;
      record.nominating = undefined;
      record.failingSince = undefined;
    }
  }

  /** The old pair is given up (its consent expired, or a new pair was selected). */
  dropPrevious(record: ComponentRecord): void {
    record.previous = undefined;
    record.previousCredentials = undefined;
    if (record.selected === undefined) record.consent.stop();
  }
}
