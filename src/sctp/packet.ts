/**
 * SCTP packets: the common header (source and destination port, verification tag, CRC32c
 * checksum; RFC 9260 §3.1) followed by chunks. The checksum covers the whole packet with the
 * checksum field zeroed (§6.8) and is stored least significant byte first (Appendix A).
 */
import { readU16, readU32, writeU16, writeU32 } from "../common/bytes.js";
import type { Chunk } from "./chunk-types.js";
import { encodedChunkLength, readChunks, writeChunk } from "./chunk-codec.js";
import { crc32c, crc32cUpdate } from "./crc32c.js";
import { SctpDecodeError } from "./errors.js";

/** Bytes of the common header. */
export const COMMON_HEADER_LENGTH = 12;

/** A decoded packet. */
export interface Packet {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly verificationTag: number;
  readonly chunks: readonly Chunk[];
}

/** The packet's header fields, to encode a packet from chunks. */
export interface PacketHeader {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly verificationTag: number;
}

/** Stores the CRC32c of a fully written packet in its checksum field. */
export function sealPacket(bytes: Uint8Array): void {
  bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0;
  const crc = crc32c(bytes);
  bytes[8] = crc;
  bytes[9] = crc >>> 8;
  bytes[10] = crc >>> 16;
  bytes[11] = crc >>> 24;
}

/** The bytes a packet with these chunks takes. */
export function packetLength(chunks: readonly Chunk[]): number {
  let length = COMMON_HEADER_LENGTH;
  for (const chunk of chunks) length += encodedChunkLength(chunk);
  return length;
}

/** Encodes a packet, checksum included. */
export function encodePacket(header: PacketHeader, chunks: readonly Chunk[]): Uint8Array {
  const bytes = new Uint8Array(packetLength(chunks));
  writeU16(bytes, 0, header.sourcePort);
  writeU16(bytes, 2, header.destinationPort);
  writeU32(bytes, 4, header.verificationTag);
  let offset = COMMON_HEADER_LENGTH;
  for (const chunk of chunks) offset = writeChunk(chunk, bytes, offset);
  sealPacket(bytes);
  return bytes;
}

const ZEROS = new Uint8Array(4);

/** The CRC32c of a packet as if its checksum field were zero (RFC 9260 §6.8). */
function packetChecksum(bytes: Uint8Array): number {
  let crc = crc32cUpdate(0xffffffff, bytes, 0, 8);
  crc = crc32cUpdate(crc, ZEROS, 0, 4);
  crc = crc32cUpdate(crc, bytes, 12, bytes.length);
  return (crc ^ 0xffffffff) >>> 0;
}

/** True when the packet's checksum field holds its CRC32c (the bytes are not changed). */
export function checksumMatches(bytes: Uint8Array): boolean {
  if (bytes.length < COMMON_HEADER_LENGTH) return false;
  const stored = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
  return stored === packetChecksum(bytes);
}

/**
 * Decodes a packet and its chunks; chunk values are views into `bytes`. `verifyChecksum`
 * false skips the CRC32c for a caller that already checked it with {@link checksumMatches}.
 * @throws {SctpDecodeError} for fewer than 12 bytes, a wrong checksum or malformed chunks.
 */
export function decodePacket(bytes: Uint8Array, verifyChecksum = true): Packet {
  if (bytes.length < COMMON_HEADER_LENGTH) {
    throw new SctpDecodeError(`packet of ${bytes.length} bytes`);
  }
  if (verifyChecksum && !checksumMatches(bytes)) throw new SctpDecodeError("wrong CRC32c checksum");
  return {
    sourcePort: readU16(bytes, 0),
    destinationPort: readU16(bytes, 2),
    verificationTag: readU32(bytes, 4),
    chunks: readChunks(bytes, COMMON_HEADER_LENGTH, bytes.length),
  };
}
