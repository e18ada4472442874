/**
 * The state cookie (RFC 9260 §5.1.3): everything the association needs from an INIT, signed so
 * that the INIT ACK leaves no state behind and a COOKIE ECHO can be trusted. Layout (big
 * endian): version (1), local tag, local initial TSN, peer tag, peer initial TSN, peer a_rwnd
 * (4 each), outbound and inbound stream counts (2 each), peer extension flags (1), creation
 * time (float64, ms on the driver's clock), then HMAC-SHA256 over all of it (32).
 */
import { createHmac } from "node:crypto";
import { constantTimeEqual, readU16, readU32, writeU16, writeU32 } from "../common/bytes.js";

const VERSION = 1;
const BODY_LENGTH = 1 + 4 * 5 + 2 * 2 + 1 + 8;
const MAC_LENGTH = 32;
/** Bytes of an encoded cookie. */
export const COOKIE_LENGTH = BODY_LENGTH + MAC_LENGTH;

/** What a cookie carries. */
export interface CookieState {
  readonly localTag: number;
  readonly localInitialTsn: number;
  readonly peerTag: number;
  readonly peerInitialTsn: number;
  readonly peerRwnd: number;
  /** Negotiated outbound streams (min of ours and the peer's inbound). */
  readonly outboundStreams: number;
  /** Negotiated inbound streams. */
  readonly inboundStreams: number;
  /** The peer supports FORWARD TSN (RFC 3758). */
  readonly peerForwardTsn: boolean;
  /** The peer supports RE-CONFIG (RFC 6525). */
  readonly peerReconfig: boolean;
  /** When the cookie was made (ms). */
  readonly createdAt: number;
}

function mac(key: Uint8Array, body: Uint8Array): Uint8Array {
  return createHmac("sha256", key).update(body).digest();
}

/** Encodes and signs a cookie with `key`. */
export function encodeCookie(state: CookieState, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(COOKIE_LENGTH);
  out[0] = VERSION;
  writeU32(out, 1, state.localTag);
  writeU32(out, 5, state.localInitialTsn);
  writeU32(out, 9, state.peerTag);
  writeU32(out, 13, state.peerInitialTsn);
  writeU32(out, 17, state.peerRwnd);
  writeU16(out, 21, state.outboundStreams);
  writeU16(out, 23, state.inboundStreams);
  out[25] = (state.peerForwardTsn ? 1 : 0) | (state.peerReconfig ? 2 : 0);
  new DataView(out.buffer).setFloat64(26, state.createdAt);
  out.set(mac(key, out.subarray(0, BODY_LENGTH)), BODY_LENGTH);
  return out;
}

/** The cookie's contents when its length, version and HMAC are right; otherwise `undefined`. */
export function verifyCookie(cookie: Uint8Array, key: Uint8Array): CookieState | undefined {
  if (cookie.length !== COOKIE_LENGTH || cookie[0] !== VERSION) return undefined;
  const expected = mac(key, cookie.subarray(0, BODY_LENGTH));
  if (!constantTimeEqual(expected, cookie.subarray(BODY_LENGTH), MAC_LENGTH)) return undefined;
  const flags = cookie[25]!;
  return {
    localTag: readU32(cookie, 1),
    localInitialTsn: readU32(cookie, 5),
    peerTag: readU32(cookie, 9),
    peerInitialTsn: readU32(cookie, 13),
    peerRwnd: readU32(cookie, 17),
    outboundStreams: readU16(cookie, 21),
    inboundStreams: readU16(cookie, 23),
    peerForwardTsn: (flags & 1) !== 0,
    peerReconfig: (flags & 2) !== 0,
    createdAt: new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength).getFloat64(26),
  };
}
