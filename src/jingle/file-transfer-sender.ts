/**
 * The sending side of an XEP-0234 transfer, sans-IO: it cuts the file into messages no larger
 * than the peer takes, hashes it on the way, sends `<checksum/>` (XEP-0234 §8) after the last
 * byte, then waits for the receiver: a `<received/>` (§7; Conversations) makes us terminate with
 * `success`; a session-terminate from the receiver (StanzaJS) ends it as the receiver says.
 * Nothing arriving before the deadline ends it with `timeout`.
 *
 * The driver reads the file from {@link FileSender.readOffset} and feeds it with
 * {@link FileSender.push}; bytes before the accepted range only feed the hash, so the checksum
 * always covers the whole file (docs/file-transfer.md, "Resuming").
 */
import { Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { MultiHash, type FileHash, type HashAlgorithm } from "./file-transfer-hash.js";
import { buildChecksum, type ContentRef, type FileTransferInfo } from "./file-transfer-info.js";
import {
  DEFAULT_FINISH_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  type FileTransferEvent,
  type FileTransferStats,
  type FileTransferTransmit,
} from "./file-transfer-session.js";
import type { FileDescription, FileRange } from "./file-transfer.js";
import type { Reason } from "./model.js";

/** Options of a {@link FileSender}. */
export interface FileSenderOptions {
  /** The file offered; `size` is required. */
  readonly file: FileDescription & { readonly size: number };
  /** The content the `<checksum/>` names. */
  readonly content: ContentRef;
  /** Largest message ({@link chunkSizeFor}). */
  readonly chunkSize: number;
  /** Algorithms of the `<checksum/>`; default sha-1 (every client) and sha-256. */
  readonly algorithms?: readonly HashAlgorithm[];
  /** Wait after the checksum for the receiver's answer, ms. Default {@link DEFAULT_FINISH_TIMEOUT}. */
  readonly finishTimeoutMs?: number;
  /**
   * While sending: the longest time between two {@link FileSender.push} calls before the
   * transfer ends with `timeout` (a stalled data path), ms. Default {@link DEFAULT_IDLE_TIMEOUT}.
   */
  readonly idleTimeoutMs?: number;
}

type State = "offered" | "sending" | "awaiting-receiver" | "finished";

/** The sending machine; see the module comment. */
export class FileSender implements SansIo<FileTransferTransmit, FileTransferEvent> {
  private state: State = "offered";
  private readonly transmits = new Outbox<FileTransferTransmit>(100_000);
  private readonly events = new Outbox<FileTransferEvent>(10_000);
  private readonly hash: MultiHash | undefined;
  /** Bytes of the file pushed so far (from offset 0 or from {@link readOffset}). */
  private position = 0;
  private sent = 0;
  private start = 0;
  private end = 0;
  private deadline: Deadline;
  /** See {@link FileTransferStats}. */
  readonly stats: FileTransferStats = { unexpected: 0 };

  constructor(private readonly options: FileSenderOptions) {
    if (!Number.isSafeInteger(options.chunkSize) || options.chunkSize < 1) {
      throw new RangeError("chunkSize must be a positive integer");
    }
    // With the file's hashes known up front there is nothing to compute (and a resumed read
    // can skip the prefix).
    this.hash =
      this.knownHashes().length > 0
        ? undefined
        : new MultiHash(options.algorithms ?? ["sha-1", "sha-256"]);
  }

  private knownHashes(): readonly FileHash[] {
    return this.options.file.hashes ?? [];
  }

  /** Where the driver must start reading the file: 0 unless hashes were known and a range accepted. */
  get readOffset(): number {
    return this.hash === undefined ? this.start : 0;
  }

  /** Bytes of the file still wanted by {@link push}. */
  get remaining(): number {
    return this.state === "sending" ? this.end - this.position : 0;
  }

  /**
   * The peer accepted (session-accept, and the data channel or IBB stream is open): start. The
   * `range` is the one from the accepted `<file/>`, if any (XEP-0234 §5.3).
   * @throws {RangeError} for a range outside the file (the application refuses those earlier).
   */
  begin(now: number, range?: FileRange): void {
    if (this.state !== "offered") throw new Error(`begin in state ${this.state}`);
    const size = this.options.file.size;
    const offset = range?.offset ?? 0;
    const length = range?.length ?? size - offset;
    if (offset > size || offset + length > size) throw new RangeError("range outside the file");
    this.start = offset;
    this.end = offset + length;
    this.position = this.readOffset;
    this.state = "sending";
    this.idle(now);
    this.maybeDone(now);
  }

  /**
   * The next bytes of the file, in order from {@link readOffset}. Bytes past the end of the
   * range are not sent; a file that grew beyond its announced size ends the transfer with
   * `media-error` (what is sent would not match the offer).
   */
  push(now: number, bytes: Uint8Array): void {
    if (this.state === "offered") throw new Error("push before begin");
    // Bytes read past the range (or after the end) are not wanted: the driver may overshoot.
    if (this.state !== "sending") return;
    const before = this.position;
    const size = this.options.file.size;
    if (before + bytes.length > size) {
      this.fail("media-error", "the file grew beyond the offered size");
      return;
    }
    this.hash?.update(bytes);
    this.position += bytes.length;
    this.idle(now);
    const from = Math.max(before, this.start);
    const to = Math.min(this.position, this.end);
    const { chunkSize } = this.options;
    for (let at = from; at < to; at += chunkSize) {
      const stop = Math.min(to, at + chunkSize);
      this.transmits.push({ type: "message", data: bytes.subarray(at - before, stop - before) });
      this.sent += stop - at;
    }
    if (to > from)
      this.events.push({ type: "progress", bytes: this.sent, total: this.end - this.start });
    this.maybeDone(now);
  }

  /** The file ended (EOF). Fewer bytes than announced end the transfer with `media-error`. */
  finish(_now: number): void {
    // Had every byte arrived, maybeDone would have left "sending" already.
    if (this.state === "sending")
      this.fail("media-error", "the file is shorter than the offered size");
  }

  private maybeDone(now: number): void {
    // Everything sent; with a hash to compute, the whole file must have been read too.
    if (this.state !== "sending" || this.position < this.end) return;
    if (this.hash !== undefined && this.position < this.options.file.size) return;
    const hashes: FileHash[] =
      this.hash === undefined
        ? [...this.knownHashes()]
        : [...this.hash.digest()].map(([algo, value]) => ({ algo, value }));
    this.transmits.push({
      type: "session-info",
      payload: buildChecksum(this.options.content, hashes),
    });
    this.state = "awaiting-receiver";
    this.deadline = now + (this.options.finishTimeoutMs ?? DEFAULT_FINISH_TIMEOUT);
  }

  /** An XEP-0234 session-info payload from the peer. `<received/>` ends it with `success`. */
  handleInfo(now: number, info: FileTransferInfo): void {
    if (info.kind === "received" && this.state === "awaiting-receiver") {
      this.transmits.push({ type: "terminate", reason: { condition: "success" } });
      this.done({ condition: "success" });
    } else {
      this.stats.unexpected++;
    }
  }

  /** The peer terminated the session (its reason ends ours; nothing is sent back). */
  handleTerminate(now: number, reason: Reason): void {
    if (this.state === "finished") return;
    // A success before every byte left us is not one.
    const early = this.state !== "awaiting-receiver" && reason.condition === "success";
    this.done(
      early
        ? { condition: "media-error", text: "the peer ended before the file was sent" }
        : reason,
    );
  }

  /** Ends the transfer with `reason` (e.g. `cancel`, or `connectivity-error` when the channel closed). */
  abort(now: number, reason: Reason): void {
    if (this.state === "finished") return;
    this.transmits.push({ type: "terminate", reason });
    this.done(reason);
  }

  handleTimeout(now: number): void {
    if (this.deadline === undefined || now < this.deadline) return;
    if (this.state === "sending") {
      this.abort(now, { condition: "timeout", text: "the data path stalled" });
    } else if (this.state === "awaiting-receiver") {
      this.abort(now, {
        condition: "timeout",
        text: "no answer from the receiver after the checksum",
      });
    }
  }

  pollTransmit(): FileTransferTransmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): FileTransferEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    return this.state === "awaiting-receiver" || this.state === "sending"
      ? this.deadline
      : undefined;
  }

  /** True once the outcome is known. */
  get finished(): boolean {
    return this.state === "finished";
  }

  private idle(now: number): void {
    this.deadline = now + (this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT);
  }

  private fail(condition: Reason["condition"], text: string): void {
    this.transmits.push({ type: "terminate", reason: { condition, text } });
    this.done({ condition, text });
  }

  private done(reason: Reason): void {
    this.state = "finished";
    this.deadline = undefined;
    this.events.push({ type: "finished", outcome: { reason, bytes: this.sent, verified: false } });
  }
}
