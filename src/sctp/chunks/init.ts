/**
 * INIT (RFC 9260 §3.3.2) and INIT ACK (§3.3.3): initiate tag, advertised receiver window,
 * stream counts and initial TSN, then variable-length parameters (§3.2.1).
 */
import { readU16, readU32, writeU16, writeU32 } from "../../common/bytes.js";
import type { InitChunk } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import { readTlvList, tlvListLength, writeTlvList } from "../tlv.js";
import type { BodyCodec } from "./codec.js";

/** Codec of INIT and INIT ACK chunks. */
export const initCodec: BodyCodec<InitChunk> = {
  flags: () => 0,
  bodyLength: (c) => 16 + tlvListLength(c.params),
  write(c, target, offset) {
    writeU32(target, offset, c.initiateTag);
    writeU32(target, offset + 4, c.aRwnd);
    writeU16(target, offset + 8, c.outboundStreams);
    writeU16(target, offset + 10, c.inboundStreams);
    writeU32(target, offset + 12, c.initialTsn);
    writeTlvList(c.params, target, offset + 16);
  },
  decode(type, _flags, body) {
    if (body.length < 16) throw new SctpDecodeError(`INIT chunk of ${body.length + 4} bytes`);
    return {
      type: type === 1 ? 1 : 2,
      initiateTag: readU32(body, 0),
      aRwnd: readU32(body, 4),
      outboundStreams: readU16(body, 8),
      inboundStreams: readU16(body, 10),
      initialTsn: readU32(body, 12),
      params: readTlvList(body, 16),
    };
  },
};
