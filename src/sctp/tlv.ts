/**
 * Type-length-value lists: the variable-length parameters of INIT, INIT ACK, HEARTBEAT and
 * RE-CONFIG (RFC 9260 §3.2.1) and the error causes of ABORT and ERROR (§3.3.10) share one
 * layout: a 16-bit type, a 16-bit length that counts the 4-byte header but not the padding,
 * the value, and zero padding to a multiple of 4 bytes.
 */
import { readU16, writeU16 } from "../common/bytes.js";
import type { Tlv } from "./chunk-types.js";
import { SctpDecodeError } from "./errors.js";

/** `n` rounded up to a multiple of 4. */
export function padded(n: number): number {
  return (n + 3) & ~3;
}

/**
 * The bytes a list of TLVs takes inside a chunk: every entry padded except the last, because a
 * chunk's length counts the padding of every parameter but the last one (RFC 9260 §3.2).
 */
export function tlvListLength(list: readonly Tlv[]): number {
  let length = 0;
  for (let i = 0; i < list.length; i++) {
    const entry = 4 + list[i]!.value.length;
    length += i === list.length - 1 ? entry : padded(entry);
  }
  return length;
}

/** Writes `list` at `offset` (the target must hold zeros where padding goes). */
export function writeTlvList(list: readonly Tlv[], target: Uint8Array, offset: number): void {
  for (const tlv of list) {
    writeU16(target, offset, tlv.type);
    writeU16(target, offset + 2, 4 + tlv.value.length);
    target.set(tlv.value, offset + 4);
    offset += padded(4 + tlv.value.length);
  }
}

/**
 * Reads the TLVs in `bytes[start, end)`. A value is a view into `bytes`.
 * @throws {SctpDecodeError} when an entry claims fewer than 4 bytes or runs past the end.
 */
export function readTlvList(bytes: Uint8Array, start = 0, end = bytes.length): Tlv[] {
  const list: Tlv[] = [];
  let offset = start;
  while (offset + 4 <= end) {
    const type = readU16(bytes, offset);
    const length = readU16(bytes, offset + 2);
    if (length < 4) throw new SctpDecodeError(`parameter ${type} claims length ${length}`);
    if (offset + length > end) {
      throw new SctpDecodeError(`parameter ${type} of ${length} bytes runs past its chunk`);
    }
    list.push({ type, value: bytes.subarray(offset + 4, offset + length) });
    offset += padded(length);
  }
  return list;
}
