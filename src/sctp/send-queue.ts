/**
 * User messages waiting for their first transmission, in the order they were sent. A message is
 * cut into DATA chunk fragments only when there is room to send them (RFC 9260 §6.9), and gets
 * its stream sequence number (§6.5) with its first fragment, so a message that expires before
 * it was ever sent (RFC 3758 timed reliability) leaves no gap in its stream.
 *
 * The queue is bounded in bytes: `push` refuses a message that would take it over the limit,
 * which is the back-pressure the W3C `bufferedAmount` exposes.
 */
import { SctpError } from "./errors.js";
import { ssnAdd } from "./tsn.js";

/** A user message and its partial-reliability policy (RFC 8831 §6.1, RFC 3758). */
export interface OutgoingMessage {
  readonly streamId: number;
  readonly ppid: number;
  readonly data: Uint8Array;
  readonly unordered: boolean;
  /** Retransmissions allowed before the message is abandoned; `undefined` = reliable. */
  readonly maxRetransmits: number | undefined;
  /** When the message is abandoned (ms, driver clock); `undefined` = never. */
  readonly expiresAt: number | undefined;
  /** Bytes already cut into fragments. */
  offset: number;
  /** The stream sequence number, once the first fragment went out. */
  ssn: number;
  /** Set once the message was given up (RFC 3758 §3.5 A1–A3). */
  abandoned: boolean;
}

/** One fragment cut from the head message. */
export interface Fragment {
  readonly message: OutgoingMessage;
  readonly userData: Uint8Array;
  readonly beginning: boolean;
  readonly ending: boolean;
}

/** Unsent user messages, with the per-stream counters they need. */
export class SendQueue {
  private messages: OutgoingMessage[] = [];
  private head = 0;
  private readonly buffered = new Map<number, number>();
  private readonly nextSsn = new Map<number, number>();
  private readonly drained = new Set<number>();
  /** Bytes not yet handed to a DATA chunk, all streams. */
  totalBuffered = 0;
  /** Messages dropped unsent because their lifetime ended. */
  expiredUnsent = 0;
  /** The peer supports FORWARD TSN; without it lifetimes are ignored (everything is reliable). */
  partialReliability = false;

  /** @param limit the most bytes the queue may hold */
  constructor(private readonly limit: number) {}

  /**
   * Queues a message (of at least one byte: SCTP has no empty messages, RFC 9260 §6.2).
   * @throws {SctpError} `invalid-argument` for an empty message, `send-queue-full` when it
   * would take the queue over its limit.
   */
  push(message: OutgoingMessage): void {
    const size = message.data.length;
    if (size === 0) throw new SctpError("invalid-argument", "SCTP cannot send an empty message");
    if (this.totalBuffered + size > this.limit) {
      throw new SctpError(
        "send-queue-full",
        `send queue full: ${this.totalBuffered} bytes queued, limit ${this.limit}`,
      );
    }
    this.messages.push(message);
    this.totalBuffered += size;
    this.buffered.set(message.streamId, (this.buffered.get(message.streamId) ?? 0) + size);
  }

  /** Bytes of `streamId` not yet handed to a DATA chunk. */
  bufferedAmount(streamId: number): number {
    return this.buffered.get(streamId) ?? 0;
  }

  /** True when messages of `streamId` wait (every queued message holds at least one byte). */
  hasPending(streamId: number): boolean {
    return this.bufferedAmount(streamId) > 0;
  }

  /** True when no message waits. */
  get isEmpty(): boolean {
    return this.head >= this.messages.length;
  }

  /** Streams whose buffered amount went down since the last call. */
  takeDrained(): number[] {
    if (this.drained.size === 0) return [];
    const out = [...this.drained];
    this.drained.clear();
    return out;
  }

  /**
   * Cuts the next fragment of at most `maxPayload` bytes, dropping messages that expired
   * unsent or were abandoned. Returns `undefined` when nothing is left to send.
   */
  nextFragment(now: number, maxPayload: number): Fragment | undefined {
    for (;;) {
      const message = this.messages[this.head];
      if (message === undefined) return undefined;
      const unsent = message.offset === 0;
      const expired =
        this.partialReliability && message.expiresAt !== undefined && now >= message.expiresAt;
      if (message.abandoned || (unsent && expired)) {
        if (unsent && !message.abandoned) this.expiredUnsent++;
        message.abandoned = true;
        this.consume(message, message.data.length - message.offset);
        this.shift();
        continue;
      }
      const length = Math.min(maxPayload, message.data.length - message.offset);
      if (unsent && !message.unordered) {
        message.ssn = this.nextSsn.get(message.streamId) ?? 0;
        this.nextSsn.set(message.streamId, ssnAdd(message.ssn, 1));
      }
      const start = message.offset;
      message.offset += length;
      this.consume(message, length);
      const ending = message.offset === message.data.length;
      if (ending) this.shift();
      return {
        message,
        userData: message.data.subarray(start, start + length),
        beginning: start === 0,
        ending,
      };
    }
  }

  /** The next stream sequence number of `streamId` goes back to 0 (RFC 6525 §5.1.2). */
  resetStreamSequence(streamId: number): void {
    this.nextSsn.delete(streamId);
  }

  /** Drops everything (the association closed). */
  clear(): void {
    for (const streamId of this.buffered.keys()) this.drained.add(streamId);
    this.messages = [];
    this.head = 0;
    this.buffered.clear();
    this.totalBuffered = 0;
  }

  private consume(message: OutgoingMessage, bytes: number): void {
    if (bytes <= 0) return;
    this.totalBuffered -= bytes;
    const left = (this.buffered.get(message.streamId) ?? 0) - bytes;
    if (left > 0) this.buffered.set(message.streamId, left);
    else this.buffered.delete(message.streamId);
    this.drained.add(message.streamId);
  }

  private shift(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.head = 0;
    }
  }
}
