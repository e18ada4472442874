/**
 * What INIT and INIT ACK say about each side (RFC 9260 §5.1): our parameters, and the peer's
 * tag, TSN, window, stream counts and extensions (RFC 3758 FORWARD TSN, RFC 6525 RE-CONFIG,
 * announced through Supported Extensions, RFC 5061 §4.2.7, or Forward-TSN-Supported, RFC 3758
 * §3.1). Unknown parameters follow the "upper bits" rule of §3.2.1: 0x and 1x stop or skip.
 */
import type { InitChunk, Tlv } from "./chunk-types.js";
import { ChunkType, ParamType } from "./chunk-types.js";

/** The optional parameters of our INIT and INIT ACK. */
export const localInitParams: readonly Tlv[] = [
  {
    type: ParamType.SUPPORTED_EXTENSIONS,
    value: new Uint8Array([ChunkType.RE_CONFIG, ChunkType.FORWARD_TSN]),
  },
  { type: ParamType.FORWARD_TSN_SUPPORTED, value: new Uint8Array(0) },
];

/** The peer as its INIT or INIT ACK describes it. */
export interface PeerInit {
  readonly tag: number;
  readonly initialTsn: number;
  readonly aRwnd: number;
  /** Its outbound streams (OS). */
  readonly outboundStreams: number;
  /** Its maximum inbound streams (MIS). */
  readonly inboundStreams: number;
  readonly forwardTsn: boolean;
  readonly reconfig: boolean;
  /** The state cookie (INIT ACK only). */
  readonly cookie: Uint8Array | undefined;
}

/** Reads the peer's INIT or INIT ACK, applying §3.2.1 to parameters it does not know. */
export function readPeerInit(init: InitChunk): PeerInit {
  let forwardTsn = false;
  let reconfig = false;
  let cookie: Uint8Array | undefined;
  for (const param of init.params) {
    if (param.type === ParamType.FORWARD_TSN_SUPPORTED) forwardTsn = true;
    else if (param.type === ParamType.SUPPORTED_EXTENSIONS) {
      if (param.value.includes(ChunkType.FORWARD_TSN)) forwardTsn = true;
      if (param.value.includes(ChunkType.RE_CONFIG)) reconfig = true;
    } else if (param.type === ParamType.STATE_COOKIE) cookie = param.value;
    else if (!knownParam(param.type) && (param.type & 0x8000) === 0) break;
  }
  return {
    tag: init.initiateTag,
    initialTsn: init.initialTsn,
    aRwnd: init.aRwnd,
    outboundStreams: init.outboundStreams,
    inboundStreams: init.inboundStreams,
    forwardTsn,
    reconfig,
    cookie,
  };
}

/**
 * Parameters a WebRTC peer may send that carry nothing for us (§3.3.2.1: IPv4/IPv6 address,
 * cookie preservative, host name, supported address types; ECN capable; RFC 4895 AUTH's
 * random, chunk list and HMAC algorithms; RFC 9653 zero checksum acceptable).
 */
function knownParam(type: number): boolean {
  return (
    type === 5 ||
    type === 6 ||
    type === 9 ||
    type === 11 ||
    type === 12 ||
    type === 0x8000 ||
    type === 0x8001 ||
    type === 0x8002 ||
    type === 0x8003 ||
    type === 0x8004
  );
}

/** True when the INIT is acceptable (§3.3.2: a zero tag or zero stream count is discarded). */
export function initAcceptable(init: InitChunk): boolean {
  return init.initiateTag !== 0 && init.outboundStreams !== 0 && init.inboundStreams !== 0;
}

/**
 * What a valid COOKIE ECHO does in each state (RFC 9260 §5.2.4, Table 7, for an endpoint that
 * keeps one tag for its whole life and never restarts):
 * - `setup`: no peer known yet (CLOSED, or COOKIE-WAIT after an INIT collision: case B), or a
 *   peer tag that differs while still COOKIE-ECHOED (case B): take the association from the cookie;
 * - `confirm`: the peer tag matches (case D): enter ESTABLISHED if not there, answer COOKIE ACK;
 * - `discard`: a different peer once established (case A, a restart): not supported, dropped.
 */
export function cookieAction(
  established: boolean,
  currentPeerTag: number | undefined,
  cookiePeerTag: number,
): "setup" | "confirm" | "discard" {
  if (currentPeerTag === cookiePeerTag) return "confirm";
  return established ? "discard" : "setup";
}
