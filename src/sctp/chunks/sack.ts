/**
 * SACK (RFC 9260 §3.3.4): cumulative TSN ack, advertised receiver window, gap ack blocks (offsets
 * from the cumulative TSN ack) and duplicate TSNs.
 */
import { readU16, readU32, writeU16, writeU32 } from "../../common/bytes.js";
import type { GapBlock, SackChunk } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import type { BodyCodec } from "./codec.js";

/** Codec of SACK chunks. */
export const sackCodec: BodyCodec<SackChunk> = {
  flags: () => 0,
  bodyLength: (c) => 12 + 4 * c.gapBlocks.length + 4 * c.duplicateTsns.length,
  write(c, target, offset) {
    writeU32(target, offset, c.cumulativeTsnAck);
    writeU32(target, offset + 4, c.aRwnd);
    writeU16(target, offset + 8, c.gapBlocks.length);
    writeU16(target, offset + 10, c.duplicateTsns.length);
    let at = offset + 12;
    for (const block of c.gapBlocks) {
      writeU16(target, at, block.start);
      writeU16(target, at + 2, block.end);
      at += 4;
    }
    for (const tsn of c.duplicateTsns) {
      writeU32(target, at, tsn);
      at += 4;
    }
  },
  decode(_type, _flags, body) {
    if (body.length < 12) throw new SctpDecodeError(`SACK chunk of ${body.length + 4} bytes`);
    const gaps = readU16(body, 8);
    const duplicates = readU16(body, 10);
    if (12 + 4 * (gaps + duplicates) > body.length) {
      throw new SctpDecodeError(`SACK claims ${gaps} gap blocks and ${duplicates} duplicates`);
    }
    const gapBlocks: GapBlock[] = [];
    let at = 12;
    for (let i = 0; i < gaps; i++, at += 4) {
      gapBlocks.push({ start: readU16(body, at), end: readU16(body, at + 2) });
    }
    const duplicateTsns: number[] = [];
    for (let i = 0; i < duplicates; i++, at += 4) duplicateTsns.push(readU32(body, at));
    return {
      type: 3,
      cumulativeTsnAck: readU32(body, 0),
      aRwnd: readU32(body, 4),
      gapBlocks,
      duplicateTsns,
    };
  },
};
