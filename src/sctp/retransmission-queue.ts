/**
 * DATA chunks sent and not yet covered by the peer's cumulative TSN ack: SACK processing with
 * gap ack blocks (RFC 9260 §6.2.1), miss indications and fast retransmit (§7.2.4), marking for
 * retransmission on T3-rtx expiry (§6.3.3), and partial reliability (RFC 3758 §3.5): abandoning
 * messages by retransmission count or lifetime, the Advanced.Peer.Ack.Point and the streams a
 * FORWARD TSN must name.
 */
import type { DataChunk, ForwardTsnChunk, SackChunk } from "./chunk-types.js";
import type { OutgoingMessage } from "./send-queue.js";
import { tsnAdd, tsnDiff, tsnLt, tsnLte } from "./tsn.js";

/** Gap ack blocks read from one SACK; the rest are ignored. */
const MAX_GAP_BLOCKS = 512;

/** Bytes a DATA chunk counts for in the flight size and the windows (header + user data). */
export function chunkBytes(userDataLength: number): number {
  return 16 + userDataLength;
}

/** One sent DATA chunk. */
export interface InFlight {
  readonly chunk: DataChunk;
  readonly message: OutgoingMessage;
  readonly bytes: number;
  sentAt: number;
  transmissions: number;
  /** Acknowledged by a gap ack block. */
  acked: boolean;
  /** Waiting in line for retransmission. */
  retransmit: boolean;
  /** Counted in the flight size. */
  inFlight: boolean;
  abandoned: boolean;
  missIndications: number;
  fastRetransmitted: boolean;
}

/** What one SACK changed. */
export interface SackOutcome {
  /** The SACK was older than one already processed, or out of range: ignored. */
  readonly ignored: boolean;
  /** Bytes of chunks newly acknowledged, by the cumulative TSN ack or a gap ack block. */
  readonly bytesAcked: number;
  /** The cumulative TSN ack point moved. */
  readonly cumulativeAdvanced: boolean;
  /** An RTT measurement from a chunk sent once (Karn's rule, §6.3.1 C5). */
  readonly rtt: number | undefined;
  /** Chunks that reached three miss indications in this SACK. */
  readonly newFastRetransmits: number;
}

/** The outstanding DATA chunks, oldest TSN first. */
export class RetransmissionQueue {
  private items: InFlight[] = [];
  private head = 0;
  /** The cumulative TSN ack point (last TSN the peer has cumulatively acknowledged). */
  cumulativeTsnAck: number;
  /** Advanced.Peer.Ack.Point (RFC 3758 §3.5). */
  advancedPeerAckPoint: number;
  /** Bytes of chunks counted in flight. */
  flightSize = 0;
  /** Bytes of chunks not yet cumulatively acknowledged (for the peer's rwnd, §6.2.1). */
  outstandingBytes = 0;
  /** Messages abandoned (RFC 3758). */
  messagesAbandoned = 0;
  /** The peer supports FORWARD TSN; without it nothing is ever abandoned. */
  partialReliability = false;
  /** Outstanding chunks waiting for retransmission (so a fill need not scan them all). */
  private marked = 0;
  /** Outstanding chunks acknowledged by gap ack blocks (so a SACK without gaps need not scan). */
  private gapAcked = 0;

  /** @param initialTsn our initial TSN */
  constructor(initialTsn: number) {
    this.cumulativeTsnAck = tsnAdd(initialTsn, -1);
    this.advancedPeerAckPoint = this.cumulativeTsnAck;
  }

  /** Outstanding chunks. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** The chunk with `tsn`, if outstanding. */
  private at(tsn: number): InFlight | undefined {
    const first = this.items[this.head];
    if (first === undefined) return undefined;
    const index = tsnDiff(first.chunk.tsn, tsn);
    return index >= 0 ? this.items[this.head + index] : undefined;
  }

  /** The highest TSN sent, or the cumulative ack point when nothing is outstanding. */
  get highestTsn(): number {
    const last = this.items[this.items.length - 1];
    return this.size > 0 && last !== undefined ? last.chunk.tsn : this.cumulativeTsnAck;
  }

  /** Records a chunk sent for the first time. */
  add(now: number, chunk: DataChunk, message: OutgoingMessage): void {
    const bytes = chunkBytes(chunk.userData.length);
    this.items.push({
      chunk,
      message,
      bytes,
      sentAt: now,
      transmissions: 1,
      acked: false,
      retransmit: false,
      inFlight: true,
      abandoned: false,
      missIndications: 0,
      fastRetransmitted: false,
    });
    this.flightSize += bytes;
    this.outstandingBytes += bytes;
  }

  private setRetransmit(item: InFlight, value: boolean): void {
    if (item.retransmit !== value) this.marked += value ? 1 : -1;
    item.retransmit = value;
  }

  private setAcked(item: InFlight, value: boolean): void {
    if (item.acked !== value) this.gapAcked += value ? 1 : -1;
    item.acked = value;
  }

  /** Applies a SACK (§6.2.1, §7.2.4 miss indications). */
  handleSack(now: number, sack: SackChunk): SackOutcome {
    const cum = sack.cumulativeTsnAck;
    const ignored: SackOutcome = {
      ignored: true,
      bytesAcked: 0,
      cumulativeAdvanced: false,
      rtt: undefined,
      newFastRetransmits: 0,
    };
    // §6.2.1 D i: a SACK older than the cumulative ack point is out of order.
    if (tsnLt(cum, this.cumulativeTsnAck)) return ignored;
    // A SACK for TSNs never sent is a protocol violation; it is dropped.
    if (tsnLt(this.highestTsn, cum)) return ignored;
    let bytesAcked = 0;
    let rtt: number | undefined;
    let highestNewlyAcked: number | undefined;
    while (this.size > 0 && tsnLte(this.items[this.head]!.chunk.tsn, cum)) {
      const item = this.items[this.head]!;
      if (!item.acked && !item.abandoned) bytesAcked += item.bytes;
      if (!item.acked) highestNewlyAcked = item.chunk.tsn;
      if (item.transmissions === 1 && !item.acked && !item.abandoned) rtt = now - item.sentAt;
      this.release(item);
      this.head++;
    }
    this.compact();
    const cumulativeAdvanced = cum !== this.cumulativeTsnAck;
    this.cumulativeTsnAck = cum;
    if (tsnLt(this.advancedPeerAckPoint, cum)) this.advancedPeerAckPoint = cum;

    // Gap ack blocks: mark acked, unmark what the peer reneged on (§6.2.1 D iii–iv). Blocks
    // are clamped to what is outstanding, and at most MAX_GAP_BLOCKS are read, so a hostile
    // SACK costs at most that many passes over the outstanding chunks.
    const first = this.items[this.head];
    if (first !== undefined && (sack.gapBlocks.length > 0 || this.gapAcked > 0)) {
      const gapAcked = new Set<number>();
      const lastOffset = tsnDiff(cum, this.highestTsn);
      const blocks =
        sack.gapBlocks.length > MAX_GAP_BLOCKS
          ? sack.gapBlocks.slice(0, MAX_GAP_BLOCKS)
          : sack.gapBlocks;
      for (const block of blocks) {
        if (block.start === 0 || block.end < block.start) continue;
        const end = Math.min(block.end, lastOffset);
        for (let offset = block.start; offset <= end; offset++) {
          const item = this.at(tsnAdd(cum, offset));
          if (item === undefined) break;
          gapAcked.add(item.chunk.tsn);
          if (!item.acked) {
            if (!item.abandoned) bytesAcked += item.bytes;
            this.setAcked(item, true);
            if (item.inFlight) {
              item.inFlight = false;
              this.flightSize -= item.bytes;
            }
            this.setRetransmit(item, false);
            if (highestNewlyAcked === undefined || tsnLt(highestNewlyAcked, item.chunk.tsn)) {
              highestNewlyAcked = item.chunk.tsn;
            }
          }
        }
      }
      if (this.gapAcked > gapAcked.size) {
        for (let i = this.head; i < this.items.length; i++) {
          const item = this.items[i]!;
          if (item.acked && !gapAcked.has(item.chunk.tsn)) {
            this.setAcked(item, false);
            if (!item.abandoned) this.setRetransmit(item, true);
          }
        }
      }
    }

    // §7.2.4: miss indications for chunks below the highest newly acknowledged TSN.
    let newFastRetransmits = 0;
    if (highestNewlyAcked !== undefined) {
      for (let i = this.head; i < this.items.length; i++) {
        const item = this.items[i]!;
        if (!tsnLt(item.chunk.tsn, highestNewlyAcked)) break;
        if (item.acked || item.abandoned || item.retransmit || item.fastRetransmitted) continue;
        if (++item.missIndications >= 3) {
          item.fastRetransmitted = true;
          this.markForRetransmission(now, item);
          newFastRetransmits++;
        }
      }
    }
    return { ignored: false, bytesAcked, cumulativeAdvanced, rtt, newFastRetransmits };
  }

  /** T3-rtx expired: every unacknowledged chunk goes back in line (§6.3.3 E3). */
  markAllForRetransmission(now: number): void {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (!item.acked && !item.abandoned) this.markForRetransmission(now, item);
    }
  }

  private markForRetransmission(now: number, item: InFlight): void {
    if (item.inFlight) {
      item.inFlight = false;
      this.flightSize -= item.bytes;
    }
    if (this.shouldAbandon(now, item)) this.abandon(item.message);
    else this.setRetransmit(item, true);
  }

  /** RFC 3758 §3.5 A1–A3 with the RFC 8831 §6.1 policies. */
  private shouldAbandon(now: number, item: InFlight): boolean {
    if (!this.partialReliability) return false;
    const m = item.message;
    if (m.maxRetransmits !== undefined && item.transmissions - 1 >= m.maxRetransmits) return true;
    return m.expiresAt !== undefined && now >= m.expiresAt;
  }

  /** Abandons every outstanding fragment of `message` (its unsent ones are dropped unsent). */
  abandon(message: OutgoingMessage): void {
    if (!message.abandoned) this.messagesAbandoned++;
    message.abandoned = true;
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item.message !== message || item.abandoned) continue;
      item.abandoned = true;
      this.setRetransmit(item, false);
      if (item.inFlight) {
        item.inFlight = false;
        this.flightSize -= item.bytes;
      }
    }
  }

  /** Chunks waiting for retransmission, oldest first. */
  *pendingRetransmissions(): Generator<InFlight> {
    if (this.marked === 0) return;
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item.retransmit && !item.abandoned && !item.acked) yield item;
    }
  }

  /** True when some chunk waits for retransmission. */
  get hasRetransmissions(): boolean {
    return this.marked > 0;
  }

  /** Records a retransmission of `item`. */
  retransmitted(now: number, item: InFlight): void {
    this.setRetransmit(item, false);
    item.transmissions++;
    item.sentAt = now;
    item.missIndications = 0;
    item.inFlight = true;
    this.flightSize += item.bytes;
  }

  /**
   * Moves the Advanced.Peer.Ack.Point over abandoned chunks (RFC 3758 §3.5 C1–C2) and returns
   * the FORWARD TSN to send, or `undefined` when the point did not pass the cumulative ack.
   */
  forwardTsn(): ForwardTsnChunk | undefined {
    const skipped = new Map<number, number>();
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (!item.abandoned) break;
      this.advancedPeerAckPoint = item.chunk.tsn;
      if (!item.chunk.unordered) skipped.set(item.chunk.streamId, item.chunk.ssn);
    }
    if (!tsnLt(this.cumulativeTsnAck, this.advancedPeerAckPoint)) return undefined;
    // §3.5 C4: name every ordered stream with an abandoned message up to the new point.
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (tsnLt(this.advancedPeerAckPoint, item.chunk.tsn)) break;
      if (!item.chunk.unordered) skipped.set(item.chunk.streamId, item.chunk.ssn);
    }
    return {
      type: 192,
      newCumulativeTsn: this.advancedPeerAckPoint,
      streams: [...skipped].map(([streamId, ssn]) => ({ streamId, ssn })),
    };
  }

  /** Forgets everything (the association closed). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.flightSize = 0;
    this.outstandingBytes = 0;
    this.marked = 0;
    this.gapAcked = 0;
  }

  private release(item: InFlight): void {
    this.setRetransmit(item, false);
    this.setAcked(item, false);
    if (item.inFlight) this.flightSize -= item.bytes;
    this.outstandingBytes -= item.bytes;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
