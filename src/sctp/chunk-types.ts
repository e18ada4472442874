/**
 * The SCTP chunks this stack speaks, as plain values (RFC 9260 §3.3, RFC 3758 §3.2, RFC 6525 §3).
 * The codecs in `chunks/` turn them into bytes and back; `chunk-codec.ts` dispatches on `type`.
 */

/** Chunk type numbers (RFC 9260 §3.2 table, RFC 3758 §3.2, RFC 6525 §3.1). */
export const ChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
  RE_CONFIG: 130,
  FORWARD_TSN: 192,
} as const;

/** A type-length-value parameter or error cause (RFC 9260 §3.2.1, §3.3.10). */
export interface Tlv {
  readonly type: number;
  readonly value: Uint8Array;
}

/** DATA (RFC 9260 §3.3.1). */
export interface DataChunk {
  readonly type: 0;
  /** U bit: unordered. */
  readonly unordered: boolean;
  /** B bit: first fragment of a user message. */
  readonly beginning: boolean;
  /** E bit: last fragment of a user message. */
  readonly ending: boolean;
  /** I bit (RFC 7053): the receiver should SACK at once. */
  readonly immediate: boolean;
  readonly tsn: number;
  readonly streamId: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly userData: Uint8Array;
}

/** INIT (RFC 9260 §3.3.2) or INIT ACK (§3.3.3): the same fixed fields and parameters. */
export interface InitChunk {
  readonly type: 1 | 2;
  readonly initiateTag: number;
  readonly aRwnd: number;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly initialTsn: number;
  /** Optional and variable-length parameters, in order (the state cookie among them). */
  readonly params: readonly Tlv[];
}

/** One gap ack block: TSN offsets from the cumulative TSN ack, both ends included (§3.3.4). */
export interface GapBlock {
  readonly start: number;
  readonly end: number;
}

/** SACK (RFC 9260 §3.3.4). */
export interface SackChunk {
  readonly type: 3;
  readonly cumulativeTsnAck: number;
  readonly aRwnd: number;
  readonly gapBlocks: readonly GapBlock[];
  readonly duplicateTsns: readonly number[];
}

/** HEARTBEAT (§3.3.5) or HEARTBEAT ACK (§3.3.6): the sender-specific heartbeat information. */
export interface HeartbeatChunk {
  readonly type: 4 | 5;
  readonly info: Uint8Array;
}

/** ABORT (§3.3.7) or ERROR (§3.3.10): a list of error causes. */
export interface CausesChunk {
  readonly type: 6 | 9;
  /** T bit (ABORT only): the verification tag is the sender's own, reflected. */
  readonly reflected: boolean;
  readonly causes: readonly Tlv[];
}

/** SHUTDOWN (§3.3.8). */
export interface ShutdownChunk {
  readonly type: 7;
  readonly cumulativeTsnAck: number;
}

/** Chunks without a body: SHUTDOWN ACK (§3.3.9), COOKIE ACK (§3.3.12), SHUTDOWN COMPLETE (§3.3.13). */
export interface EmptyChunk {
  readonly type: 8 | 11 | 14;
  /** T bit (SHUTDOWN COMPLETE only). */
  readonly reflected: boolean;
}

/** COOKIE ECHO (§3.3.11). */
export interface CookieEchoChunk {
  readonly type: 10;
  readonly cookie: Uint8Array;
}

/** FORWARD TSN (RFC 3758 §3.2). */
export interface ForwardTsnChunk {
  readonly type: 192;
  readonly newCumulativeTsn: number;
  /** Ordered streams whose messages up to `ssn` were skipped. */
  readonly streams: readonly { readonly streamId: number; readonly ssn: number }[];
}

/** Outgoing SSN Reset Request parameter (RFC 6525 §4.1). */
export interface OutgoingResetRequest {
  readonly kind: "outgoing-reset";
  readonly requestSeq: number;
  readonly responseSeq: number;
  readonly lastTsn: number;
  readonly streamIds: readonly number[];
}

/** Incoming SSN Reset Request parameter (RFC 6525 §4.2). */
export interface IncomingResetRequest {
  readonly kind: "incoming-reset";
  readonly requestSeq: number;
  readonly streamIds: readonly number[];
}

/** Re-configuration Response parameter (RFC 6525 §4.4). */
export interface ReconfigResponse {
  readonly kind: "response";
  readonly responseSeq: number;
  readonly result: number;
}

/** A RE-CONFIG parameter this stack does not act on (SSN/TSN reset, add streams…). */
export interface OtherReconfigParam {
  readonly kind: "other";
  readonly param: Tlv;
}

/** One parameter of a RE-CONFIG chunk. */
export type ReconfigParam =
  OutgoingResetRequest | IncomingResetRequest | ReconfigResponse | OtherReconfigParam;

/** RE-CONFIG (RFC 6525 §3.1): one or two re-configuration parameters. */
export interface ReconfigChunk {
  readonly type: 130;
  readonly params: readonly ReconfigParam[];
}

/** A chunk of a type this stack does not know; kept so its "upper bits" rule can apply (§3.2). */
export interface UnknownChunk {
  readonly type: "unknown";
  readonly chunkType: number;
  readonly flags: number;
  readonly value: Uint8Array;
}

/** Any chunk. */
export type Chunk =
  | DataChunk
  | InitChunk
  | SackChunk
  | HeartbeatChunk
  | CausesChunk
  | ShutdownChunk
  | EmptyChunk
  | CookieEchoChunk
  | ForwardTsnChunk
  | ReconfigChunk
  | UnknownChunk;

/** Error cause codes used here (RFC 9260 §3.3.10, RFC 6525 has none). */
export const CauseCode = {
  INVALID_STREAM_ID: 1,
  MISSING_MANDATORY_PARAMETER: 2,
  STALE_COOKIE: 3,
  OUT_OF_RESOURCE: 4,
  UNRECOGNIZED_CHUNK_TYPE: 6,
  INVALID_MANDATORY_PARAMETER: 7,
  NO_USER_DATA: 9,
  USER_INITIATED_ABORT: 12,
  PROTOCOL_VIOLATION: 13,
} as const;

/** INIT parameter types used here (RFC 9260 §3.3.2.1, RFC 3758 §3.1, RFC 5061 §4.2.7). */
export const ParamType = {
  HEARTBEAT_INFO: 1,
  STATE_COOKIE: 7,
  UNRECOGNIZED_PARAMETER: 8,
  SUPPORTED_EXTENSIONS: 0x8008,
  FORWARD_TSN_SUPPORTED: 0xc000,
} as const;

/** RE-CONFIG parameter types (RFC 6525 §4). */
export const ReconfigParamType = {
  OUTGOING_RESET: 13,
  INCOMING_RESET: 14,
  SSN_TSN_RESET: 15,
  RESPONSE: 16,
  ADD_OUTGOING_STREAMS: 17,
  ADD_INCOMING_STREAMS: 18,
} as const;

/** Re-configuration Response results (RFC 6525 §4.4). */
export const ReconfigResult = {
  SUCCESS_NOTHING_TO_DO: 0,
  SUCCESS_PERFORMED: 1,
  DENIED: 2,
  ERROR_WRONG_SSN: 3,
  ERROR_REQUEST_ALREADY_IN_PROGRESS: 4,
  ERROR_BAD_SEQUENCE_NUMBER: 5,
  IN_PROGRESS: 6,
} as const;
