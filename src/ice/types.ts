/**
 * The public shapes of the ICE agent (RFC 8445): candidates, roles, states, events, datagrams
 * in and out, options and statistics. The agent itself (`IceAgent` in agent.ts) is sans-IO: a
 * driver feeds it datagrams and the time, and drains what it wants to send (docs/architecture.md).
 */
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import type { Datagram } from "../common/sans-io.js";
import type { TurnClientStats } from "../turn/stats.js";
import type { TurnError } from "../turn/errors.js";
import type { ResolvedTurnServer, TurnTransport } from "../turn/server.js";
import type { StunServerError } from "./errors.js";

/** RFC 8445 §5.1.1: how a candidate was obtained. */
export type CandidateType = "host" | "srflx" | "prflx" | "relay";

/** One ICE candidate (RFC 8445 §5.1; XEP-0176 names in comments). */
export interface Candidate {
  /** Candidates with the same type, base IP, server and transport share it (RFC 8445 §5.1.1.3). */
  readonly foundation: string;
  /** 1 = RTP/data, 2 = RTCP; at most 256. */
  readonly component: number;
  /** Only UDP is supported. */
  readonly transport: "udp";
  /** RFC 8445 §5.1.2: 1..2^31-1 in practice (a uint32 on the wire). */
  readonly priority: number;
  /** Where the candidate is (XEP-0176 `ip`, `port`). */
  readonly address: TransportAddress;
  readonly type: CandidateType;
  /** `rel-addr`/`rel-port`: the base (srflx, prflx) or the mapped address (relay). */
  readonly relatedAddress?: TransportAddress;
}

/** RFC 8445 §6.1.1 roles. */
export type IceRole = "controlling" | "controlled";

/**
 * Connection state of one component or of the whole agent.
 *
 * - `new`: nothing checked yet.
 * - `checking`: checks are running and no pair works yet.
 * - `connected`: at least one pair works (data can flow) but nomination is not finished.
 * - `completed`: a pair is nominated and selected.
 * - `disconnected`: the selected pair lost consent recently (RFC 7675); it may come back.
 * - `failed`: every pair failed after end-of-candidates, or consent expired. Final until an ICE
 *   restart.
 * - `closed`: `close()` was called.
 */
export type IceState =
  "new" | "checking" | "connected" | "completed" | "disconnected" | "failed" | "closed";

/**
 * What the agent wants its driver to do (I/O), drained with `pollTransmit()`:
 *
 * - `datagram`: send `data` from the socket bound at `local` to `remote`;
 * - `stream-open`: open a TCP (or TLS) connection to a TURN server from the address of `local`,
 *   and feed what arrives back with `handleStreamData(now, stream, …)` — or
 *   `handleStreamClosed(now, stream, …)` when it closes or cannot be opened;
 * - `stream-data`: write `data` to that connection;
 * - `stream-close`: close it.
 *
 * Transmits come out in the order they must be performed (a stream is opened before it is
 * written to).
 */
export type Transmit =
  | ({ readonly type: "datagram" } & Datagram)
  | {
      readonly type: "stream-open";
      readonly stream: number;
      /** Connect from this socket's IP address. */
      readonly local: TransportAddress;
      /**
       * The server: connect to its `address` over its `transport` (`tcp` or `tls`); for TLS,
       * verify the certificate for its `host` (with its `ca`, when given).
       */
      readonly server: ResolvedTurnServer;
    }
  | { readonly type: "stream-data"; readonly stream: number; readonly data: Uint8Array }
  | { readonly type: "stream-close"; readonly stream: number };

/** A datagram the driver received on the socket bound to `local`. */
export type ReceivedDatagram = Datagram;

/** A local/remote candidate pair as reported to the application. */
export interface CandidatePairInfo {
  readonly component: number;
  readonly local: Candidate;
  readonly remote: Candidate;
}

/** What the agent tells the application, drained with `pollEvent()`. */
export type AgentEvent =
  | { readonly type: "local-candidate"; readonly candidate: Candidate }
  | { readonly type: "gathering-complete" }
  | { readonly type: "state"; readonly component: number; readonly state: IceState }
  | { readonly type: "agent-state"; readonly state: IceState }
  | ({ readonly type: "selected-pair" } & CandidatePairInfo)
  | { readonly type: "data"; readonly component: number; readonly data: Uint8Array }
  | { readonly type: "role"; readonly role: IceRole }
  | { readonly type: "local-credentials"; readonly ufrag: string; readonly pwd: string }
  /** A STUN server gave no server-reflexive candidate (gathering goes on without it). */
  | {
      readonly type: "stun-server-error";
      readonly server: TransportAddress;
      readonly error: StunServerError;
    }
  /** A TURN allocation failed or was lost (gathering goes on without it). */
  | { readonly type: "turn-error"; readonly server: TransportAddress; readonly error: TurnError };

/** Options of the agent. Every time is in milliseconds. */
export interface AgentOptions {
  /** Initial role; the initiator of a Jingle session is controlling (XEP-0176 §5.6). */
  readonly role: IceRole;
  /** Source of ufrag, pwd, tie-breaker and transaction ids. */
  readonly rng: Rng;
  /** Number of components (1 or 2). @default 1 */
  readonly components?: number;
  /**
   * TURN servers for relayed candidates (each also yields a server-reflexive candidate). No
   * public server is ever used by default. @default []
   */
  readonly turnServers?: readonly ResolvedTurnServer[];
  /** How long one TURN allocation may take during gathering. @default 5000 */
  readonly turnServerTimeoutMs?: number;
  /** STUN servers for server-reflexive candidates. No public server is ever used by default. @default [] */
  readonly stunServers?: readonly TransportAddress[];
  /** Ta: the pace of new check transactions (RFC 8445 §14.2). @default 20 */
  readonly taMs?: number;
  /** Lower bound of a check's RTO (RFC 8445 §14.3: max(500, Ta × pairs)). @default 500 */
  readonly minRtoMs?: number;
  /**
   * Upper bound of a check's retransmission interval. RFC 8489 §6.2.1 doubles it without
   * bound; capping it keeps a check whose first responses were lost from waiting 8–16 s for
   * its next try, and shortens the time to a final failure (README, "Scope and deviations").
   * @default 3000
   */
  readonly maxRtoMs?: number;
  /** Sends per connectivity check before it fails (RFC 8489 Rc). @default 7 */
  readonly maxCheckTransmissions?: number;
  /** How long one STUN server may take to answer a Binding during gathering. @default 3000 */
  readonly stunServerTimeoutMs?: number;
  /**
   * How long the controlling agent waits, after its first valid pair on a component, for a
   * better pair that is still being checked before nominating the best valid one. It nominates
   * at once when no better pair is pending. @default 100
   */
  readonly nominationSettleMs?: number;
  /** Cap on remote candidates kept; more are ignored and counted. @default 100 */
  readonly maxRemoteCandidates?: number;
  /** Cap on candidate pairs (RFC 8445 §6.1.2.5). @default 100 */
  readonly maxPairs?: number;
  /** Mean interval of consent checks on the selected pair (RFC 7675 §5.1). @default 5000 */
  readonly consentIntervalMs?: number;
  /** No consent response for this long: `disconnected`. @default 10000 */
  readonly disconnectedTimeoutMs?: number;
  /** No consent response for this long: `failed` (RFC 7675 §5.1). @default 30000 */
  readonly consentTimeoutMs?: number;
  /**
   * After end-of-candidates, with every pair failed and nothing pending, wait this long for a
   * late peer-reflexive success before declaring `failed`. @default 1000
   */
  readonly failureGraceMs?: number;
  /**
   * Without end-of-candidates from the peer: once every pair of a component has failed (and
   * nothing is valid, selected, pending or waiting for credentials), wait this long for a new
   * remote candidate before declaring `failed`. A peer that never signals end-of-candidates
   * cannot keep the agent `checking` for ever (docs/ice.md). @default 10000
   */
  readonly noEndOfCandidatesTimeoutMs?: number;
  /**
   * Error responses (400, 401, 420) to Binding requests we cannot accept, per second and source
   * address; more are not sent and are counted in `stats().errorRepliesSuppressed` (a stranger
   * must not make us a reflector, docs/security.md). @default 5
   */
  readonly errorRepliesPerSourcePerSecond?: number;
  /** The same limit for all sources together. @default 50 */
  readonly errorRepliesPerSecond?: number;
  /**
   * Source addresses whose error-reply rate is remembered; beyond, the least recently seen is
   * forgotten (the total limit still holds). @default 1000
   */
  readonly maxErrorReplySources?: number;
  /**
   * Relay-only policy: offer and check relayed candidates only (host and server-reflexive
   * addresses are never revealed to the peer). @default false
   */
  readonly relayOnly?: boolean;
  /** Fixed credentials (tests); random ones are drawn from `rng` otherwise. */
  readonly ufrag?: string;
  readonly pwd?: string;
  /** Fixed tie-breaker (tests). */
  readonly tieBreaker?: bigint;
}

/** Per-allocation counters in `stats().turn`. */
export interface RelayStats extends TurnClientStats {
  readonly server: TransportAddress;
  readonly transport: TurnTransport;
  readonly state: string;
}

/** Exact counters for tests and the `stats` command. */
export interface AgentStats {
  checksSent: number;
  checksReceived: number;
  checkRetransmissions: number;
  successResponsesReceived: number;
  errorResponsesReceived: number;
  responsesSent: number;
  roleConflicts: number;
  /** Error responses not sent because of `errorRepliesPerSourcePerSecond` / `errorRepliesPerSecond`. */
  errorRepliesSuppressed: number;
  /**
   * Responses to our checks (and consent checks) that came from another address than the
   * request went to, or arrived on another socket (RFC 8445 §7.2.5.2.1): they validate nothing.
   */
  asymmetricResponses: number;
  stunServerRequestsSent: number;
  consentChecksSent: number;
  dataSent: number;
  dataReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Datagrams dropped, by reason (e.g. `unvalidated-source`, `bad-integrity`, `malformed`). */
  dropped: Record<string, number>;
  /** Remote candidates ignored, by reason (e.g. `cap`, `not-udp`, `hostname`, `zone-id`). */
  ignoredRemoteCandidates: Record<string, number>;
  /** Per TURN allocation: server, transport, state and its request counters. */
  turn: RelayStats[];
  localCandidates: number;
  remoteCandidates: number;
  pairs: number;
  validPairs: number;
  selectedPairs: CandidatePairInfo[];
}
