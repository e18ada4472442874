/**
 * FORWARD TSN (RFC 3758 §3.2): the new cumulative TSN the receiver should move to, and for each
 * ordered stream that lost messages, the last stream sequence number skipped.
 */
import { readU16, readU32, writeU16, writeU32 } from "../../common/bytes.js";
import type { ForwardTsnChunk } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import type { BodyCodec } from "./codec.js";

/** Codec of FORWARD TSN chunks. */
export const forwardTsnCodec: BodyCodec<ForwardTsnChunk> = {
  flags: () => 0,
  bodyLength: (c) => 4 + 4 * c.streams.length,
  write(c, target, offset) {
    writeU32(target, offset, c.newCumulativeTsn);
    let at = offset + 4;
    for (const s of c.streams) {
      writeU16(target, at, s.streamId);
      writeU16(target, at + 2, s.ssn);
      at += 4;
    }
  },
  decode(_type, _flags, body) {
    if (body.length < 4 || body.length % 4 !== 0) {
      throw new SctpDecodeError(`FORWARD TSN chunk of ${body.length + 4} bytes`);
    }
    const streams: { streamId: number; ssn: number }[] = [];
    for (let at = 4; at < body.length; at += 4) {
      streams.push({ streamId: readU16(body, at), ssn: readU16(body, at + 2) });
    }
    return { type: 192, newCumulativeTsn: readU32(body, 0), streams };
  },
};
