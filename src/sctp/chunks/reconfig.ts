/**
 * RE-CONFIG (RFC 6525 §3.1) and its parameters: Outgoing SSN Reset Request (§4.1), Incoming
 * SSN Reset Request (§4.2) and Re-configuration Response (§4.4). Other parameters (§4.3, §4.5,
 * §4.6) are carried as raw TLVs: data channels never send them.
 */
import { readU16, readU32, writeU16, writeU32 } from "../../common/bytes.js";
import type { ReconfigChunk, ReconfigParam, Tlv } from "../chunk-types.js";
import { ReconfigParamType } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import { readTlvList, tlvListLength, writeTlvList } from "../tlv.js";
import type { BodyCodec } from "./codec.js";

/** A re-configuration parameter as a TLV. */
export function encodeReconfigParam(param: ReconfigParam): Tlv {
  switch (param.kind) {
    case "outgoing-reset": {
      const value = new Uint8Array(12 + 2 * param.streamIds.length);
      writeU32(value, 0, param.requestSeq);
      writeU32(value, 4, param.responseSeq);
      writeU32(value, 8, param.lastTsn);
      param.streamIds.forEach((id, i) => writeU16(value, 12 + 2 * i, id));
      return { type: ReconfigParamType.OUTGOING_RESET, value };
    }
    case "incoming-reset": {
      const value = new Uint8Array(4 + 2 * param.streamIds.length);
      writeU32(value, 0, param.requestSeq);
      param.streamIds.forEach((id, i) => writeU16(value, 4 + 2 * i, id));
      return { type: ReconfigParamType.INCOMING_RESET, value };
    }
    case "response": {
      const value = new Uint8Array(8);
      writeU32(value, 0, param.responseSeq);
      writeU32(value, 4, param.result);
      return { type: ReconfigParamType.RESPONSE, value };
    }
    case "other":
      return param.param;
  }
}

function streamList(value: Uint8Array, from: number): number[] {
  if ((value.length - from) % 2 !== 0) throw new SctpDecodeError("odd stream list in RE-CONFIG");
  const ids: number[] = [];
  for (let at = from; at < value.length; at += 2) ids.push(readU16(value, at));
  return ids;
}

/**
 * Reads one re-configuration parameter.
 * @throws {SctpDecodeError} when a known parameter is too short.
 */
export function decodeReconfigParam(tlv: Tlv): ReconfigParam {
  const v = tlv.value;
  switch (tlv.type) {
    case ReconfigParamType.OUTGOING_RESET:
      if (v.length < 12) throw new SctpDecodeError("short Outgoing SSN Reset Request");
      return {
        kind: "outgoing-reset",
        requestSeq: readU32(v, 0),
        responseSeq: readU32(v, 4),
        lastTsn: readU32(v, 8),
        streamIds: streamList(v, 12),
      };
    case ReconfigParamType.INCOMING_RESET:
      if (v.length < 4) throw new SctpDecodeError("short Incoming SSN Reset Request");
      return { kind: "incoming-reset", requestSeq: readU32(v, 0), streamIds: streamList(v, 4) };
    case ReconfigParamType.RESPONSE:
      // §4.4: the two next-TSN fields are optional; they only follow an SSN/TSN Reset Request.
      if (v.length < 8) throw new SctpDecodeError("short Re-configuration Response");
      return { kind: "response", responseSeq: readU32(v, 0), result: readU32(v, 4) };
    default:
      return { kind: "other", param: tlv };
  }
}

/** Codec of RE-CONFIG chunks. */
export const reconfigCodec: BodyCodec<ReconfigChunk> = {
  flags: () => 0,
  bodyLength: (c) => tlvListLength(c.params.map(encodeReconfigParam)),
  write(c, target, offset) {
    writeTlvList(c.params.map(encodeReconfigParam), target, offset);
  },
  decode(_type, _flags, body) {
    const params = readTlvList(body).map(decodeReconfigParam);
    if (params.length === 0) throw new SctpDecodeError("RE-CONFIG without parameters");
    return { type: 130, params };
  },
};
