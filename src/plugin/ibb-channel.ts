/**
 * XEP-0047 In-Band Bytestreams as the channel a file-transfer pump writes to or reads from
 * (`FileChannel`, the part of a data channel the pumps use), for the XEP-0261 fallback
 * (`file-fallback.ts`). {@link IbbSendChannel} drives an {@link IbbSender}: its IQs go to the peer
 * through the XMPP link, their answers come back, its deadlines run on a timer.
 * {@link IbbReceiveChannel} answers the peer's IQs (routed by `ibb-streams.ts`) through an
 * {@link IbbReceiver} and hands the bytes on as `message` events.
 */
import { EventEmitter } from "node:events";
import type { StanzaErrorCondition } from "../jingle/errors.js";
import { IbbError } from "../jingle/file-transfer-errors.js";
import { IbbReceiver, IbbSender, type IbbEvent, type IbbReply } from "../jingle/ibb-session.js";
import type { IbbTransport } from "../jingle/ibb-transport.js";
import type { XmlElement } from "../jingle/xml.js";
import { DeadlineTimer } from "../node/deadline-timer.js";
import type { FileChannel } from "../node/file-transfer-channel.js";
import type { ChannelState } from "../sctp/data-channel-types.js";
import { stanzaCondition } from "./signalling.js";

/** Events of the IBB channels (those of a data channel that the pumps listen to). */
export interface IbbChannelEvents {
  message: [data: string | Uint8Array];
  bufferedamountlow: [];
  close: [];
}

/** Sends one IQ set with `payload` to the peer; resolves on its result, rejects on its error. */
export type IbbRequest = (payload: XmlElement) => Promise<unknown>;

/** The stanza error condition an IQ failed with (a timeout counts as `service-unavailable`). */
function conditionOf(error: unknown): StanzaErrorCondition {
  return (stanzaCondition(error) ?? "service-unavailable") as StanzaErrorCondition;
}

const clock = (): number => performance.now();

/** The sending side of an IBB stream as a file channel; see the module comment. */
export class IbbSendChannel extends EventEmitter<IbbChannelEvents> implements FileChannel {
  private readonly sender: IbbSender;
  private readonly timer: DeadlineTimer;
  private state: ChannelState = "connecting";
  private error: IbbError | undefined;
  /** Resolves once the peer accepted our `<open/>`; rejects if it refused or never answered. */
  readonly opened: Promise<void>;
  private settle: (error?: Error) => void = () => undefined;

  /** The stream's block size (XEP-0047 §2.1): the largest message worth giving to {@link send}. */
  readonly blockSize: number;

  constructor(
    private readonly request: IbbRequest,
    transport: IbbTransport,
    options: { readonly iqTimeoutMs?: number; readonly maxBuffered?: number } = {},
  ) {
    super();
    this.blockSize = transport.blockSize;
    this.sender = new IbbSender({ sid: transport.sid, blockSize: transport.blockSize, ...options });
    this.timer = new DeadlineTimer(clock, () => {
      this.sender.handleTimeout(clock());
      this.drain();
    });
    this.opened = new Promise((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.opened.catch(() => undefined);
    this.sender.open(clock());
    this.drain();
  }

  /** Why the stream closed, if it did not close cleanly. */
  get closeError(): IbbError | undefined {
    return this.error;
  }

  get readyState(): ChannelState {
    return this.state;
  }

  get bufferedAmount(): number {
    return this.sender.bufferedAmount;
  }

  get bufferedAmountLowThreshold(): number {
    return this.sender.bufferedAmountLowThreshold;
  }

  set bufferedAmountLowThreshold(value: number) {
    this.sender.bufferedAmountLowThreshold = value;
  }

  /** Queues bytes (cut into blocks). @throws {Error} unless open, or above the send buffer cap. */
  send(data: Uint8Array): void {
    this.sender.send(clock(), data);
    this.drain();
  }

  /** Closes the stream once every queued block is acknowledged (XEP-0047 §2.3). */
  close(): void {
    if (this.state === "closed") return;
    if (this.state === "open") this.state = "closing";
    this.sender.close(clock());
    this.drain();
  }

  /** The peer closed the stream (its `<close/>`). */
  handlePeerClose(): void {
    this.sender.handlePeerClose(clock());
    this.drain();
  }

  private drain(): void {
    for (let t = this.sender.pollTransmit(); t !== undefined; t = this.sender.pollTransmit()) {
      const { tag, payload } = t;
      this.request(payload).then(
        () => {
          this.sender.handleResult(clock(), tag);
          this.drain();
        },
        (error: unknown) => {
          this.sender.handleError(clock(), tag, conditionOf(error));
          this.drain();
        },
      );
    }
    for (let e = this.sender.pollEvent(); e !== undefined; e = this.sender.pollEvent()) {
      switch (e.type) {
        case "open":
          this.state = "open";
          this.settle();
          break;
        case "bufferedamountlow":
          this.emit("bufferedamountlow");
          break;
        case "closed":
          this.finish(e.error);
          break;
        case "data":
          break;
      }
    }
    if (this.state === "closed") this.timer.clear();
    else this.timer.arm(this.sender.pollTimeout());
  }

  private finish(error: IbbError | undefined): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.error = error;
    this.settle(error ?? new Error("the IBB stream closed before it opened"));
    this.emit("close");
  }
}

/** The receiving side of an IBB stream as a file channel; see the module comment. */
export class IbbReceiveChannel extends EventEmitter<IbbChannelEvents> implements FileChannel {
  private readonly receiver: IbbReceiver;
  private state: ChannelState = "connecting";
  /** Receiving side: nothing is ever buffered for sending. */
  readonly bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** The stream's block size (XEP-0047 §2.1). */
  readonly blockSize: number;

  constructor(
    transport: IbbTransport,
    /** Bytes the file still needs: a clean `<close/>` before them counts as a lost channel. */
    private readonly expected: number,
    /** Runs `work` after the IQ's answer has left (the plugin's `after`). */
    private readonly defer: (work: () => void) => void,
  ) {
    super();
    this.blockSize = transport.blockSize;
    this.receiver = new IbbReceiver({ sid: transport.sid, maxBlockSize: transport.blockSize });
  }

  get readyState(): ChannelState {
    return this.state;
  }

  /** @throws {Error} always: the receiving side of a file transfer sends nothing. */
  send(): void {
    throw new Error("the receiving side of an IBB stream cannot send");
  }

  /** Stops taking the peer's IQs (they get `item-not-found`). */
  close(): void {
    this.state = "closed";
  }

  /**
   * Answers one of the peer's IQs for this stream; the bytes and the close it brings are handed
   * on after the answer has left.
   */
  handleIq(element: XmlElement): IbbReply {
    if (this.state === "closed")
      return { ok: false, error: new IbbError("item-not-found", "the IBB stream is closed") };
    const reply = this.receiver.handleIq(element);
    const events: IbbEvent[] = [];
    for (let e = this.receiver.pollEvent(); e !== undefined; e = this.receiver.pollEvent())
      events.push(e);
    if (this.receiver.closed) this.state = "closed";
    else if (events.some((e) => e.type === "open")) this.state = "open";
    if (events.length > 0) {
      this.defer(() => {
        for (const e of events) {
          if (e.type === "data") this.emit("message", e.data);
          // A clean close after the last byte is the end of the stream, not a lost channel.
          else if (e.type === "closed" && (e.error !== undefined || this.received < this.expected))
            this.emit("close");
        }
      });
    }
    return reply;
  }

  /** Bytes received so far. */
  get received(): number {
    return this.receiver.bytes;
  }
}
