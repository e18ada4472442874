/**
 * The record layer's state (RFC 6347 §4.1): per epoch, the write sequence numbers, the AEAD
 * keys, and the replay window of what was received. Epoch 0 is plaintext; epoch 1 is protected
 * with the keys the handshake negotiated. We never go past epoch 1 (renegotiation is refused).
 * @module
 */
import type { GcmRecordCipher } from "./cipher.js";
import { AEAD_OVERHEAD } from "./cipher.js";
import { DTLS_1_2 } from "./constants.js";
import { encodeRecord, type DtlsRecord } from "./record.js";
import { ReplayWindow } from "./replay-window.js";

/** The largest sequence number of an epoch (RFC 6347 §4.1: 48 bits, never wraps). */
const MAX_SEQUENCE = 2 ** 48 - 1;

/** Why {@link RecordLayer.open} refused a record. */
export type OpenFailure = "replay" | "bad-tag" | "future-epoch" | "old-epoch";

/** Epochs, sequence numbers, ciphers and replay windows of one association. */
export class RecordLayer {
  /** The epoch we read protected records in (0 until the peer's ChangeCipherSpec). */
  readEpoch = 0;
  /** The epoch of our new records (1 once we sent our ChangeCipherSpec). */
  writeEpoch: 0 | 1 = 0;
  private readonly writeSequence = [0, 0];
  private readonly windows = [new ReplayWindow(), new ReplayWindow()];
  private readCipher: GcmRecordCipher | undefined;
  private writeCipher: GcmRecordCipher | undefined;
  /** Keys derived but not yet in use for reading (until the peer's ChangeCipherSpec). */
  private pendingRead: GcmRecordCipher | undefined;

  /** Installs the epoch-1 keys once the handshake derived them. */
  setKeys(read: GcmRecordCipher, write: GcmRecordCipher): void {
    this.pendingRead = read;
    this.writeCipher = write;
  }

  /** Whether epoch-1 keys exist (we can write epoch 1, and read it once switched). */
  get hasKeys(): boolean {
    return this.writeCipher !== undefined;
  }

  /** Starts reading epoch 1 (the peer's ChangeCipherSpec, RFC 5246 §7.1). */
  switchReadEpoch(): void {
    if (this.pendingRead === undefined) throw new Error("no keys to read epoch 1 with");
    this.readCipher = this.pendingRead;
    this.readEpoch = 1;
  }

  /**
   * Raises the next epoch-0 sequence number to at least `sequence` (RFC 6347 §4.2.1: a
   * HelloVerifyRequest reuses the ClientHello's record sequence number).
   */
  raiseSequence(sequence: number): void {
    this.writeSequence[0] = Math.max(this.writeSequence[0]!, sequence);
  }

  /** One record's bytes in `epoch` (0: plaintext, 1: protected). Throws when the epoch is spent. */
  seal(type: number, epoch: 0 | 1, plaintext: Uint8Array): Uint8Array {
    const sequence = this.writeSequence[epoch]!;
    if (sequence > MAX_SEQUENCE) throw new Error(`epoch ${epoch} sequence numbers exhausted`);
    this.writeSequence[epoch] = sequence + 1;
    if (epoch === 0) return encodeRecord(type, DTLS_1_2, 0, sequence, plaintext);
    if (this.writeCipher === undefined) throw new Error("no keys to write epoch 1 with");
    return this.writeCipher.seal(type, DTLS_1_2, 1, sequence, plaintext);
  }

  /** Bytes protection adds to a record of `epoch`. */
  static overhead(epoch: 0 | 1): number {
    return epoch === 0 ? 0 : AEAD_OVERHEAD;
  }

  /**
   * The plaintext of a record, or why it was refused. Epoch 0 stays readable after the switch
   * (the peer's retransmitted handshake, RFC 6347 §4.1); an epoch we cannot read yet is
   * `future-epoch` (the caller may keep it for later).
   */
  open(record: DtlsRecord): Uint8Array | OpenFailure {
    const epoch = record.epoch;
    if (epoch > 1 || (epoch === 1 && this.readEpoch < 1)) return "future-epoch";
    const window = this.windows[epoch]!;
    if (!window.check(record.sequence)) return "replay";
    let plaintext: Uint8Array | undefined = record.fragment;
    if (epoch === 1) {
      plaintext = this.readCipher!.open(
        record.type,
        record.version,
        1,
        record.sequence,
        record.fragment,
      );
      if (plaintext === undefined) return "bad-tag";
    }
    window.mark(record.sequence); // RFC 6347 §4.1.2.6: only after the record authenticated
    return plaintext;
  }
}
