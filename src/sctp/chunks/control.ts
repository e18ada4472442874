/**
 * The small control chunks: HEARTBEAT and HEARTBEAT ACK (RFC 9260 §3.3.5–6), ABORT (§3.3.7)
 * and ERROR (§3.3.10), SHUTDOWN (§3.3.8), SHUTDOWN ACK (§3.3.9), COOKIE ECHO (§3.3.11),
 * COOKIE ACK (§3.3.12) and SHUTDOWN COMPLETE (§3.3.13).
 */
import { readU32, writeU32 } from "../../common/bytes.js";
import type {
  CausesChunk,
  CookieEchoChunk,
  EmptyChunk,
  HeartbeatChunk,
  ShutdownChunk,
} from "../chunk-types.js";
import { ParamType } from "../chunk-types.js";
import { SctpDecodeError } from "../errors.js";
import { readTlvList, tlvListLength, writeTlvList } from "../tlv.js";
import type { BodyCodec } from "./codec.js";

/** The T bit of ABORT and SHUTDOWN COMPLETE (§3.3.7, §3.3.13). */
const FLAG_T = 0x01;

/** HEARTBEAT and HEARTBEAT ACK: one Heartbeat Info parameter (§3.3.5). */
export const heartbeatCodec: BodyCodec<HeartbeatChunk> = {
  flags: () => 0,
  bodyLength: (c) => 4 + c.info.length,
  write(c, target, offset) {
    writeTlvList([{ type: ParamType.HEARTBEAT_INFO, value: c.info }], target, offset);
  },
  decode(type, _flags, body) {
    const info = readTlvList(body).find((p) => p.type === ParamType.HEARTBEAT_INFO);
    if (info === undefined) throw new SctpDecodeError("HEARTBEAT without Heartbeat Info");
    return { type: type === 4 ? 4 : 5, info: info.value };
  },
};

/** ABORT and ERROR: a list of error causes. */
export const causesCodec: BodyCodec<CausesChunk> = {
  flags: (c) => (c.reflected ? FLAG_T : 0),
  bodyLength: (c) => tlvListLength(c.causes),
  write(c, target, offset) {
    writeTlvList(c.causes, target, offset);
  },
  decode(type, flags, body) {
    return {
      type: type === 6 ? 6 : 9,
      reflected: type === 6 && (flags & FLAG_T) !== 0,
      causes: readTlvList(body),
    };
  },
};

/** SHUTDOWN: the cumulative TSN ack. */
export const shutdownCodec: BodyCodec<ShutdownChunk> = {
  flags: () => 0,
  bodyLength: () => 4,
  write(c, target, offset) {
    writeU32(target, offset, c.cumulativeTsnAck);
  },
  decode(_type, _flags, body) {
    if (body.length < 4) throw new SctpDecodeError(`SHUTDOWN chunk of ${body.length + 4} bytes`);
    return { type: 7, cumulativeTsnAck: readU32(body, 0) };
  },
};

/** SHUTDOWN ACK, COOKIE ACK and SHUTDOWN COMPLETE: no body (extra bytes are ignored). */
export const emptyCodec: BodyCodec<EmptyChunk> = {
  flags: (c) => (c.reflected ? FLAG_T : 0),
  bodyLength: () => 0,
  write() {},
  decode(type, flags) {
    const kind = type === 8 ? 8 : type === 11 ? 11 : 14;
    return { type: kind, reflected: kind === 14 && (flags & FLAG_T) !== 0 };
  },
};

/** COOKIE ECHO: the state cookie, as received in INIT ACK. */
export const cookieEchoCodec: BodyCodec<CookieEchoChunk> = {
  flags: () => 0,
  bodyLength: (c) => c.cookie.length,
  write(c, target, offset) {
    target.set(c.cookie, offset);
  },
  decode(_type, _flags, body) {
    return { type: 10, cookie: body };
  },
};
