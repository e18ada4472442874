/**
 * The one contract every sans-IO state machine of this project follows (ICE agent, TURN client,
 * STUN transactions, DTLS, SCTP…), described in `docs/architecture.md`:
 *
 * - **Time is an input.** Every method that can change state takes `now` first: a monotonic
 *   clock in milliseconds, chosen by the driver (`performance.now()` in Node, virtual time in
 *   the simulator). A machine never reads a clock.
 * - **Inputs** are methods named `handle…(now, …)` (`handleDatagram`, `handleTimeout`, …) or
 *   commands (`send(now, …)`, `close(now)`).
 * - **Outputs** are pulled, never pushed: after every input the driver drains
 *   {@link SansIo.pollTransmit} (I/O for the driver to perform) and {@link SansIo.pollEvent}
 *   (news for the application) until both return `undefined`, then arms exactly one timer for
 *   {@link SansIo.pollTimeout}.
 * - **Transmits and events are different things.** A transmit is I/O: bytes to send, a stream
 *   to open or close. An event is for the application. Nothing the application needs to see
 *   rides in a transmit, and no I/O rides in an event.
 * - **Deadlines** are absolute times on the same clock, or `undefined` for "no timer". Never
 *   `Infinity`, never relative.
 * - **Hostile input never throws.** Malformed bytes are counted and dropped; only programming
 *   errors (calling a method in a state where it makes no sense) throw.
 */

import type { TransportAddress } from "./address.js";

/** An absolute time on the driver's monotonic millisecond clock, or `undefined` for none. */
export type Deadline = number | undefined;

/**
 * What every sans-IO machine offers the driver that runs it. `T` is what it wants sent (its I/O),
 * `E` what it wants the application to know.
 */
export interface SansIo<T, E> {
  /** The deadline from {@link pollTimeout} has come (or passed). */
  handleTimeout(now: number): void;
  /** The next piece of I/O to perform, or `undefined` when there is none. */
  pollTransmit(): T | undefined;
  /** The next event for the application, or `undefined` when there is none. */
  pollEvent(): E | undefined;
  /** When {@link handleTimeout} should next be called, or `undefined` for never. */
  pollTimeout(): Deadline;
}

/**
 * A UDP datagram as a machine sees it, in or out: `local` is the address of our socket (the
 * very object the machine was given, so a driver may look its socket up by identity), `remote`
 * the peer's address.
 */
export interface Datagram {
  readonly local: TransportAddress;
  readonly remote: TransportAddress;
  readonly data: Uint8Array;
}

/**
 * A machine fed UDP datagrams (the ICE agent; in tests, simulated servers and peers):
 * `handleDatagram` returns false when the datagram is not for it.
 */
export interface DatagramSansIo<T, E> extends SansIo<T, E> {
  handleDatagram(now: number, datagram: Datagram): boolean;
}

/** The earliest of several deadlines (`undefined` when none is set). */
export function earliest(...deadlines: readonly Deadline[]): Deadline {
  let best: Deadline;
  for (const d of deadlines) if (d !== undefined && (best === undefined || d < best)) best = d;
  return best;
}

/** True when `deadline` is set and `now` has reached it. */
export function isDue(deadline: Deadline, now: number): boolean {
  return deadline !== undefined && now >= deadline;
}

/**
 * A FIFO of outputs for a machine to fill and its driver to drain. Bounded: a machine that would
 * queue more than `limit` items (a peer flooding us, a driver that stopped draining) drops the
 * oldest and counts it in {@link Outbox.dropped}.
 */
export class Outbox<T> {
  /** Items live in `items[head..tail)`; other slots are cleared, so they keep nothing alive. */
  private items: (T | undefined)[] = [];
  private head = 0;
  private tail = 0;
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly limit = 10_000) {}

  push(item: T): void {
    if (this.tail - this.head >= this.limit) {
      this.items[this.head++] = undefined;
      this.dropped++;
      this.compact();
    }
    this.items[this.tail++] = item;
  }

  /** The oldest item, removed; `undefined` when empty. */
  shift(): T | undefined {
    if (this.head === this.tail) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) {
      // Drained (the usual case after every input): the next items go to the front again.
      this.head = 0;
      this.tail = 0;
    } else {
      this.compact();
    }
    return item;
  }

  /** Moves the items to the front once consumed slots are the larger part of the array. */
  private compact(): void {
    if (this.head <= 1024 || this.head * 2 <= this.tail) return;
    const { items, head, tail } = this;
    for (let i = head; i < tail; i++) {
      items[i - head] = items[i];
      items[i] = undefined;
    }
    this.tail = tail - head;
    this.head = 0;
  }

  get size(): number {
    return this.tail - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.tail = 0;
  }
}
