/**
 * The receiving half of an association: which TSNs arrived (and the SACKs they call for), the
 * receive window, and reassembly into messages. A DATA chunk is taken when it fits the window
 * (RFC 9260 §6.2: a_rwnd is the window minus what reassembly holds); the next expected TSN is
 * always taken up to one message past the window, so a full buffer of out-of-order data can
 * still be unblocked. Anything else is dropped and counted; the peer retransmits it.
 */
import type { DataChunk, ForwardTsnChunk } from "./chunk-types.js";
import { DataTracker, MAX_TSN_AHEAD } from "./data-tracker.js";
import { Reassembly, type ReceivedMessage } from "./reassembly.js";
import { tsnAdd, tsnDiff } from "./tsn.js";

/** What became of a DATA chunk. */
export type DataVerdict = "new" | "duplicate" | "over-window" | "too-large";

/** TSNs in, messages out. */
export class DataReceiver {
  readonly tracker: DataTracker;
  private readonly reassembly: Reassembly;

  constructor(
    peerInitialTsn: number,
    private readonly receiveWindow: number,
    private readonly maxMessageSize: number,
    deliver: (message: ReceivedMessage) => void,
  ) {
    this.tracker = new DataTracker(peerInitialTsn);
    this.reassembly = new Reassembly(maxMessageSize, deliver);
  }

  /** Bytes held for reassembly. */
  get bufferedBytes(): number {
    return this.reassembly.bufferedBytes;
  }

  /** The window to advertise (a_rwnd, §6.2). */
  get aRwnd(): number {
    return Math.max(0, this.receiveWindow - this.reassembly.bufferedBytes);
  }

  /** Takes one DATA chunk (with at least one byte of user data). */
  handleData(chunk: DataChunk): DataVerdict {
    const tracker = this.tracker;
    if (tracker.contains(chunk.tsn)) {
      tracker.observe(chunk.tsn);
      return "duplicate";
    }
    const size = chunk.userData.length;
    const buffered = this.reassembly.bufferedBytes;
    const next = chunk.tsn === tsnAdd(tracker.cumulativeTsn, 1);
    const limit = next ? this.receiveWindow + this.maxMessageSize : this.receiveWindow;
    if (buffered + size > limit) return "over-window";
    if (tracker.observe(chunk.tsn) !== "new") return "over-window";
    return this.reassembly.add(chunk) === "too-large" ? "too-large" : "new";
  }

  /** Applies a FORWARD TSN (RFC 3758 §3.6); false when it was stale or out of range. */
  handleForwardTsn(chunk: ForwardTsnChunk): boolean {
    const tracker = this.tracker;
    if (tsnDiff(tracker.highestReceived, chunk.newCumulativeTsn) > MAX_TSN_AHEAD) return false;
    if (!tracker.forwardTo(chunk.newCumulativeTsn)) return false;
    this.reassembly.forward(chunk.newCumulativeTsn, chunk.streams);
    return true;
  }

  /** The peer reset these outgoing streams of its own (RFC 6525 §5.2.2). */
  resetStreams(streamIds: readonly number[]): void {
    for (const id of streamIds) this.reassembly.resetStream(id);
  }
}
