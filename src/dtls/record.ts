/**
 * The DTLS record header (RFC 6347 §4.1): several records may share one datagram, each with its
 * epoch and 48-bit sequence number.
 * @module
 */
import { DtlsDecodeError } from "./errors.js";

/** Bytes of a DTLS record header: type, version, epoch, sequence_number, length. */
export const RECORD_HEADER_LENGTH = 13;
/** The largest plaintext a record carries (RFC 5246 §6.2.1). */
export const MAX_PLAINTEXT = 16384;
/** The largest fragment we accept on the wire: plaintext plus AEAD expansion (RFC 5246 §6.2.3). */
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048;

/** One record as it is on the wire (the fragment still encrypted when epoch > 0). */
export interface DtlsRecord {
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  /** 48-bit, exact in a double. */
  readonly sequence: number;
  /** A view into the datagram. */
  readonly fragment: Uint8Array;
}

/**
 * Splits a datagram into its records (RFC 6347 §4.1.1). A datagram whose last record is cut
 * short throws {@link DtlsDecodeError}; the records before it are still returned through
 * `onRecord` first, as §4.1.2.7 asks (invalid records are discarded, valid ones kept).
 */
export function decodeRecords(datagram: Uint8Array, onRecord: (record: DtlsRecord) => void): void {
  let offset = 0;
  while (offset < datagram.length) {
    if (datagram.length - offset < RECORD_HEADER_LENGTH)
      throw new DtlsDecodeError("record", `truncated header at ${offset}`);
    const b = datagram;
    const type = b[offset]!;
    const version = (b[offset + 1]! << 8) | b[offset + 2]!;
    const epoch = (b[offset + 3]! << 8) | b[offset + 4]!;
    const sequence =
      ((b[offset + 5]! << 8) | b[offset + 6]!) * 0x1_0000_0000 +
      ((b[offset + 7]! << 24) >>> 0) +
      ((b[offset + 8]! << 16) | (b[offset + 9]! << 8) | b[offset + 10]!);
    const length = (b[offset + 11]! << 8) | b[offset + 12]!;
    const start = offset + RECORD_HEADER_LENGTH;
    if (length > MAX_CIPHERTEXT)
      throw new DtlsDecodeError("record", `length ${length} over the limit at ${offset}`);
    if (start + length > datagram.length)
      throw new DtlsDecodeError("record", `fragment of ${length} bytes cut short at ${offset}`);
    onRecord({
      type,
      version,
      epoch,
      sequence,
      fragment: datagram.subarray(start, start + length),
    });
    offset = start + length;
  }
}

/** Writes a record header into `out` at `offset` (the caller checks the room). */
export function writeRecordHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  version: number,
  epoch: number,
  sequence: number,
  length: number,
): void {
  const high = Math.floor(sequence / 0x1_0000_0000);
  const low = sequence >>> 0;
  out[offset] = type;
  out[offset + 1] = version >>> 8;
  out[offset + 2] = version;
  out[offset + 3] = epoch >>> 8;
  out[offset + 4] = epoch;
  out[offset + 5] = high >>> 8;
  out[offset + 6] = high;
  out[offset + 7] = low >>> 24;
  out[offset + 8] = low >>> 16;
  out[offset + 9] = low >>> 8;
  out[offset + 10] = low;
  out[offset + 11] = length >>> 8;
  out[offset + 12] = length;
}

/** One record's bytes: header and `fragment`. */
export function encodeRecord(
  type: number,
  version: number,
  epoch: number,
  sequence: number,
  fragment: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  writeRecordHeader(out, 0, type, version, epoch, sequence, fragment.length);
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}
