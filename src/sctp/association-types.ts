/** Options, states, events and counters of an {@link Association} (see `association.ts`). */
import type { Rng } from "../common/rng.js";

/** Association states (RFC 9260 §4), plus the state before anything happened. */
export type AssociationState =
  | "closed"
  | "cookie-wait"
  | "cookie-echoed"
  | "established"
  | "shutdown-pending"
  | "shutdown-sent"
  | "shutdown-received"
  | "shutdown-ack-sent";

/** Why an association ended. */
export type CloseReason =
  /** The SHUTDOWN sequence completed (RFC 9260 §9.2). */
  | "shutdown"
  /** We sent ABORT (`abort()`). */
  | "abort"
  /** The peer sent ABORT. */
  | "peer-abort"
  /** Too many retransmissions: INIT, COOKIE ECHO, DATA, HEARTBEAT or SHUTDOWN unanswered (§8.1–8.2). */
  | "timeout"
  /** The peer broke the protocol badly enough that we aborted (a message over the limit, …). */
  | "protocol-violation";

/** Options of an association. Times in ms. */
export interface AssociationOptions {
  /** Randomness for tags, initial TSNs and the cookie key. */
  readonly rng: Rng;
  /** Our SCTP port (RFC 8841 `a=sctp-port`). @default 5000 */
  readonly localPort?: number;
  /** The peer's SCTP port. @default 5000 */
  readonly remotePort?: number;
  /** The largest SCTP packet we send, bytes (RFC 8831 §5: no IP fragmentation). @default 1200 */
  readonly mtu?: number;
  /** The largest message we accept (`a=max-message-size`, RFC 8841 §6). @default 262144 */
  readonly maxMessageSize?: number;
  /** The largest message the peer accepts (its `a=max-message-size`). @default 262144 */
  readonly maxSendMessageSize?: number;
  /** Our receive window (a_rwnd) and the bound on bytes held for reassembly. @default 1048576 */
  readonly receiveWindow?: number;
  /** The most bytes queued and not yet sent, all streams (`bufferedAmount` limit). @default 16777216 */
  readonly sendQueueLimit?: number;
  /** Streams we ask for each way (OS and MIS of INIT, §3.3.2). @default 65535 */
  readonly streams?: number;
  /** RTO.Initial (§6.3.1). @default 1000 */
  readonly rtoInitialMs?: number;
  /** RTO.Min. @default 1000 */
  readonly rtoMinMs?: number;
  /** RTO.Max. @default 60000 */
  readonly rtoMaxMs?: number;
  /** Max.Init.Retransmits (§16). @default 8 */
  readonly maxInitRetransmits?: number;
  /** Association.Max.Retrans (§8.1). @default 10 */
  readonly maxRetransmits?: number;
  /** HB.interval (§8.3); 0 turns heartbeats off. @default 30000 */
  readonly heartbeatIntervalMs?: number;
  /** Valid.Cookie.Life (§16). @default 60000 */
  readonly cookieLifetimeMs?: number;
  /** The delayed SACK time (§6.2, at most 500 ms). @default 200 */
  readonly delayedAckTimeMs?: number;
}

/** What an association tells the application. */
export type AssociationEvent =
  | { readonly type: "state"; readonly state: AssociationState }
  | { readonly type: "established" }
  | {
      readonly type: "message";
      readonly streamId: number;
      readonly ppid: number;
      readonly data: Uint8Array;
    }
  /** The peer reset these outgoing streams of its own (our incoming ones), RFC 6525. */
  | { readonly type: "incoming-streams-reset"; readonly streamIds: readonly number[] }
  /** The peer performed our reset of these outgoing streams. */
  | { readonly type: "outgoing-streams-reset"; readonly streamIds: readonly number[] }
  /** The peer refused to reset these outgoing streams. */
  | { readonly type: "stream-reset-failed"; readonly streamIds: readonly number[] }
  | { readonly type: "closed"; readonly reason: CloseReason; readonly detail?: string };

/** Counters; every dropped packet or chunk is counted under its reason. */
export interface AssociationStats {
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  dataChunksSent: number;
  dataChunksReceived: number;
  messagesSent: number;
  messagesReceived: number;
  retransmissions: number;
  fastRetransmissions: number;
  t3Expirations: number;
  duplicateTsnsReceived: number;
  forwardTsnsSent: number;
  forwardTsnsReceived: number;
  messagesAbandoned: number;
  heartbeatsSent: number;
  /** Packets dropped: too short or wrong checksum. */
  droppedChecksum: number;
  /** Packets dropped: chunks that do not parse. */
  droppedMalformed: number;
  /** Packets dropped: wrong ports. */
  droppedPort: number;
  /** Packets dropped: wrong verification tag, or INIT not alone / with a tag (§8.5). */
  droppedVerificationTag: number;
  /** Chunks ignored: not acceptable in the current state (INIT when established, …). */
  droppedUnexpected: number;
  /** COOKIE ECHOs refused: bad HMAC or stale. */
  droppedCookie: number;
  /** DATA chunks dropped: outside the receive window or the bounds of the TSN map. */
  droppedOverWindow: number;
  /** Chunks of an unknown type (§3.2 rules applied). */
  unknownChunks: number;
  /** Current congestion window, bytes. */
  cwnd: number;
  /** Current slow-start threshold, bytes. */
  ssthresh: number;
  /** Current RTO, ms. */
  rto: number;
  /** Smoothed RTT once measured, ms. */
  srtt: number | undefined;
  /** Bytes of DATA in flight. */
  flightSize: number;
  /** The peer's receive window as we last computed it. */
  peerRwnd: number;
  /** Bytes held for reassembly. */
  reassemblyBytes: number;
  /** Bytes queued and not yet sent. */
  sendQueueBytes: number;
}

/** Per-message sending options (RFC 8831 §6.1 reliability, RFC 9260 U bit). */
export interface SendOptions {
  /** Send unordered (U bit). @default false */
  readonly unordered?: boolean;
  /** Retransmissions allowed before abandoning (RFC 3758); unset = reliable. */
  readonly maxRetransmits?: number;
  /** Lifetime in ms before abandoning (RFC 3758 timed reliability); unset = forever. */
  readonly maxPacketLifeTime?: number;
}
