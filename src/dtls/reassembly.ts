/**
 * Reassembly of handshake messages from fragments that may arrive in any order, overlap or
 * repeat (RFC 6347 §4.2.3). Bounded: messages too long, too far ahead or too many at once are
 * refused, so a peer cannot make us hold more than {@link ReassemblyLimits.maxBufferedBytes}.
 * @module
 */
import type { HandshakeFragment } from "./handshake-header.js";

/** Limits of a {@link Reassembler}. */
export interface ReassemblyLimits {
  /** The longest message body accepted. @default 65536 */
  readonly maxMessageLength: number;
  /** Messages buffered beyond the next expected one. @default 8 */
  readonly maxAhead: number;
  /** Bytes held across every partial message. @default 131072 */
  readonly maxBufferedBytes: number;
}

const DEFAULT_LIMITS: ReassemblyLimits = {
  maxMessageLength: 65536,
  maxAhead: 8,
  maxBufferedBytes: 131072,
};

/** A complete message, ready for the state machine. */
export interface HandshakeMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
}

/** What happened to one fragment. */
export type FragmentOutcome = "buffered" | "old" | "refused" | "inconsistent";

interface PartialMessage {
  readonly msgType: number;
  readonly body: Uint8Array;
  /** Sorted, disjoint [start, end) ranges received so far. */
  ranges: [number, number][];
}

/**
 * Buffers fragments by `message_seq` and hands out complete messages strictly in order,
 * starting from `next` (the next sequence number the handshake expects).
 */
export class Reassembler {
  private readonly partial = new Map<number, PartialMessage>();
  private buffered = 0;
  private readonly limits: ReassemblyLimits;

  constructor(
    /** The next message_seq to hand out. */
    public next = 0,
    limits: Partial<ReassemblyLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Adds one fragment. `old` means it belongs to a message already handed out (a
   * retransmission), `refused` that a limit would be passed, `inconsistent` that it contradicts
   * earlier fragments of the same message (type or length).
   */
  add(fragment: HandshakeFragment): FragmentOutcome {
    const seq = fragment.messageSeq;
    if (seq < this.next) return "old";
    if (seq >= this.next + this.limits.maxAhead) return "refused";
    if (fragment.length > this.limits.maxMessageLength) return "refused";
    let message = this.partial.get(seq);
    if (message === undefined) {
      if (this.buffered + fragment.length > this.limits.maxBufferedBytes) return "refused";
      message = { msgType: fragment.msgType, body: new Uint8Array(fragment.length), ranges: [] };
      this.partial.set(seq, message);
      this.buffered += fragment.length;
    } else if (message.msgType !== fragment.msgType || message.body.length !== fragment.length) {
      return "inconsistent";
    }
    const start = fragment.fragmentOffset;
    const end = start + fragment.body.length;
    if (end > start) {
      message.body.set(fragment.body, start);
      message.ranges = mergeRange(message.ranges, start, end);
    }
    return "buffered";
  }

  /** The next complete message in sequence, removed; `undefined` when it is not complete yet. */
  take(): HandshakeMessage | undefined {
    const message = this.partial.get(this.next);
    if (message === undefined) return undefined;
    const complete =
      message.body.length === 0 ||
      (message.ranges.length === 1 &&
        message.ranges[0]![0] === 0 &&
        message.ranges[0]![1] === message.body.length);
    if (!complete) return undefined;
    this.partial.delete(this.next);
    this.buffered -= message.body.length;
    return { msgType: message.msgType, messageSeq: this.next++, body: message.body };
  }

  /** Drops every partial message (after a HelloVerifyRequest resets the sequence). */
  reset(next: number): void {
    this.partial.clear();
    this.buffered = 0;
    this.next = next;
  }

  /** Bytes currently held. */
  get bufferedBytes(): number {
    return this.buffered;
  }
}

/** Adds [start, end) to sorted disjoint ranges, merging what touches or overlaps. */
function mergeRange(ranges: [number, number][], start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let s = start;
  let e = end;
  let placed = false;
  for (const [a, b] of ranges) {
    if (b < s) out.push([a, b]);
    else if (a > e) {
      if (!placed) {
        out.push([s, e]);
        placed = true;
      }
      out.push([a, b]);
    } else {
      s = Math.min(s, a);
      e = Math.max(e, b);
    }
  }
  if (!placed) out.push([s, e]);
  return out;
}
