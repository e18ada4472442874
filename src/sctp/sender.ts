/**
 * The sending half of an association: the queue of unsent messages, the outstanding DATA chunks,
 * congestion control and the T3-rtx timer. It decides what DATA goes out (retransmissions first,
 * then new data within cwnd and the peer's receive window, RFC 9260 §6.1), handles SACKs
 * (§6.2.1, §7.2), T3-rtx expiries (§6.3.3) and partial reliability (RFC 3758 §3.5).
 */
import type { DataChunk, SackChunk } from "./chunk-types.js";
import { CongestionControl } from "./congestion.js";
import type { PacketBuilder } from "./packet-builder.js";
import { RetransmissionQueue, chunkBytes } from "./retransmission-queue.js";
import type { RtoEstimator } from "./rto.js";
import { SendQueue, type OutgoingMessage } from "./send-queue.js";
import { tsnAdd } from "./tsn.js";

/** Below this many bytes of room, a new fragment starts a new packet instead. */
const MIN_FRAGMENT = 128;

/** Counters of the sending half. */
export interface SenderCounters {
  dataChunksSent: number;
  messagesSent: number;
  retransmissions: number;
  fastRetransmissions: number;
  t3Expirations: number;
  forwardTsnsSent: number;
}

/** Messages out, SACKs in. */
export class DataSender {
  readonly queue: SendQueue;
  readonly outstanding: RetransmissionQueue;
  /** Set once the handshake told us the peer's window. */
  congestion: CongestionControl | undefined;
  /** The peer's receive window (§6.2.1: its a_rwnd minus what is outstanding). */
  peerRwnd = 0;
  /** The next TSN to assign. */
  private nextTsn: number;
  /** Whether the peer supports FORWARD TSN (RFC 3758). */
  partialReliability = false;
  /** When T3-rtx expires, or `undefined` when it is not running. */
  t3Deadline: number | undefined;
  /** A FORWARD TSN must be sent (RFC 3758 §3.5 C3). */
  private forwardTsnDue = false;
  /** The new cumulative TSN of the last FORWARD TSN sent. */
  private lastForwardTsn: number | undefined;
  /** The first packet after a fast retransmit ignores cwnd (§7.2.4 step 3). */
  private fastRetransmitPacket = false;
  readonly counters: SenderCounters = {
    dataChunksSent: 0,
    messagesSent: 0,
    retransmissions: 0,
    fastRetransmissions: 0,
    t3Expirations: 0,
    forwardTsnsSent: 0,
  };

  constructor(
    localInitialTsn: number,
    sendQueueLimit: number,
    private readonly mtu: number,
    private readonly rto: RtoEstimator,
  ) {
    this.queue = new SendQueue(sendQueueLimit);
    this.outstanding = new RetransmissionQueue(localInitialTsn);
    this.nextTsn = localInitialTsn;
  }

  /** The handshake is done: the peer's initial window and extensions are known. */
  start(peerRwnd: number, partialReliability: boolean): void {
    this.congestion = new CongestionControl(this.mtu, peerRwnd);
    this.peerRwnd = peerRwnd;
    this.partialReliability = partialReliability;
    this.queue.partialReliability = partialReliability;
    this.outstanding.partialReliability = partialReliability;
  }

  /** The last TSN assigned (for a stream reset request, RFC 6525 §4.1). */
  get lastAssignedTsn(): number {
    return tsnAdd(this.nextTsn, -1);
  }

  /** True when nothing waits and nothing is outstanding. */
  get idle(): boolean {
    return this.queue.isEmpty && this.outstanding.size === 0;
  }

  /** True when `fill` would add something now. */
  get wantsToSend(): boolean {
    const cc = this.congestion;
    if (cc === undefined) return false;
    if (this.forwardTsnDue) return true;
    if (!this.outstanding.hasRetransmissions && this.queue.isEmpty) return false;
    return this.fastRetransmitPacket || this.outstanding.flightSize < cc.cwnd;
  }

  /**
   * Applies a SACK. Returns true when the cumulative TSN ack point advanced (the error counter
   * of §8.1 then restarts).
   */
  handleSack(now: number, sack: SackChunk): boolean {
    const cc = this.congestion;
    if (cc === undefined) return false;
    const flightBefore = this.outstanding.flightSize;
    const outcome = this.outstanding.handleSack(now, sack);
    if (outcome.ignored) return false;
    this.peerRwnd = Math.max(0, sack.aRwnd - this.outstanding.outstandingBytes);
    if (outcome.cumulativeAdvanced) {
      cc.onCumulativeAck(outcome.bytesAcked, flightBefore, sack.cumulativeTsnAck);
      if (outcome.rtt !== undefined) this.rto.measure(outcome.rtt);
    }
    if (outcome.newFastRetransmits > 0) {
      this.counters.fastRetransmissions += outcome.newFastRetransmits;
      cc.onFastRetransmit(this.outstanding.highestTsn);
      this.fastRetransmitPacket = true;
    }
    // §6.3.2 R2–R3.
    if (this.outstanding.size === 0) {
      this.t3Deadline = undefined;
      cc.onAllAcked();
    } else if (outcome.cumulativeAdvanced) {
      this.t3Deadline = now + this.rto.rto;
    }
    this.checkForwardTsn();
    return outcome.cumulativeAdvanced;
  }

  /** T3-rtx expired (§6.3.3 E1–E3). */
  onT3Expiry(now: number): void {
    this.counters.t3Expirations++;
    this.congestion?.onRetransmissionTimeout();
    this.rto.backOff();
    this.outstanding.markAllForRetransmission(now);
    this.t3Deadline = this.outstanding.size > 0 ? now + this.rto.rto : undefined;
    // A FORWARD TSN that may have been lost goes again with the retransmissions.
    this.lastForwardTsn = undefined;
    this.checkForwardTsn();
  }

  /**
   * RFC 3758 §3.5 C3: a FORWARD TSN is due when the Advanced.Peer.Ack.Point passed the
   * cumulative TSN ack; it is sent again only when the point moved on (or after a T3 expiry).
   */
  private checkForwardTsn(): void {
    if (!this.partialReliability) return;
    const forward = this.outstanding.forwardTsn();
    if (forward !== undefined && forward.newCumulativeTsn !== this.lastForwardTsn) {
      this.forwardTsnDue = true;
    }
  }

  /** Adds FORWARD TSN, retransmissions and new DATA to `builder`, as cwnd and rwnd allow. */
  fill(now: number, builder: PacketBuilder): void {
    const cc = this.congestion;
    if (cc === undefined) return;
    if (this.forwardTsnDue) {
      this.forwardTsnDue = false;
      const forward = this.outstanding.forwardTsn();
      if (forward !== undefined) {
        builder.add(forward);
        this.lastForwardTsn = forward.newCumulativeTsn;
        this.counters.forwardTsnsSent++;
      }
    }
    // §7.2.4 step 3: one packet of fast retransmissions goes out whatever cwnd says.
    let exemptBytes = this.fastRetransmitPacket ? this.mtu - 12 : 0;
    this.fastRetransmitPacket = false;
    let sent = false;
    for (const item of this.outstanding.pendingRetransmissions()) {
      const length = (16 + item.chunk.userData.length + 3) & ~3;
      if (exemptBytes >= length) exemptBytes -= length;
      else if (this.outstanding.flightSize >= cc.cwnd) break;
      builder.add(item.chunk);
      this.outstanding.retransmitted(now, item);
      this.counters.retransmissions++;
      sent = true;
    }
    while (this.outstanding.flightSize < cc.cwnd && !this.queue.isEmpty) {
      let room = builder.room - 16;
      if (room < MIN_FRAGMENT && !builder.isEmpty) {
        builder.flush();
        room = builder.room - 16;
      }
      // §6.1 A: respect the peer's window, except for one probe when nothing is in flight.
      const probing = this.outstanding.flightSize === 0;
      const window = this.peerRwnd - 16;
      if (!probing && window < Math.min(room, MIN_FRAGMENT)) break;
      const fragment = this.queue.nextFragment(now, probing ? room : Math.min(room, window));
      if (fragment === undefined) break;
      const message = fragment.message;
      const chunk: DataChunk = {
        type: 0,
        unordered: message.unordered,
        beginning: fragment.beginning,
        ending: fragment.ending,
        // RFC 7053: ask for an immediate SACK when nothing else follows.
        immediate: this.queue.isEmpty,
        tsn: this.nextTsn,
        streamId: message.streamId,
        ssn: message.unordered ? 0 : message.ssn,
        ppid: message.ppid,
        userData: fragment.userData,
      };
      this.nextTsn = tsnAdd(this.nextTsn, 1);
      builder.add(chunk);
      this.outstanding.add(now, chunk, message);
      this.peerRwnd = Math.max(0, this.peerRwnd - chunkBytes(chunk.userData.length));
      this.counters.dataChunksSent++;
      if (fragment.ending) this.counters.messagesSent++;
      sent = true;
    }
    // §6.3.2 R1.
    if (sent && this.t3Deadline === undefined) this.t3Deadline = now + this.rto.rto;
  }

  /** Queues a message. @throws {SctpError} from {@link SendQueue.push}. */
  enqueue(message: OutgoingMessage): void {
    this.queue.push(message);
  }

  /** Drops everything (the association closed). */
  clear(): void {
    this.queue.clear();
    this.outstanding.clear();
    this.t3Deadline = undefined;
  }
}
