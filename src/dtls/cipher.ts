/**
 * AES-GCM record protection for DTLS 1.2 (RFC 5288 §3, RFC 5246 §6.2.3.3, RFC 6347 §4.1.2.1):
 * nonce = 4-byte implicit salt (from the key block) + 8-byte explicit nonce sent in the record;
 * additional data = epoch + sequence (8) + type + version + plaintext length.
 * @module
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { RECORD_HEADER_LENGTH, writeRecordHeader } from "./record.js";

/** Bytes of the explicit nonce carried in every protected record. */
export const EXPLICIT_NONCE_LENGTH = 8;
/** Bytes of the GCM tag. */
export const TAG_LENGTH = 16;
/** What protection adds to a record's fragment. */
export const AEAD_OVERHEAD = EXPLICIT_NONCE_LENGTH + TAG_LENGTH;

/** One direction's key and salt. */
export class GcmRecordCipher {
  private readonly algorithm: "aes-128-gcm" | "aes-256-gcm";
  /** The key as a KeyObject, made once rather than imported again for every record. */
  private readonly key: KeyObject;
  /** Scratch space for the nonce and the additional data (node:crypto copies both). */
  private readonly nonceScratch = new Uint8Array(12);
  private readonly aadScratch = new Uint8Array(13);

  constructor(
    key: Uint8Array,
    /** The 4-byte implicit part of the nonce (client_write_IV or server_write_IV). */
    private readonly salt: Uint8Array,
  ) {
    this.algorithm = key.length === 16 ? "aes-128-gcm" : "aes-256-gcm";
    this.key = createSecretKey(key);
  }

  /**
   * A whole protected record (header included). We use epoch + sequence as the explicit nonce,
   * which is unique per key as RFC 5288 §3 requires.
   */
  seal(
    type: number,
    version: number,
    epoch: number,
    sequence: number,
    plaintext: Uint8Array,
  ): Uint8Array {
    const out = new Uint8Array(RECORD_HEADER_LENGTH + AEAD_OVERHEAD + plaintext.length);
    writeRecordHeader(out, 0, type, version, epoch, sequence, AEAD_OVERHEAD + plaintext.length);
    const explicit = out.subarray(
      RECORD_HEADER_LENGTH,
      RECORD_HEADER_LENGTH + EXPLICIT_NONCE_LENGTH,
    );
    explicit.set(out.subarray(3, 11)); // epoch (2) + sequence_number (6)
    const cipher = createCipheriv(this.algorithm, this.key, this.nonce(explicit), GCM_TAG);
    cipher.setAAD(this.additionalData(type, version, explicit, plaintext.length));
    const body = cipher.update(plaintext);
    cipher.final();
    out.set(body, RECORD_HEADER_LENGTH + EXPLICIT_NONCE_LENGTH);
    out.set(cipher.getAuthTag(), RECORD_HEADER_LENGTH + EXPLICIT_NONCE_LENGTH + body.length);
    return out;
  }

  /**
   * The plaintext of a protected fragment, or `undefined` when it does not authenticate (or is
   * too short to). `epoch` and `sequence` come from the record header: they are the additional
   * data, not the explicit nonce (which the sender chose).
   */
  open(
    type: number,
    version: number,
    epoch: number,
    sequence: number,
    fragment: Uint8Array,
  ): Uint8Array | undefined {
    if (fragment.length < AEAD_OVERHEAD) return undefined;
    const explicit = fragment.subarray(0, EXPLICIT_NONCE_LENGTH);
    const length = fragment.length - AEAD_OVERHEAD;
    // seq_num of the additional data: the record's epoch and sequence number.
    const aad = this.aadScratch;
    aad[0] = epoch >>> 8;
    aad[1] = epoch;
    const high = Math.floor(sequence / 0x1_0000_0000);
    aad[2] = high >>> 8;
    aad[3] = high;
    const low = sequence >>> 0;
    aad[4] = low >>> 24;
    aad[5] = low >>> 16;
    aad[6] = low >>> 8;
    aad[7] = low;
    try {
      const decipher = createDecipheriv(this.algorithm, this.key, this.nonce(explicit), GCM_TAG);
      decipher.setAAD(this.additionalData(type, version, aad, length));
      decipher.setAuthTag(fragment.subarray(fragment.length - TAG_LENGTH));
      const plain = decipher.update(
        fragment.subarray(EXPLICIT_NONCE_LENGTH, fragment.length - TAG_LENGTH),
      );
      decipher.final(); // throws when the tag does not verify
      return plain;
    } catch {
      return undefined;
    }
  }

  private nonce(explicit: Uint8Array): Uint8Array {
    const nonce = this.nonceScratch;
    nonce.set(this.salt.subarray(0, 4));
    nonce.set(explicit, 4);
    return nonce;
  }

  /** additional_data of RFC 5246 §6.2.3.3, with DTLS's epoch + sequence as seq_num. */
  private additionalData(
    type: number,
    version: number,
    seqNum: Uint8Array,
    length: number,
  ): Uint8Array {
    const aad = this.aadScratch;
    if (seqNum !== aad) aad.set(seqNum.subarray(0, 8));
    aad[8] = type;
    aad[9] = version >>> 8;
    aad[10] = version;
    aad[11] = length >>> 8;
    aad[12] = length;
    return aad;
  }
}

const GCM_TAG = { authTagLength: TAG_LENGTH } as const;
