/**
 * The receiving side of an XEP-0234 transfer, sans-IO: it counts the bytes, hashes them as they
 * come with every algorithm the offer named (sha-1 and sha-256 when it named none), and once the
 * last byte is in and a hash is known (from the offer or a `<checksum/>`, XEP-0234 §8) verifies
 * it. A match sends `<received/>` (§7, unless the flavour's peer does not want it) and terminates
 * with `success`; a mismatch, too many bytes, or no usable hash before the deadline terminates
 * with `media-error` — the driver then deletes what it wrote (docs/file-transfer.md).
 */
import { bytesEqual } from "../common/bytes.js";
import { Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { MultiHash, type FileHash, type HashAlgorithm } from "./file-transfer-hash.js";
import { buildReceived, type ContentRef, type FileTransferInfo } from "./file-transfer-info.js";
import {
  DEFAULT_FINISH_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  type FileTransferEvent,
  type FileTransferStats,
  type FileTransferTransmit,
} from "./file-transfer-session.js";
import type { FileDescription, FileRange } from "./file-transfer.js";
import type { Reason } from "./model.js";

/** Options of a {@link FileReceiver}. */
export interface FileReceiverOptions {
  /** The file as offered; `size` is required (the application refuses offers without). */
  readonly file: FileDescription & { readonly size: number };
  /** The content the `<received/>` names. */
  readonly content: ContentRef;
  /** The range we asked for in our session-accept, to resume a partial file. */
  readonly range?: FileRange;
  /** Send `<received/>` before terminating ({@link FlavourProfile.receiverSendsReceived}). */
  readonly sendReceived: boolean;
  /** Wait for a hash after the last byte, and for the peer after that, ms. Default 60 s. */
  readonly finishTimeoutMs?: number;
  /**
   * While receiving: the longest time without data before the transfer ends with `timeout`
   * (a stalled sender), ms. Default {@link DEFAULT_IDLE_TIMEOUT}.
   */
  readonly idleTimeoutMs?: number;
}

/** The algorithms computed when the offer names none we know. */
export const FALLBACK_ALGORITHMS: readonly HashAlgorithm[] = ["sha-1", "sha-256"];

type State = "priming" | "receiving" | "awaiting-checksum" | "finished";

/** The receiving machine; see the module comment. */
export class FileReceiver implements SansIo<FileTransferTransmit, FileTransferEvent> {
  private state: State = "priming";
  private readonly transmits = new Outbox<FileTransferTransmit>(100_000);
  private readonly events = new Outbox<FileTransferEvent>(10_000);
  private readonly hash: MultiHash;
  private readonly start: number;
  private readonly end: number;
  private primed = 0;
  private received = 0;
  private expected: FileHash[];
  private deadline: Deadline;
  /** See {@link FileTransferStats}. */
  readonly stats: FileTransferStats = { unexpected: 0 };

  constructor(private readonly options: FileReceiverOptions) {
    const { file, range } = options;
    this.start = range?.offset ?? 0;
    this.end = range?.length === undefined ? file.size : this.start + range.length;
    if (this.start > file.size || this.end > file.size)
      throw new RangeError("range outside the file");
    // A range with a length leaves the file's tail out: the whole-file hash cannot be checked.
    if (this.end !== file.size)
      throw new RangeError("only ranges that run to the end of the file are verifiable");
    this.expected = [...(file.hashes ?? [])];
    const named = new Set<HashAlgorithm>([
      ...this.expected.map((h) => h.algo),
      ...(file.hashesUsed ?? []),
    ]);
    this.hash = new MultiHash(named.size > 0 ? named : FALLBACK_ALGORITHMS);
    if (this.start === 0) this.state = "receiving";
  }

  /** The offset where the bytes of this session go: the range's offset (0 without one). */
  get offset(): number {
    return this.start;
  }

  /**
   * Resuming: the bytes already on disk, from offset 0, before any data. Once {@link offset}
   * bytes are in, the machine starts receiving.
   * @throws {Error} when called after the prefix is complete (a driver bug).
   */
  prime(bytes: Uint8Array): void {
    if (this.state !== "priming" || this.primed + bytes.length > this.start) {
      throw new Error("prime: more bytes than the range's offset, or too late");
    }
    this.hash.update(bytes);
    this.primed += bytes.length;
    if (this.primed === this.start) this.state = "receiving";
  }

  /** Bytes written to the file so far in this session. */
  get bytes(): number {
    return this.received;
  }

  /**
   * Called once the data path is open, so an empty transfer (0 bytes) completes.
   * @throws {Error} before the resume prefix is primed.
   */
  begin(now: number): void {
    if (this.state === "priming") throw new Error("begin before the resume prefix is primed");
    this.deadline = now + (this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT);
    this.maybeComplete(now);
  }

  /** One binary message from the data channel (or one IBB block). */
  handleData(now: number, data: Uint8Array): void {
    if (this.state !== "receiving") {
      // Bytes before priming is done, or after the last one: a sender bug or an attack.
      if (this.state === "priming") throw new Error("data before the resume prefix is primed");
      this.stats.unexpected++;
      if (this.state === "awaiting-checksum" && data.length > 0)
        this.fail("media-error", "more bytes than offered");
      return;
    }
    if (this.start + this.received + data.length > this.end) {
      this.fail("media-error", "more bytes than offered");
      return;
    }
    if (data.length === 0) return;
    this.hash.update(data);
    this.received += data.length;
    this.deadline = now + (this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT);
    this.transmits.push({ type: "write", data });
    this.events.push({ type: "progress", bytes: this.received, total: this.end - this.start });
    this.maybeComplete(now);
  }

  /** An XEP-0234 payload from the peer: a `<checksum/>` gives the hash to verify against. */
  handleInfo(now: number, info: FileTransferInfo): void {
    if (info.kind !== "checksum" || this.state === "finished") {
      this.stats.unexpected++;
      return;
    }
    this.expected = [...info.hashes];
    if (this.state === "awaiting-checksum") this.verify();
  }

  /** The sender terminated. Before every byte was verified that is a failure, whatever it says. */
  handleTerminate(now: number, reason: Reason): void {
    if (this.state === "finished") return;
    this.done(
      reason.condition === "success"
        ? { condition: "media-error", text: "the sender ended before the file was verified" }
        : reason,
      false,
    );
  }

  /** Ends the transfer with `reason` (e.g. `cancel`, or `connectivity-error` when the channel closed). */
  abort(now: number, reason: Reason): void {
    if (this.state === "finished") return;
    this.transmits.push({ type: "terminate", reason });
    this.done(reason, false);
  }

  handleTimeout(now: number): void {
    if (this.deadline === undefined || now < this.deadline) return;
    if (this.state === "receiving") this.fail("timeout", "no data from the sender");
    else if (this.state === "awaiting-checksum") {
      this.fail("media-error", "no checksum arrived to verify the file with");
    }
  }

  pollTransmit(): FileTransferTransmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): FileTransferEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    return this.state === "awaiting-checksum" || this.state === "receiving"
      ? this.deadline
      : undefined;
  }

  /** True once the outcome is known. */
  get finished(): boolean {
    return this.state === "finished";
  }

  private maybeComplete(now: number): void {
    if (this.state !== "receiving" || this.start + this.received < this.end) return;
    this.state = "awaiting-checksum";
    this.deadline = now + (this.options.finishTimeoutMs ?? DEFAULT_FINISH_TIMEOUT);
    if (this.expected.length > 0) this.verify();
  }

  /** XEP-0234 §8: every hash we computed must match; at least one must be checkable. */
  private verify(): void {
    const digests = this.hash.digest();
    let checked = 0;
    for (const { algo, value } of this.expected) {
      const ours = digests.get(algo);
      if (ours === undefined) continue;
      if (!bytesEqual(ours, value)) {
        this.fail("media-error", `${algo} hash mismatch`);
        return;
      }
      checked++;
    }
    if (checked === 0) {
      this.fail("media-error", "no hash in an algorithm we computed");
      return;
    }
    if (this.options.sendReceived) {
      this.transmits.push({ type: "session-info", payload: buildReceived(this.options.content) });
    }
    this.transmits.push({ type: "terminate", reason: { condition: "success" } });
    this.done({ condition: "success" }, true);
  }

  private fail(condition: Reason["condition"], text: string): void {
    this.transmits.push({ type: "terminate", reason: { condition, text } });
    this.done({ condition, text }, false);
  }

  private done(reason: Reason, verified: boolean): void {
    this.state = "finished";
    this.deadline = undefined;
    this.events.push({ type: "finished", outcome: { reason, bytes: this.received, verified } });
  }
}
