/**
 * DATA (RFC 9260 §3.3.1): TSN, stream identifier, stream sequence number, payload protocol
 * identifier and user data, with the U, B, E and I (RFC 7053) flag bits.
 */
import { readU16, readU32, writeU16, writeU32 } from "../../common/bytes.js";
import type { DataChunk } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import type { BodyCodec } from "./codec.js";

const FLAG_ENDING = 0x01;
const FLAG_BEGINNING = 0x02;
const FLAG_UNORDERED = 0x04;
const FLAG_IMMEDIATE = 0x08;

/** Bytes of a DATA chunk before its user data (chunk header included). */
export const DATA_HEADER_LENGTH = 16;

/** Codec of DATA chunks. */
export const dataCodec: BodyCodec<DataChunk> = {
  flags: (c) =>
    (c.ending ? FLAG_ENDING : 0) |
    (c.beginning ? FLAG_BEGINNING : 0) |
    (c.unordered ? FLAG_UNORDERED : 0) |
    (c.immediate ? FLAG_IMMEDIATE : 0),
  bodyLength: (c) => 12 + c.userData.length,
  write(c, target, offset) {
    writeU32(target, offset, c.tsn);
    writeU16(target, offset + 4, c.streamId);
    writeU16(target, offset + 6, c.ssn);
    writeU32(target, offset + 8, c.ppid);
    target.set(c.userData, offset + 12);
  },
  decode(_type, flags, body) {
    if (body.length < 12) throw new SctpDecodeError(`DATA chunk of ${body.length + 4} bytes`);
    return {
      type: 0,
      unordered: (flags & FLAG_UNORDERED) !== 0,
      beginning: (flags & FLAG_BEGINNING) !== 0,
      ending: (flags & FLAG_ENDING) !== 0,
      immediate: (flags & FLAG_IMMEDIATE) !== 0,
      tsn: readU32(body, 0),
      streamId: readU16(body, 4),
      ssn: readU16(body, 6),
      ppid: readU32(body, 8),
      userData: body.subarray(12),
    };
  },
};
