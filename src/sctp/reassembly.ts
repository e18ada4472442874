/**
 * Turning received DATA chunks back into user messages (RFC 9260 §6.5, §6.6, §6.9): fragments
 * are joined once every TSN from the B to the E fragment is there; ordered messages of a stream
 * are delivered in stream sequence number order, unordered ones as soon as they are whole. A
 * FORWARD TSN (RFC 3758 §3.6) discards what was abandoned and unblocks ordered streams; an
 * incoming stream reset (RFC 6525 §5.2.2) restarts a stream's sequence numbers at 0.
 *
 * Bounded: `bufferedBytes` counts every byte held; a message growing past `maxMessageSize` is
 * reported as too large (the association then aborts, as the peer broke the signalled limit).
 */
import type { DataChunk } from "./chunk-types.js";
import { ssnAdd, ssnLt, ssnLte, tsnAdd, tsnLte } from "./tsn.js";

/** A whole user message. */
export interface ReceivedMessage {
  readonly streamId: number;
  readonly ppid: number;
  readonly data: Uint8Array;
}

/** Fragments of one message, kept sorted by TSN, and their total size. */
interface Fragments {
  readonly chunks: DataChunk[];
  bytes: number;
}

interface OrderedStream {
  nextSsn: number;
  pending: Map<number, Fragments>;
}

/** The outcome of adding a chunk. */
export type AddResult = "ok" | "stale" | "too-large";

/** Fragments waiting to become messages, per stream. */
export class Reassembly {
  private readonly streams = new Map<number, OrderedStream>();
  private readonly unordered = new Map<number, DataChunk>();
  /** User data bytes held. */
  bufferedBytes = 0;

  /**
   * @param maxMessageSize the largest message accepted
   * @param deliver called with each whole message, in delivery order
   */
  constructor(
    private readonly maxMessageSize: number,
    private readonly deliver: (message: ReceivedMessage) => void,
  ) {}

  /** Adds a new (not duplicate) chunk and delivers what became whole. */
  add(chunk: DataChunk): AddResult {
    if (chunk.unordered) return this.addUnordered(chunk);
    const stream = this.stream(chunk.streamId);
    if (ssnLt(chunk.ssn, stream.nextSsn)) return "stale";
    if (chunk.beginning && chunk.ending && chunk.ssn === stream.nextSsn) {
      // The common case: a whole message, next in line.
      if (chunk.userData.length > this.maxMessageSize) return "too-large";
      this.emit(chunk.streamId, chunk.ppid, [chunk]);
      stream.nextSsn = ssnAdd(stream.nextSsn, 1);
      this.drain(chunk.streamId, stream);
      return "ok";
    }
    let fragments = stream.pending.get(chunk.ssn);
    if (fragments === undefined) {
      fragments = { chunks: [], bytes: 0 };
      stream.pending.set(chunk.ssn, fragments);
    }
    if (this.insert(fragments, chunk) > this.maxMessageSize) return "too-large";
    this.drain(chunk.streamId, stream);
    return "ok";
  }

  private addUnordered(chunk: DataChunk): AddResult {
    if (chunk.beginning && chunk.ending) {
      if (chunk.userData.length > this.maxMessageSize) return "too-large";
      this.emit(chunk.streamId, chunk.ppid, [chunk]);
      return "ok";
    }
    this.unordered.set(chunk.tsn, chunk);
    this.bufferedBytes += chunk.userData.length;
    // Fragments of one message carry consecutive TSNs (§6.9): look both ways from this one.
    let first = chunk;
    let size = chunk.userData.length;
    while (!first.beginning) {
      const previous = this.unordered.get(tsnAdd(first.tsn, -1));
      if (previous === undefined || previous.ending || previous.streamId !== chunk.streamId) {
        return this.checkSize(size);
      }
      first = previous;
      size += previous.userData.length;
    }
    let last = chunk;
    while (!last.ending) {
      const next = this.unordered.get(tsnAdd(last.tsn, 1));
      if (next === undefined || next.beginning || next.streamId !== chunk.streamId) {
        return this.checkSize(size);
      }
      last = next;
      size += next.userData.length;
    }
    if (size > this.maxMessageSize) return "too-large";
    const fragments: DataChunk[] = [];
    for (let tsn = first.tsn; ; tsn = tsnAdd(tsn, 1)) {
      const fragment = this.unordered.get(tsn)!;
      this.unordered.delete(tsn);
      this.bufferedBytes -= fragment.userData.length;
      fragments.push(fragment);
      if (tsn === last.tsn) break;
    }
    this.emit(chunk.streamId, chunk.ppid, fragments);
    return "ok";
  }

  private checkSize(size: number): AddResult {
    return size > this.maxMessageSize ? "too-large" : "ok";
  }

  /** Inserts by TSN; returns the bytes the message holds so far. */
  private insert(fragments: Fragments, chunk: DataChunk): number {
    const chunks = fragments.chunks;
    let i = chunks.length;
    while (i > 0 && tsnLte(chunk.tsn, chunks[i - 1]!.tsn)) i--;
    chunks.splice(i, 0, chunk);
    this.bufferedBytes += chunk.userData.length;
    fragments.bytes += chunk.userData.length;
    return fragments.bytes;
  }

  /** Delivers the stream's messages that are whole and next in line. */
  private drain(streamId: number, stream: OrderedStream): void {
    for (;;) {
      const fragments = stream.pending.get(stream.nextSsn);
      if (fragments === undefined || !isWhole(fragments)) return;
      stream.pending.delete(stream.nextSsn);
      this.bufferedBytes -= fragments.bytes;
      this.emit(streamId, fragments.chunks[0]!.ppid, fragments.chunks);
      stream.nextSsn = ssnAdd(stream.nextSsn, 1);
    }
  }

  /**
   * Applies a FORWARD TSN (RFC 3758 §3.6): drops unordered fragments up to `newCumulativeTsn`,
   * and for each named ordered stream the messages up to `ssn`, then delivers what is unblocked.
   */
  forward(newCumulativeTsn: number, streams: readonly { streamId: number; ssn: number }[]): void {
    for (const [tsn, chunk] of this.unordered) {
      if (tsnLte(tsn, newCumulativeTsn)) {
        this.unordered.delete(tsn);
        this.bufferedBytes -= chunk.userData.length;
      }
    }
    for (const { streamId, ssn } of streams) {
      const stream = this.stream(streamId);
      for (const [pendingSsn, fragments] of stream.pending) {
        if (ssnLte(pendingSsn, ssn)) {
          stream.pending.delete(pendingSsn);
          this.bufferedBytes -= fragments.bytes;
        }
      }
      if (ssnLte(stream.nextSsn, ssn)) stream.nextSsn = ssnAdd(ssn, 1);
      this.drain(streamId, stream);
    }
  }

  /** The peer reset its outgoing stream (RFC 6525 §5.2.2): sequence numbers restart at 0. */
  resetStream(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    for (const fragments of stream.pending.values()) this.bufferedBytes -= fragments.bytes;
    this.streams.delete(streamId);
  }

  private stream(streamId: number): OrderedStream {
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      stream = { nextSsn: 0, pending: new Map() };
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  private emit(streamId: number, ppid: number, fragments: readonly DataChunk[]): void {
    let data: Uint8Array;
    if (fragments.length === 1) {
      data = fragments[0]!.userData;
    } else {
      let length = 0;
      for (const f of fragments) length += f.userData.length;
      data = new Uint8Array(length);
      let offset = 0;
      for (const f of fragments) {
        data.set(f.userData, offset);
        offset += f.userData.length;
      }
    }
    this.deliver({ streamId, ppid, data });
  }
}

/** True when the fragments run from a B to an E chunk over consecutive TSNs. */
function isWhole({ chunks }: Fragments): boolean {
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  if (first === undefined || last === undefined || !first.beginning || !last.ending) return false;
  return tsnAdd(first.tsn, chunks.length - 1) === last.tsn;
}
