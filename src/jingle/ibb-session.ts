/**
 * XEP-0047 In-Band Bytestreams as two sans-IO machines: {@link IbbSender} opens a stream, sends
 * blocks with sequence numbers (wrapping at 65535) and closes it; {@link IbbReceiver} answers the
 * peer's IQs, checks every `seq`, and reports the bytes. The driver sends the IQs (xmpp.js does
 * that in src/plugin) and feeds back their results by `tag`.
 *
 * The sender's {@link IbbSender.bufferedAmount} plays the part of a data channel's: bytes given
 * to `send` and not yet acknowledged, so the same back-pressure loop drives both.
 */
import { Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import type { StanzaErrorCondition } from "./errors.js";
import { IbbError } from "./file-transfer-errors.js";
import {
  IBB_MAX_BLOCK_SIZE,
  buildIbbClose,
  buildIbbData,
  buildIbbOpen,
  nextSeq,
  parseIbb,
} from "./ibb.js";
import type { XmlElement } from "./xml.js";

/** An IQ set for the driver to send; its result or error comes back with the same `tag`. */
export interface IbbTransmit {
  readonly type: "iq";
  readonly tag: number;
  readonly payload: XmlElement;
}

/** News from an IBB machine. */
export type IbbEvent =
  | { readonly type: "open"; readonly blockSize: number }
  | { readonly type: "data"; readonly data: Uint8Array }
  /** {@link IbbSender.bufferedAmount} fell to its low threshold or below. */
  | { readonly type: "bufferedamountlow" }
  /** The stream is over: cleanly (`error` absent) or not. */
  | { readonly type: "closed"; readonly error?: IbbError };

/** Options of an {@link IbbSender}. */
export interface IbbSenderOptions {
  readonly sid: string;
  readonly blockSize: number;
  /**
   * Data IQs in flight before waiting for a result. Default 1: XEP-0047 §2.2 asks the sender to
   * wait for each acknowledgement (flow control through the server).
   */
  readonly window?: number;
  /** Deadline for each IQ's result, ms. Default 30 s. */
  readonly iqTimeoutMs?: number;
  /** Most bytes `send` may hold unacknowledged. Default 1 MiB. */
  readonly maxBuffered?: number;
}

type SenderState = "new" | "opening" | "open" | "closing" | "closed";

/** The sending side of one IBB stream; see the module comment. */
export class IbbSender implements SansIo<IbbTransmit, IbbEvent> {
  private state: SenderState = "new";
  private readonly transmits = new Outbox<IbbTransmit>(10_000);
  private readonly events = new Outbox<IbbEvent>(10_000);
  private readonly queue: Uint8Array[] = [];
  private readonly inFlight = new Map<number, { bytes: number; deadline: number }>();
  private openTag = -1;
  private closeTag = -1;
  private nextTag = 0;
  private seq = 0;
  private buffered = 0;
  /** `bufferedamountlow` fires when {@link bufferedAmount} falls from above this to at or below. */
  bufferedAmountLowThreshold = 0;

  constructor(private readonly options: IbbSenderOptions) {
    if (
      !Number.isInteger(options.blockSize) ||
      options.blockSize < 1 ||
      options.blockSize > IBB_MAX_BLOCK_SIZE
    ) {
      throw new RangeError("blockSize must be 1..65535");
    }
  }

  /** Bytes given to {@link send} and not yet acknowledged. */
  get bufferedAmount(): number {
    return this.buffered;
  }

  /** True while `send` is allowed. */
  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Sends `<open/>` (XEP-0047 §2.1). */
  open(now: number): void {
    if (this.state !== "new") throw new Error(`open in state ${this.state}`);
    this.state = "opening";
    this.openTag = this.iq(now, buildIbbOpen(this.options.sid, this.options.blockSize));
  }

  /**
   * Queues bytes, cut into blocks of at most the block size.
   * @throws {Error} unless open, or above `maxBuffered` (the driver ignored bufferedAmount).
   */
  send(now: number, data: Uint8Array): void {
    if (this.state !== "open") throw new Error(`send in state ${this.state}`);
    if (this.buffered + data.length > (this.options.maxBuffered ?? 1024 * 1024)) {
      throw new Error("IBB send buffer full: wait for bufferedamountlow");
    }
    for (let at = 0; at < data.length; at += this.options.blockSize) {
      this.queue.push(data.subarray(at, Math.min(data.length, at + this.options.blockSize)));
    }
    this.buffered += data.length;
    this.flush(now);
  }

  /** Sends `<close/>` (XEP-0047 §2.3) once every queued block is acknowledged. */
  close(now: number): void {
    if (this.state === "open") {
      this.state = "closing";
      this.flush(now);
    } else if (this.state === "new" || this.state === "opening") {
      this.finish();
    }
  }

  /** The IQ with `tag` got its result. */
  handleResult(now: number, tag: number): void {
    if (tag === this.openTag && this.state === "opening") {
      this.inFlight.delete(tag);
      this.state = "open";
      this.events.push({ type: "open", blockSize: this.options.blockSize });
      return;
    }
    if (tag === this.closeTag) {
      this.inFlight.delete(tag);
      this.finish();
      return;
    }
    const sent = this.inFlight.get(tag);
    if (sent === undefined) return;
    this.inFlight.delete(tag);
    const before = this.buffered;
    this.buffered -= sent.bytes;
    if (
      before > this.bufferedAmountLowThreshold &&
      this.buffered <= this.bufferedAmountLowThreshold
    ) {
      this.events.push({ type: "bufferedamountlow" });
    }
    this.flush(now);
  }

  /** The IQ with `tag` failed (the peer refused or closed the stream): the stream is over. */
  handleError(now: number, tag: number, condition: StanzaErrorCondition): void {
    if (!this.inFlight.has(tag) || this.state === "closed") return;
    this.finish(new IbbError(condition, `the peer answered an IBB IQ with ${condition}`));
  }

  /** The peer closed the stream (its `<close/>` with our sid). */
  handlePeerClose(_now: number): void {
    if (this.state !== "closed")
      this.finish(new IbbError("item-not-found", "the peer closed the stream"));
  }

  handleTimeout(now: number): void {
    const deadline = this.pollTimeout();
    if (deadline !== undefined && now >= deadline) {
      this.finish(new IbbError("resource-constraint", "an IBB IQ got no answer in time", "wait"));
    }
  }

  pollTransmit(): IbbTransmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): IbbEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    let earliest: number | undefined;
    for (const { deadline } of this.inFlight.values()) {
      if (earliest === undefined || deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  private iq(now: number, payload: XmlElement, bytes = 0): number {
    const tag = this.nextTag++;
    this.inFlight.set(tag, { bytes, deadline: now + (this.options.iqTimeoutMs ?? 30_000) });
    this.transmits.push({ type: "iq", tag, payload });
    return tag;
  }

  private flush(now: number): void {
    const window = Math.max(1, this.options.window ?? 1);
    while ((this.state === "open" || this.state === "closing") && this.inFlight.size < window) {
      const block = this.queue.shift();
      if (block === undefined) break;
      this.iq(now, buildIbbData(this.options.sid, this.seq, block), block.length);
      this.seq = nextSeq(this.seq);
    }
    if (
      this.state === "closing" &&
      this.queue.length === 0 &&
      this.inFlight.size === 0 &&
      this.closeTag < 0
    ) {
      this.closeTag = this.iq(now, buildIbbClose(this.options.sid));
    }
  }

  private finish(error?: IbbError): void {
    this.state = "closed";
    this.inFlight.clear();
    this.queue.length = 0;
    this.buffered = 0;
    this.events.push(error === undefined ? { type: "closed" } : { type: "closed", error });
  }
}

/** What to answer an IBB IQ with: an empty result, or the error. */
export type IbbReply = { readonly ok: true } | { readonly ok: false; readonly error: IbbError };

type ReceiverState = "waiting" | "open" | "closed";

/**
 * The receiving side of one IBB stream with a known `sid` (from the XEP-0261 transport). Every
 * IQ gets a reply; nothing throws. An out-of-order `seq` closes the stream (XEP-0047 §2.2).
 */
export class IbbReceiver {
  private state: ReceiverState = "waiting";
  private readonly events = new Outbox<IbbEvent>(10_000);
  private blockSize = 0;
  private seq = 0;
  /** Bytes received. */
  bytes = 0;

  constructor(private readonly options: { readonly sid: string; readonly maxBlockSize?: number }) {}

  /** Answers one IQ set whose child is in the IBB namespace. */
  handleIq(element: XmlElement): IbbReply {
    let parsed;
    try {
      parsed = parseIbb(element, {
        ...(this.state === "open" ? { blockSize: this.blockSize } : {}),
        maxBlockSize: this.options.maxBlockSize ?? IBB_MAX_BLOCK_SIZE,
      });
    } catch (error) {
      if (!(error instanceof IbbError)) throw error;
      // A block that breaks the agreed size ends the stream; other malformed IQs are only refused.
      if (this.state === "open" && element.name === "data") this.close(error);
      return { ok: false, error };
    }
    if (parsed.sid !== this.options.sid) {
      return { ok: false, error: new IbbError("item-not-found", "unknown IBB session") };
    }
    switch (parsed.kind) {
      case "open":
        if (this.state !== "waiting")
          return { ok: false, error: new IbbError("not-acceptable", "stream already opened") };
        this.state = "open";
        this.blockSize = parsed.blockSize;
        this.events.push({ type: "open", blockSize: parsed.blockSize });
        return { ok: true };
      case "data":
        if (this.state !== "open")
          return { ok: false, error: new IbbError("item-not-found", "no open IBB stream") };
        if (parsed.seq !== this.seq) {
          const error = new IbbError(
            "unexpected-request",
            `seq ${parsed.seq}, expected ${this.seq}`,
          );
          this.close(error);
          return { ok: false, error };
        }
        this.seq = nextSeq(this.seq);
        this.bytes += parsed.data.length;
        this.events.push({ type: "data", data: parsed.data });
        return { ok: true };
      case "close":
        if (this.state === "closed")
          return { ok: false, error: new IbbError("item-not-found", "stream closed") };
        this.close();
        return { ok: true };
    }
  }

  /** The next event, or `undefined`. */
  pollEvent(): IbbEvent | undefined {
    return this.events.shift();
  }

  /** True once closed (by the peer, by us, or by an error). */
  get closed(): boolean {
    return this.state === "closed";
  }

  private close(error?: IbbError): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.events.push(error === undefined ? { type: "closed" } : { type: "closed", error });
  }
}
