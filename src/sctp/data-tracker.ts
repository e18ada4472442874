/**
 * The receiving side's view of TSNs (RFC 9260 §6.2): the cumulative TSN, the ranges received
 * beyond it, the duplicates to report, and when a SACK is due (every second packet with DATA,
 * at once on a gap, a duplicate or the I bit (RFC 7053), otherwise within the delayed-ack time).
 * Bounded: at most {@link MAX_GAP_RANGES} ranges and TSNs at most {@link MAX_TSN_AHEAD} past the
 * cumulative TSN are accepted; anything else is refused and the caller drops the chunk.
 */
import type { GapBlock, SackChunk } from "./chunk-types.js";
import { tsnAdd, tsnDiff, tsnLt, tsnLte } from "./tsn.js";

/** Distinct out-of-order ranges kept. */
export const MAX_GAP_RANGES = 1024;
/** How far past the cumulative TSN a new TSN may be. */
export const MAX_TSN_AHEAD = 1 << 20;
/** Duplicate TSNs kept for the next SACK. */
const MAX_DUPLICATES = 32;
/** Gap ack blocks put in one SACK (one 1200-byte packet holds about 290). */
const MAX_SACK_BLOCKS = 128;

/** What happened to a received TSN. */
export type TsnVerdict = "new" | "duplicate" | "refused";

/** Received TSNs and the SACK they call for. */
export class DataTracker {
  /** The cumulative TSN ack point: every TSN up to it was received. */
  cumulativeTsn: number;
  /** Ranges `[start, end]` (absolute TSNs) received beyond `cumulativeTsn + 1`, sorted. */
  private ranges: { start: number; end: number }[] = [];
  private duplicates: number[] = [];
  private packetsWithData = 0;
  /** A SACK is owed to the peer. */
  sackPending = false;
  /** The SACK owed must go out now, not after the delayed-ack time. */
  sackNow = false;
  /** When a delayed SACK must go out, or `undefined`. */
  sackDeadline: number | undefined;

  /** @param peerInitialTsn the peer's initial TSN (from INIT or INIT ACK) */
  constructor(peerInitialTsn: number) {
    this.cumulativeTsn = tsnAdd(peerInitialTsn, -1);
  }

  /** True when TSNs are missing below received ones. */
  get hasGaps(): boolean {
    return this.ranges.length > 0;
  }

  /** The highest TSN received so far. */
  get highestReceived(): number {
    const last = this.ranges[this.ranges.length - 1];
    return last === undefined ? this.cumulativeTsn : last.end;
  }

  /** True when `tsn` was received already. */
  contains(tsn: number): boolean {
    if (tsnLte(tsn, this.cumulativeTsn)) return true;
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const range = this.ranges[mid]!;
      if (tsnLt(range.end, tsn)) lo = mid + 1;
      else if (tsnLt(tsn, range.start)) hi = mid;
      else return true;
    }
    return false;
  }

  /** Classifies and records a received DATA TSN. */
  observe(tsn: number): TsnVerdict {
    if (tsnLte(tsn, this.cumulativeTsn)) return this.duplicate(tsn);
    if (tsnDiff(this.cumulativeTsn, tsn) > MAX_TSN_AHEAD) return "refused";
    if (tsn === tsnAdd(this.cumulativeTsn, 1)) {
      this.cumulativeTsn = tsn;
      this.absorbRanges();
      return "new";
    }
    // Binary search for the first range ending at or after tsn - 1.
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tsnLt(tsnAdd(this.ranges[mid]!.end, 1), tsn)) lo = mid + 1;
      else hi = mid;
    }
    const range = this.ranges[lo];
    if (range !== undefined && tsnLte(range.start, tsn) && tsnLte(tsn, range.end)) {
      return this.duplicate(tsn);
    }
    if (range !== undefined && tsnAdd(range.end, 1) === tsn) {
      range.end = tsn;
      const next = this.ranges[lo + 1];
      if (next !== undefined && tsnAdd(tsn, 1) === next.start) {
        range.end = next.end;
        this.ranges.splice(lo + 1, 1);
      }
      return "new";
    }
    if (range !== undefined && tsnAdd(tsn, 1) === range.start) {
      range.start = tsn;
      return "new";
    }
    if (this.ranges.length >= MAX_GAP_RANGES) return "refused";
    this.ranges.splice(lo, 0, { start: tsn, end: tsn });
    return "new";
  }

  private duplicate(tsn: number): TsnVerdict {
    if (this.duplicates.length < MAX_DUPLICATES) this.duplicates.push(tsn);
    return "duplicate";
  }

  private absorbRanges(): void {
    const first = this.ranges[0];
    if (first !== undefined && first.start === tsnAdd(this.cumulativeTsn, 1)) {
      this.cumulativeTsn = first.end;
      this.ranges.shift();
    }
  }

  /**
   * Moves the cumulative TSN to `newCumulativeTsn` (FORWARD TSN, RFC 3758 §3.6) and drops the
   * ranges it covers. Returns false when it is not ahead of the current one.
   */
  forwardTo(newCumulativeTsn: number): boolean {
    if (!tsnLt(this.cumulativeTsn, newCumulativeTsn)) return false;
    this.cumulativeTsn = newCumulativeTsn;
    while (this.ranges.length > 0 && tsnLte(this.ranges[0]!.start, newCumulativeTsn)) {
      const first = this.ranges[0]!;
      if (tsnLt(newCumulativeTsn, first.end)) {
        first.start = tsnAdd(newCumulativeTsn, 1);
        break;
      }
      this.ranges.shift();
    }
    this.absorbRanges();
    return true;
  }

  /**
   * Notes a packet that carried DATA (§6.2): a SACK is owed, at once when `immediate` or on
   * every second such packet, else by `now + delay`.
   */
  packetWithData(now: number, immediate: boolean, delay: number): void {
    this.sackPending = true;
    this.packetsWithData++;
    if (
      immediate ||
      this.packetsWithData >= 2 ||
      this.ranges.length > 0 ||
      this.duplicates.length > 0
    ) {
      this.sackNow = true;
    } else if (this.sackDeadline === undefined) {
      this.sackDeadline = now + delay;
    }
  }

  /** The SACK to send now, with `aRwnd` as the advertised window; clears what was owed. */
  takeSack(aRwnd: number): SackChunk {
    const gapBlocks: GapBlock[] = [];
    for (const range of this.ranges) {
      if (gapBlocks.length >= MAX_SACK_BLOCKS) break;
      const start = tsnDiff(this.cumulativeTsn, range.start);
      const end = tsnDiff(this.cumulativeTsn, range.end);
      if (end > 0xffff) break;
      gapBlocks.push({ start, end });
    }
    const sack: SackChunk = {
      type: 3,
      cumulativeTsnAck: this.cumulativeTsn,
      aRwnd: Math.max(0, aRwnd) >>> 0,
      gapBlocks,
      duplicateTsns: this.duplicates,
    };
    this.duplicates = [];
    this.packetsWithData = 0;
    this.sackPending = false;
    this.sackNow = false;
    this.sackDeadline = undefined;
    return sack;
  }
}
