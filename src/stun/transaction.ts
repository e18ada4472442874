/**
 * A sans-IO STUN client transaction (RFC 8489 §6.2): it says when to (re)send a request and
 * when to give up; the caller owns the socket and the clock.
 *
 * Over UDP the request is sent at 0, RTO, 3·RTO, 7·RTO, … (the interval doubles), Rc times in
 * all; after the last send the client waits Rm·RTO more. With the defaults (RTO 500 ms, Rc 7,
 * Rm 16) the sends are at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and the transaction times out
 * at 39.5 s. Over a reliable transport the request is sent once and times out after Ti.
 */

/** Retransmission settings (RFC 8489 §6.2.1). */
export interface RetransmissionOptions {
  /** Initial retransmission timeout in ms. @default 500 */
  readonly rto?: number;
  /** Rc: total number of sends over UDP. @default 7 */
  readonly maxTransmissions?: number;
  /** Rm: the wait after the last send, as a multiple of the initial RTO. @default 16 */
  readonly lastWaitMultiplier?: number;
  /** Upper bound for the doubled interval in ms. @default Infinity */
  readonly maxRto?: number;
  /** Reliable transport (TCP/TLS): send once, wait `reliableTimeout`. @default false */
  readonly reliable?: boolean;
  /** Ti: timeout over a reliable transport in ms. @default 39500 */
  readonly reliableTimeout?: number;
}

/** Where a transaction stands. */
export type TransactionState = "pending" | "completed" | "timed-out" | "cancelled";

/** One outstanding request and its retransmission schedule. */
export class StunClientTransaction {
  /** The request bytes, sent unchanged on every retransmission (RFC 8489 §6.2.1). */
  readonly request: Uint8Array;
  /** The 12-byte transaction id, to match responses. */
  readonly transactionId: Uint8Array;
  /** When the first send was due. */
  readonly startedAt: number;
  private readonly rto: number;
  private readonly maxTransmissions: number;
  private readonly lastWait: number;
  private readonly maxRto: number;
  private stateValue: TransactionState = "pending";
  private sent = 0;
  private dueAt: number;
  private interval: number;

  constructor(
    now: number,
    transactionId: Uint8Array,
    request: Uint8Array,
    options: RetransmissionOptions = {},
  ) {
    const rto = options.rto ?? 500;
    if (!(rto > 0)) throw new RangeError("rto must be positive");
    this.transactionId = transactionId;
    this.request = request;
    this.startedAt = now;
    this.rto = rto;
    this.maxRto = options.maxRto ?? Infinity;
    if (options.reliable === true) {
      this.maxTransmissions = 1;
      this.lastWait = options.reliableTimeout ?? 39_500;
    } else {
      this.maxTransmissions = Math.max(1, options.maxTransmissions ?? 7);
      this.lastWait = (options.lastWaitMultiplier ?? 16) * rto;
    }
    this.dueAt = now;
    this.interval = rto;
  }

  /** Current state. */
  get state(): TransactionState {
    return this.stateValue;
  }

  /** How many times the request has been handed out for sending. */
  get transmissions(): number {
    return this.sent;
  }

  /** How many of those were retransmissions. */
  get retransmissions(): number {
    return Math.max(0, this.sent - 1);
  }

  /**
   * The request bytes if a (re)transmission is due at `now`, else undefined. Call it after
   * creating the transaction and after each {@link handleTimeout}.
   */
  pollTransmit(now: number): Uint8Array | undefined {
    if (this.stateValue !== "pending" || this.sent >= this.maxTransmissions || now < this.dueAt) {
      return undefined;
    }
    this.sent++;
    if (this.sent < this.maxTransmissions) {
      this.dueAt = now + this.interval;
      this.interval = Math.min(this.interval * 2, this.maxRto);
    } else {
      this.dueAt = now + this.lastWait;
    }
    return this.request;
  }

  /** The next moment something happens (a send or the final timeout), or undefined when done. */
  pollTimeout(): number | undefined {
    return this.stateValue === "pending" ? this.dueAt : undefined;
  }

  /** Advances the clock: marks the transaction timed out once the final wait has passed. */
  handleTimeout(now: number): void {
    if (this.stateValue === "pending" && this.sent >= this.maxTransmissions && now >= this.dueAt) {
      this.stateValue = "timed-out";
    }
  }

  /**
   * Makes a retransmission due at once (RFC 8445 §7.3.1.4: a check arriving for a pair whose
   * own check is in progress prompts an immediate retransmit). The schedule then continues from
   * there; the number of sends stays bounded by `maxTransmissions`.
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

  /** The initial RTO this transaction was created with. */
  get initialRto(): number {
    return this.rto;
  }
}
