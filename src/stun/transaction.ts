/**
 * A sans-IO STUN client transaction (RFC 8489 §6.2): it says when to (re)send a request and
 * when to give up; the caller owns the socket and the clock. It follows the project's sans-IO
 * contract (`src/common/sans-io.ts`): every send becomes due in {@link handleTimeout} (the first
 * one at the creation time) and is then taken with {@link pollTransmit}.
 *
 * Over UDP the request is sent at 0, RTO, 3·RTO, 7·RTO, … (the interval doubles), Rc times in
 * all; after the last send the client waits Rm·RTO more. With the defaults (RTO 500 ms, Rc 7,
 * Rm 16) the sends are at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and the transaction times out
 * at 39.5 s. Over a reliable transport the request is sent once and times out after Ti.
 */
import type { Deadline, SansIo } from "../common/sans-io.js";

/** Retransmission settings (RFC 8489 §6.2.1). */
export interface RetransmissionOptions {
  /** Initial retransmission timeout. @default 500 */
  readonly rtoMs?: number;
  /** Rc: total number of sends over UDP. @default 7 */
  readonly maxTransmissions?: number;
  /** Rm: the wait after the last send, as a multiple of the initial RTO. @default 16 */
  readonly lastWaitMultiplier?: number;
  /** Upper bound for the doubled interval. @default no bound */
  readonly maxRtoMs?: number;
  /** Reliable transport (TCP/TLS): send once, wait `reliableTimeoutMs`. @default false */
  readonly reliable?: boolean;
  /** Ti: timeout over a reliable transport. @default 39500 */
  readonly reliableTimeoutMs?: number;
}

/** Where a transaction stands. */
export type TransactionState = "pending" | "completed" | "timed-out" | "cancelled";

/**
 * One outstanding request and its retransmission schedule. Its transmits are the request bytes;
 * its only event is `timed-out`, once (a response is the caller's news: it calls
 * {@link complete}).
 */
export class StunClientTransaction implements SansIo<Uint8Array, "timed-out"> {
  /** The request bytes, sent unchanged on every retransmission (RFC 8489 §6.2.1). */
  readonly request: Uint8Array;
  /** The 12-byte transaction id, to match responses. */
  readonly transactionId: Uint8Array;
  /** When the first send was due. */
  readonly startedAt: number;
  private readonly rtoMs: number;
  private readonly maxTransmissions: number;
  private readonly lastWaitMs: number;
  private readonly maxRtoMs: number;
  private stateValue: TransactionState = "pending";
  private sent = 0;
  /** A send became due and was not taken yet. */
  private owed = false;
  private timedOutReported = false;
  private dueAt: number;
  private intervalMs: number;

  constructor(
    now: number,
    transactionId: Uint8Array,
    request: Uint8Array,
    options: RetransmissionOptions = {},
  ) {
    const rto = options.rtoMs ?? 500;
    if (!(rto > 0)) throw new RangeError("rtoMs must be positive");
    this.transactionId = transactionId;
    this.request = request;
    this.startedAt = now;
    this.rtoMs = rto;
    this.maxRtoMs = options.maxRtoMs ?? Infinity;
    if (options.reliable === true) {
      this.maxTransmissions = 1;
      this.lastWaitMs = options.reliableTimeoutMs ?? 39_500;
    } else {
      this.maxTransmissions = Math.max(1, options.maxTransmissions ?? 7);
      this.lastWaitMs = (options.lastWaitMultiplier ?? 16) * rto;
    }
    this.dueAt = now;
    this.intervalMs = rto;
  }

  /** Current state. */
  get state(): TransactionState {
    return this.stateValue;
  }

  /** How many sends have become due (each one is handed out by {@link pollTransmit}). */
  get transmissions(): number {
    return this.sent;
  }

  /** How many of those were retransmissions. */
  get retransmissions(): number {
    return Math.max(0, this.sent - 1);
  }

  /** The initial RTO this transaction was created with. */
  get initialRtoMs(): number {
    return this.rtoMs;
  }

  /**
   * Advances the clock: makes the next send due when its time has come (scheduling the one
   * after it from `now`), or marks the transaction timed out once the final wait has passed.
   * At most one send per call.
   */
  handleTimeout(now: number): void {
    if (this.stateValue !== "pending" || now < this.dueAt) return;
    if (this.sent >= this.maxTransmissions) {
      this.stateValue = "timed-out";
      return;
    }
    this.sent++;
    this.owed = true;
    if (this.sent < this.maxTransmissions) {
      this.dueAt = now + this.intervalMs;
      this.intervalMs = Math.min(this.intervalMs * 2, this.maxRtoMs);
    } else {
      this.dueAt = now + this.lastWaitMs;
    }
  }

  /** The request bytes when a send is due (see {@link handleTimeout}), else undefined. */
  pollTransmit(): Uint8Array | undefined {
    if (!this.owed || this.stateValue !== "pending") return undefined;
    this.owed = false;
    return this.request;
  }

  /** `timed-out`, once, after the transaction gave up. */
  pollEvent(): "timed-out" | undefined {
    if (this.stateValue !== "timed-out" || this.timedOutReported) return undefined;
    this.timedOutReported = true;
    return "timed-out";
  }

  /** The next moment something happens (a send or the final timeout), or undefined when done. */
  pollTimeout(): Deadline {
    return this.stateValue === "pending" ? this.dueAt : undefined;
  }

  /**
   * Makes a retransmission due at once (RFC 8445 §7.3.1.4: a check arriving for a pair whose
   * own check is in progress prompts an immediate retransmit); the caller then calls
   * {@link handleTimeout}. The schedule continues from there; the number of sends stays
   * bounded by `maxTransmissions`.
   */
  retransmitNow(now: number): void {
    if (this.stateValue === "pending" && this.sent > 0 && this.sent < this.maxTransmissions) {
      this.dueAt = Math.min(this.dueAt, now);
    }
  }

  /** Records that a response (success or error) arrived; no more sends. */
  complete(): void {
    if (this.stateValue === "pending") this.stateValue = "completed";
  }

  /** Stops the transaction without an outcome. */
  cancel(): void {
    if (this.stateValue === "pending") this.stateValue = "cancelled";
  }
}
