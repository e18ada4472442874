/**
 * Chunks to bytes and back: the 4-byte chunk header (type, flags, length; RFC 9260 §3.2) and
 * the table of body codecs, one per chunk type. Unknown types decode to an {@link UnknownChunk}
 * so the association can apply the "upper bits" rule of §3.2.
 */
import { readU16, writeU16 } from "../common/bytes.js";
import type { Chunk, UnknownChunk } from "./chunk-types.js";
import { dataCodec } from "./chunks/data.js";
import { initCodec } from "./chunks/init.js";
import { sackCodec } from "./chunks/sack.js";
import {
  causesCodec,
  cookieEchoCodec,
  emptyCodec,
  heartbeatCodec,
  shutdownCodec,
} from "./chunks/control.js";
import { forwardTsnCodec } from "./chunks/forward-tsn.js";
import { reconfigCodec } from "./chunks/reconfig.js";
import type { BodyCodec } from "./chunks/codec.js";
import { SctpDecodeError } from "./errors.js";
import { padded } from "./tlv.js";

const unknownCodec: BodyCodec<UnknownChunk> = {
  flags: (c) => c.flags,
  bodyLength: (c) => c.value.length,
  write(c, target, offset) {
    target.set(c.value, offset);
  },
  decode: (type, flags, body) => ({ type: "unknown", chunkType: type, flags, value: body }),
};

const codecs = new Map<number, BodyCodec<Chunk>>([
  [0, dataCodec as BodyCodec<Chunk>],
  [1, initCodec as BodyCodec<Chunk>],
  [2, initCodec as BodyCodec<Chunk>],
  [3, sackCodec as BodyCodec<Chunk>],
  [4, heartbeatCodec as BodyCodec<Chunk>],
  [5, heartbeatCodec as BodyCodec<Chunk>],
  [6, causesCodec as BodyCodec<Chunk>],
  [7, shutdownCodec as BodyCodec<Chunk>],
  [8, emptyCodec as BodyCodec<Chunk>],
  [9, causesCodec as BodyCodec<Chunk>],
  [10, cookieEchoCodec as BodyCodec<Chunk>],
  [11, emptyCodec as BodyCodec<Chunk>],
  [14, emptyCodec as BodyCodec<Chunk>],
  [130, reconfigCodec as BodyCodec<Chunk>],
  [192, forwardTsnCodec as BodyCodec<Chunk>],
]);

function codecOf(chunk: Chunk): BodyCodec<Chunk> {
  return chunk.type === "unknown" ? (unknownCodec as BodyCodec<Chunk>) : codecs.get(chunk.type)!;
}

/** The chunk's type number. */
export function chunkTypeOf(chunk: Chunk): number {
  return chunk.type === "unknown" ? chunk.chunkType : chunk.type;
}

/** The bytes the chunk takes in a packet, padding included. */
export function encodedChunkLength(chunk: Chunk): number {
  return padded(4 + codecOf(chunk).bodyLength(chunk));
}

/**
 * Writes the chunk at `offset` of a zero-filled `target`; returns the offset after its padding.
 * @throws {RangeError} when the chunk is longer than a chunk length field can say (65535).
 */
export function writeChunk(chunk: Chunk, target: Uint8Array, offset: number): number {
  const codec = codecOf(chunk);
  const length = 4 + codec.bodyLength(chunk);
  if (length > 0xffff) throw new RangeError(`chunk of ${length} bytes`);
  target[offset] = chunkTypeOf(chunk);
  target[offset + 1] = codec.flags(chunk);
  writeU16(target, offset + 2, length);
  codec.write(chunk, target, offset + 4);
  return offset + padded(length);
}

/**
 * Reads the chunks in `bytes[start, end)`; values are views into `bytes`.
 * @throws {SctpDecodeError} for a chunk length under 4 or past the end, or a malformed body.
 */
export function readChunks(bytes: Uint8Array, start: number, end: number): Chunk[] {
  const chunks: Chunk[] = [];
  let offset = start;
  while (offset + 4 <= end) {
    const type = bytes[offset]!;
    const flags = bytes[offset + 1]!;
    const length = readU16(bytes, offset + 2);
    if (length < 4) throw new SctpDecodeError(`chunk ${type} claims length ${length}`);
    if (offset + length > end) throw new SctpDecodeError(`chunk ${type} runs past the packet`);
    const body = bytes.subarray(offset + 4, offset + length);
    const codec = codecs.get(type) ?? (unknownCodec as BodyCodec<Chunk>);
    chunks.push(codec.decode(type, flags, body));
    offset += padded(length);
  }
  return chunks;
}
