/**
 * Sends a file from disk over a data channel with an XEP-0234 `FileSender` (src/jingle), with
 * back-pressure end to end: the file is read only as fast as the channel drains, and the channel's
 * `bufferedAmount` never goes above `highWaterMark` (one message larger than it excepted). Memory
 * stays bounded by the read stream's buffer plus `highWaterMark`, whatever the file's size.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import {
  monotonic,
  pumpReason,
  type Clock,
  type FileChannel,
  type FileSendMachine,
  type InfoOf,
  type OutcomeOf,
  type ReasonOf,
  type SignalOf,
  type TransferEvent,
} from "./file-transfer-channel.js";

/** Options of {@link FileSendPump}. */
export interface FileSendOptions<M extends FileSendMachine> {
  /** The XEP-0234 `FileSender` (src/jingle). */
  readonly sender: M;
  readonly channel: FileChannel;
  /** The file to send (read from the machine's `readOffset`). */
  readonly path: string;
  /** Sends a Jingle session-info or session-terminate for the session. */
  readonly signal: (signal: SignalOf<M>) => void;
  /** Most bytes queued on the channel. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Read size. Default 64 KiB. */
  readonly readSize?: number;
  /** Progress and the outcome, as the machine reports them. */
  readonly onEvent?: (event: TransferEvent) => void;
  readonly clock?: Clock;
}

/** The default `highWaterMark`: 1 MiB queued on the channel at most. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 1024 * 1024;

/** Runs one `FileSender` (src/jingle) against a file and a channel; see the module comment. */
export class FileSendPump<M extends FileSendMachine> {
  /** The outcome, once the receiver (or a failure) ended the transfer. */
  readonly result: Promise<OutcomeOf<M>>;
  private resolve!: (outcome: OutcomeOf<M>) => void;
  private outcome: OutcomeOf<M> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private stream: Readable | undefined;
  private readonly clock: Clock;
  private readonly highWaterMark: number;
  private readonly onLow = (): void => this.wake?.();
  private readonly onClose = (): void => {
    this.abort(pumpReason<M>("failed-transport", "the data channel closed"));
  };

  constructor(private readonly options: FileSendOptions<M>) {
    this.clock = options.clock ?? monotonic;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK;
    this.result = new Promise((resolve) => (this.resolve = resolve));
    options.channel.bufferedAmountLowThreshold = Math.floor(this.highWaterMark / 2);
    options.channel.on("bufferedamountlow", this.onLow);
    options.channel.on("close", this.onClose);
  }

  /**
   * Starts sending (call once the session is accepted and the channel is open; `range` is the
   * accepted one). Resolves like {@link result}.
   */
  async run(range?: Parameters<M["begin"]>[1]): Promise<OutcomeOf<M>> {
    const { sender, path } = this.options;
    sender.begin(this.clock(), range);
    await this.pump();
    if (!sender.finished && sender.remaining > 0) {
      const stream = createReadStream(path, {
        start: sender.readOffset,
        highWaterMark: this.options.readSize ?? 64 * 1024,
      });
      this.stream = stream;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (this.outcome !== undefined) break;
          sender.push(
            this.clock(),
            new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
          await this.pump();
          if (sender.remaining === 0) break;
        }
        if (this.outcome === undefined) sender.finish(this.clock());
      } catch (error) {
        sender.abort(
          this.clock(),
          pumpReason<M>("media-error", `cannot read the file: ${String(error)}`),
        );
      } finally {
        stream.destroy();
      }
      await this.pump();
    }
    return this.result;
  }

  /** A `<received/>` or `<checksum/>` from the peer's session-info. */
  handleInfo(info: InfoOf<M>): void {
    this.options.sender.handleInfo(this.clock(), info as never);
    void this.pump();
  }

  /** The peer's session-terminate. */
  handleTerminate(reason: ReasonOf<M>): void {
    this.options.sender.handleTerminate(this.clock(), reason);
    this.wake?.();
    void this.pump();
  }

  /** Ends the transfer with `reason` (sent to the peer). */
  abort(reason: ReasonOf<M>): void {
    this.options.sender.abort(this.clock(), reason);
    this.wake?.();
    void this.pump();
  }

  /** Drains the machine; runs serially, so messages keep their order. */
  private pump(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  private async drain(): Promise<void> {
    const { sender } = this.options;
    for (;;) {
      this.drainEvents();
      const t = sender.pollTransmit();
      if (t === undefined) break;
      if (t.type === "message") {
        // After a failure, queued bytes are no longer wanted.
        if (this.outcome !== undefined && this.outcome.reason.condition !== "success") continue;
        await this.room(t.data.length);
        if (this.outcome !== undefined && this.outcome.reason.condition !== "success") continue;
        if (!this.trySend(t.data)) continue;
      } else if (t.type === "session-info" || t.type === "terminate") {
        this.options.signal(t as SignalOf<M>);
      }
    }
    this.drainEvents();
    this.arm();
  }

  /**
   * Sends one message; a channel that closed (its `close` event may still be on its way) or
   * refused the message ends the transfer with `failed-transport` instead of throwing.
   */
  private trySend(data: Uint8Array): boolean {
    const { channel, sender } = this.options;
    try {
      if (channel.readyState !== "open")
        throw new Error(`the data channel is ${channel.readyState}`);
      channel.send(data);
      return true;
    } catch (error) {
      sender.abort(this.clock(), pumpReason<M>("failed-transport", String(error)));
      this.drainEvents();
      return false;
    }
  }

  /** Waits until `bytes` more fit under the high-water mark (or nothing is queued). */
  private async room(bytes: number): Promise<void> {
    const { channel } = this.options;
    while (
      this.outcome === undefined &&
      channel.bufferedAmount > 0 &&
      channel.bufferedAmount + bytes > this.highWaterMark
    ) {
      // The machine's idle deadline must run while we wait: a channel that never drains ends it.
      this.arm();
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      this.drainEvents();
    }
  }

  private drainEvents(): void {
    for (
      let e = this.options.sender.pollEvent();
      e !== undefined;
      e = this.options.sender.pollEvent()
    ) {
      this.options.onEvent?.(e);
      if (e.type === "finished" && this.outcome === undefined) {
        this.outcome = e.outcome as OutcomeOf<M>;
        this.stream?.destroy();
        this.options.channel.off("bufferedamountlow", this.onLow);
        this.options.channel.off("close", this.onClose);
        this.resolve(e.outcome as OutcomeOf<M>);
      }
    }
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = this.options.sender.pollTimeout();
    if (deadline === undefined || this.outcome !== undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.options.sender.handleTimeout(this.clock());
        this.wake?.();
        void this.pump();
      },
      Math.max(0, deadline - this.clock()),
    );
  }
}
