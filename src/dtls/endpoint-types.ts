/**
 * The options, events and states of a {@link DtlsEndpoint}.
 * @module
 */
import type { Rng } from "../common/rng.js";
import type { DtlsCertificate } from "./certificate.js";
import type { SrtpProfileId } from "./constants.js";
import type { DtlsError } from "./errors.js";
import type { Fingerprint } from "./fingerprint.js";
import type { ProtocolBugs } from "./handshake-common.js";

/** Options of a {@link DtlsEndpoint}. */
export interface DtlsEndpointOptions {
  /** `client` sends the ClientHello (SDP `a=setup:active`), `server` answers it. */
  readonly role: "client" | "server";
  readonly certificate: DtlsCertificate;
  readonly rng: Rng;
  /** The fingerprint the peer's certificate must have; may come later (`setRemoteFingerprint`). */
  readonly remoteFingerprint?: Fingerprint;
  /** Largest datagram we send during the handshake. @default 1200 */
  readonly mtu?: number;
  /** DTLS-SRTP profiles (RFC 5764 §4.1.2), preferred first; `[]` for none. @default both */
  readonly srtpProfiles?: readonly SrtpProfileId[];
  /** Server: ask for a cookie first (RFC 6347 §4.2.1). @default false */
  readonly helloVerify?: boolean;
  /** First retransmission timeout. @default 1000 (RFC 6347 §4.2.4.1) */
  readonly retransmitInitialMs?: number;
  /** Cap of the doubled timeout. @default 60000 (RFC 6347 §4.2.4.1) */
  readonly retransmitMaxMs?: number;
  /** From `start` to `connected`, the wait for the fingerprint included. @default 30000 */
  readonly handshakeTimeoutMs?: number;
  /** Application datagrams held while the fingerprint is not known yet. @default 64 */
  readonly maxPendingData?: number;
  /** For tests only: make this endpoint misbehave (see `ProtocolBugs`). */
  readonly bugs?: ProtocolBugs;
}

/** What the endpoint tells the application. */
export type DtlsEvent =
  | {
      /** Both Finished verified and the peer's fingerprint matched: data may flow. */
      readonly type: "connected";
      readonly cipherSuite: string;
      /** The DTLS-SRTP profile both sides agreed on, if any. */
      readonly srtpProfile: string | undefined;
      readonly localFingerprint: Fingerprint;
      /** sha-256 of the peer's certificate. */
      readonly remoteFingerprint: Fingerprint;
    }
  | { readonly type: "data"; readonly data: Uint8Array }
  /** The association ended cleanly (close_notify, RFC 5246 §7.2.1). */
  | { readonly type: "closed"; readonly by: "local" | "peer" }
  /** The association failed; nothing more will happen. */
  | { readonly type: "error"; readonly error: DtlsError };

/** Where the association is. */
export type DtlsState =
  | "new"
  | "handshaking"
  /** The handshake completed; the caller has not given the peer's fingerprint yet. */
  | "awaiting-fingerprint"
  | "connected"
  | "closed"
  | "failed";
