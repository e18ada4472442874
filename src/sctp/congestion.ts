/**
 * Congestion control of RFC 9260 §7.2 for the one path of a WebRTC association: slow start and
 * congestion avoidance (§7.2.1–7.2.2), the reaction to a T3-rtx expiry (§7.2.3) and fast
 * recovery (§7.2.4). Byte counts are of DATA chunks (user data plus the 16-byte header).
 */
import { tsnLte } from "./tsn.js";

/** cwnd, ssthresh and partial_bytes_acked, with the fast recovery exit point. */
export class CongestionControl {
  /** The congestion window, bytes. */
  cwnd: number;
  /** The slow-start threshold, bytes. */
  ssthresh: number;
  /** partial_bytes_acked (§7.2.2). */
  partialBytesAcked = 0;
  /** Fast Recovery exit point (§7.2.4), or `undefined` outside fast recovery. */
  fastRecoveryExit: number | undefined;

  /**
   * @param mtu the largest packet, bytes
   * @param peerRwnd the peer's initial advertised window, the initial ssthresh (§7.2.1)
   */
  constructor(
    private readonly mtu: number,
    peerRwnd: number,
  ) {
    // §7.2.1: initial cwnd = min(4·MTU, max(2·MTU, 4380 bytes)).
    this.cwnd = Math.min(4 * mtu, Math.max(2 * mtu, 4380));
    this.ssthresh = Math.max(peerRwnd, 4 * mtu);
  }

  /** True between a fast retransmit and the SACK that acknowledges the exit point. */
  get inFastRecovery(): boolean {
    return this.fastRecoveryExit !== undefined;
  }

  /**
   * A SACK advanced the cumulative TSN ack point by `bytesAcked` bytes while `flightSize` bytes
   * were outstanding (before the SACK) (§7.2.1 slow start, §7.2.2 congestion avoidance).
   */
  onCumulativeAck(bytesAcked: number, flightSize: number, cumulativeTsnAck: number): void {
    if (this.fastRecoveryExit !== undefined && tsnLte(this.fastRecoveryExit, cumulativeTsnAck)) {
      this.fastRecoveryExit = undefined;
    }
    // §7.2.4: cwnd is not increased during fast recovery.
    if (this.fastRecoveryExit !== undefined || bytesAcked <= 0) return;
    // Only a window that was fully used grows (§7.2.1 bullet 2, §7.2.2 bullet 2).
    const fullyUsed = flightSize + this.mtu > this.cwnd;
    if (this.cwnd <= this.ssthresh) {
      if (fullyUsed) this.cwnd += Math.min(bytesAcked, this.mtu);
      return;
    }
    this.partialBytesAcked += bytesAcked;
    if (this.partialBytesAcked >= this.cwnd && fullyUsed) {
      this.partialBytesAcked -= this.cwnd;
      this.cwnd += this.mtu;
    }
  }

  /** Nothing is outstanding any more: partial_bytes_acked restarts (§7.2.2). */
  onAllAcked(): void {
    this.partialBytesAcked = 0;
  }

  /** Three miss indications: enter fast recovery unless already in it (§7.2.4 steps 1–2). */
  onFastRetransmit(highestOutstandingTsn: number): void {
    if (this.fastRecoveryExit !== undefined) return;
    this.ssthresh = Math.max(Math.floor(this.cwnd / 2), 4 * this.mtu);
    this.cwnd = this.ssthresh;
    this.partialBytesAcked = 0;
    this.fastRecoveryExit = highestOutstandingTsn;
  }

  /** T3-rtx expired (§7.2.3): back to one MTU and slow start. */
  onRetransmissionTimeout(): void {
    this.ssthresh = Math.max(Math.floor(this.cwnd / 2), 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
    this.fastRecoveryExit = undefined;
  }
}
