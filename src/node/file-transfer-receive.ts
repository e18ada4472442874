/**
 * Receives a file from a data channel into a temporary file with an XEP-0234
 * `FileReceiver` (src/jingle): bytes go to `<path>.part` as they come; only once the hash verifies is
 * the file renamed to `path` — and only then do `<received/>` and `success` go out. A hash
 * mismatch (`media-error`) deletes the temporary file; other failures (cancel, timeout, a closed
 * channel) keep it, so a later session can resume with a range (docs/file-transfer.md).
 *
 * A data channel cannot be paused, so the bytes waiting for the disk are capped
 * (`maxPendingWrite`): above it the transfer ends with `general-error` rather than buffering
 * without bound.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rename, stat, truncate, unlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import {
  monotonic,
  pumpReason,
  type Clock,
  type FileChannel,
  type FileReceiveMachine,
  type InfoOf,
  type OutcomeOf,
  type ReasonOf,
  type SignalOf,
  type TransferEvent,
  type TransferOutcome,
} from "./file-transfer-channel.js";

/** Options of {@link FileReceivePump}. */
export interface FileReceiveOptions<M extends FileReceiveMachine> {
  /** The XEP-0234 `FileReceiver` (src/jingle). */
  readonly receiver: M;
  readonly channel: FileChannel;
  /** Where the verified file ends up. */
  readonly path: string;
  /** The temporary file. Default `${path}.part`. */
  readonly tempPath?: string;
  /** Sends a Jingle session-info or session-terminate for the session. */
  readonly signal: (signal: SignalOf<M>) => void;
  /** Most bytes waiting for the disk. Default 16 MiB. */
  readonly maxPendingWrite?: number;
  readonly onEvent?: (event: TransferEvent) => void;
  readonly clock?: Clock;
}

/** The outcome of a receive, with where the file is when it succeeded. */
export type FileReceiveResult<O extends TransferOutcome = TransferOutcome> = O & {
  /** The final path, on success only. */
  readonly path?: string;
};

/** The default cap on bytes waiting for the disk: 16 MiB. */
export const DEFAULT_MAX_PENDING_WRITE = 16 * 1024 * 1024;

/**
 * The length of a partial file left by an earlier attempt (0 when there is none), to put in the
 * `<range offset/>` of a session-accept when resuming (XEP-0234 §5.3).
 */
export async function partialLength(tempPath: string): Promise<number> {
  try {
    const s = await stat(tempPath);
    return s.isFile() ? s.size : 0;
  } catch {
    return 0;
  }
}

/** Runs one `FileReceiver` (src/jingle) from a channel into a file; see the module comment. */
export class FileReceivePump<M extends FileReceiveMachine> {
  /** The outcome, once known and the file is renamed (or deleted). */
  readonly result: Promise<FileReceiveResult<OutcomeOf<M>>>;
  private resolve!: (result: FileReceiveResult<OutcomeOf<M>>) => void;
  private outcome: OutcomeOf<M> | undefined;
  private out: WriteStream | undefined;
  private held: SignalOf<M>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private readonly clock: Clock;
  private readonly temp: string;
  /** Text messages dropped (file bytes come in binary messages only). */
  textMessages = 0;
  /** Messages that came while {@link start} read the partial file (capped like pending writes). */
  private early: Uint8Array[] | undefined;
  private earlyBytes = 0;
  private readonly onMessage = (data: string | Uint8Array): void => {
    if (typeof data === "string") {
      this.textMessages++;
      return;
    }
    if (this.early !== undefined) {
      this.earlyBytes += data.length;
      if (this.earlyBytes > (this.options.maxPendingWrite ?? DEFAULT_MAX_PENDING_WRITE))
        this.abort(pumpReason<M>("general-error", "the disk does not keep up"));
      else this.early.push(data);
      return;
    }
    this.options.receiver.handleData(this.clock(), data);
    this.drain();
  };
  private readonly onClose = (): void => {
    this.abort(pumpReason<M>("failed-transport", "the data channel closed"));
  };

  constructor(private readonly options: FileReceiveOptions<M>) {
    this.clock = options.clock ?? monotonic;
    this.temp = options.tempPath ?? `${options.path}.part`;
    this.result = new Promise((resolve) => (this.resolve = resolve));
  }

  /**
   * Prepares the temporary file (when resuming: hashes its first the machine's `offset`
   * bytes and cuts it there) and starts listening. Call it before the session-accept goes out,
   * so no message can come before.
   */
  async start(): Promise<void> {
    const { receiver, channel } = this.options;
    const offset = receiver.offset;
    // Listening starts at once: what comes while the partial file is read waits in `early`.
    channel.on("message", this.onMessage);
    channel.on("close", this.onClose);
    if (offset > 0) {
      this.early = [];
      try {
        if ((await partialLength(this.temp)) < offset)
          throw new RangeError("the partial file is shorter than the range offset");
        for await (const chunk of createReadStream(this.temp, {
          start: 0,
          end: offset - 1,
        }) as AsyncIterable<Buffer>) {
          receiver.prime(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
        await truncate(this.temp, offset);
      } catch (error) {
        channel.off("message", this.onMessage);
        channel.off("close", this.onClose);
        throw error;
      }
    }
    this.out = createWriteStream(
      this.temp,
      offset > 0 ? { flags: "r+", start: offset } : { flags: "w" },
    );
    this.out.on("error", (error) =>
      this.abort(pumpReason<M>("media-error", `cannot write: ${error.message}`)),
    );
    const early = this.early ?? [];
    this.early = undefined;
    if (!receiver.finished) {
      receiver.begin(this.clock());
      for (const data of early) receiver.handleData(this.clock(), data);
    }
    this.drain();
  }

  /** A `<checksum/>` from the peer's session-info. */
  handleInfo(info: InfoOf<M>): void {
    this.options.receiver.handleInfo(this.clock(), info as never);
    this.drain();
  }

  /** The peer's session-terminate. */
  handleTerminate(reason: ReasonOf<M>): void {
    this.options.receiver.handleTerminate(this.clock(), reason);
    this.drain();
  }

  /** Ends the transfer with `reason` (sent to the peer). */
  abort(reason: ReasonOf<M>): void {
    this.options.receiver.abort(this.clock(), reason);
    this.drain();
  }

  private drain(): void {
    const { receiver } = this.options;
    for (let t = receiver.pollTransmit(); t !== undefined; t = receiver.pollTransmit()) {
      if (t.type === "write") {
        this.out?.write(t.data);
        if (
          (this.out?.writableLength ?? 0) >
          (this.options.maxPendingWrite ?? DEFAULT_MAX_PENDING_WRITE)
        ) {
          receiver.abort(this.clock(), pumpReason<M>("general-error", "the disk does not keep up"));
        }
      } else if (t.type === "session-info" || t.type === "terminate") {
        // Held until the file is safely renamed (or deleted): success is only claimed when true.
        this.held.push(t as SignalOf<M>);
      }
    }
    for (let e = receiver.pollEvent(); e !== undefined; e = receiver.pollEvent()) {
      this.options.onEvent?.(e);
      if (e.type === "finished" && this.outcome === undefined) {
        this.outcome = e.outcome as OutcomeOf<M>;
        void this.settle(e.outcome as OutcomeOf<M>);
      }
    }
    if (this.outcome === undefined || this.settled) this.flushHeld();
    this.arm();
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const s of held) this.options.signal(s);
  }

  private async settle(outcome: OutcomeOf<M>): Promise<void> {
    const { channel, path } = this.options;
    channel.off("message", this.onMessage);
    channel.off("close", this.onClose);
    if (this.timer !== undefined) clearTimeout(this.timer);
    const out = this.out;
    let result: FileReceiveResult<OutcomeOf<M>> = outcome;
    if (outcome.reason.condition === "success" && out !== undefined) {
      try {
        out.end();
        await finished(out);
        await rename(this.temp, path);
        result = { ...outcome, path };
      } catch (error) {
        // The bytes were right but could not be kept: tell the peer so, not success.
        const reason = pumpReason<M>("general-error", `cannot store the file: ${String(error)}`);
        this.held = [{ type: "terminate", reason } as SignalOf<M>];
        result = { ...outcome, reason };
      }
    } else {
      if (outcome.reason.condition === "media-error") {
        // Wrong bytes: nothing of them is kept.
        out?.destroy();
        if (out !== undefined) await finished(out).catch(() => undefined);
        await unlink(this.temp).catch(() => undefined);
      } else if (out !== undefined) {
        // Good bytes so far: flush them, so a later session can resume from them.
        out.end();
        await finished(out).catch(() => undefined);
      }
    }
    this.settled = true;
    this.flushHeld();
    this.resolve(result);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = this.options.receiver.pollTimeout();
    if (deadline === undefined || this.outcome !== undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.options.receiver.handleTimeout(this.clock());
        this.drain();
      },
      Math.max(0, deadline - this.clock()),
    );
  }
}
