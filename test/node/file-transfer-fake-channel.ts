// An in-memory data channel pair for the file-transfer pump tests: send() queues bytes and counts
// them in bufferedAmount; a "network" delivers a fixed number of bytes per event-loop turn to the
// other end and fires bufferedamountlow the W3C way. It records the largest bufferedAmount seen.
import { EventEmitter } from "node:events";
import type { DataChannelEvents } from "../../src/node/data-channel.js";
import type { ChannelState } from "../../src/sctp/data-channel-types.js";

export class FakeChannel extends EventEmitter<DataChannelEvents> {
  readyState: ChannelState = "open";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** The largest bufferedAmount ever reached. */
  maxBuffered = 0;
  /** Sizes of the messages sent on this end. */
  readonly sizes: number[] = [];
  peer!: FakeChannel;
  /** Changes a message on its way (index among this end's messages). */
  tamper?: (index: number, data: Uint8Array) => Uint8Array;
  private readonly queue: (string | Uint8Array)[] = [];
  private scheduled = false;

  constructor(private readonly bytesPerTurn: number) {
    super();
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== "open") throw new Error("not open");
    const copy = typeof data === "string" ? data : Uint8Array.from(data);
    const tampered =
      typeof copy === "string" || this.tamper === undefined
        ? copy
        : this.tamper(this.sizes.length, copy);
    this.sizes.push(copy.length);
    this.queue.push(tampered);
    this.bufferedAmount += copy.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    this.schedule();
  }

  close(): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    this.peer.readyState = "closed";
    setImmediate(() => {
      this.emit("close");
      this.peer.emit("close");
    });
  }

  private schedule(): void {
    // A link with no capacity never delivers (a stalled path), and must not spin either.
    if (this.scheduled || this.bytesPerTurn === 0) return;
    this.scheduled = true;
    setImmediate(() => this.deliver());
  }

  private deliver(): void {
    this.scheduled = false;
    let budget = this.bytesPerTurn;
    while (budget > 0 && this.readyState === "open") {
      const next = this.queue.shift();
      if (next === undefined) break;
      budget -= next.length;
      const before = this.bufferedAmount;
      this.bufferedAmount -= next.length;
      this.peer.emit("message", next);
      if (
        before > this.bufferedAmountLowThreshold &&
        this.bufferedAmount <= this.bufferedAmountLowThreshold
      ) {
        this.emit("bufferedamountlow");
      }
    }
    if (this.queue.length > 0 && this.readyState === "open") this.schedule();
  }
}

/** Two connected ends. */
export function fakeChannelPair(bytesPerTurn = 64 * 1024): [FakeChannel, FakeChannel] {
  const a = new FakeChannel(bytesPerTurn);
  const b = new FakeChannel(bytesPerTurn);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
