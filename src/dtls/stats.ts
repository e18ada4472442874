/**
 * The counters of a DTLS endpoint: what went in and out, and every record dropped, by reason.
 * @module
 */

/** Why a datagram, record or message was dropped without failing the association. */
export type DtlsDropReason =
  /** Not a sequence of well-formed records (RFC 6347 §4.1.2.7: discarded silently). */
  | "malformed-record"
  /** A record version other than DTLS 1.2 (or 1.0 in a first ClientHello). */
  | "bad-version"
  /** A protected record that does not authenticate (RFC 6347 §4.1.2.7). */
  | "bad-tag"
  /** Already received, or left of the window (RFC 6347 §4.1.2.6). */
  | "replay"
  /** An epoch we cannot read (yet); kept for later during the handshake when there is room. */
  | "future-epoch"
  /** Handshake fragments that do not parse (dropped like a damaged record). */
  | "malformed-handshake"
  /** Fragments refused by the reassembly bounds, or contradicting earlier ones. */
  | "reassembly-limit"
  /** Application data in epoch 0, or before the handshake allows it. */
  | "unprotected-application-data"
  /** Application data beyond what is held while the fingerprint is not known. */
  | "pending-data-full"
  /** A plaintext (epoch 0) alert once the association is protected: anyone could forge it. */
  | "unauthenticated-alert"
  /** A ChangeCipherSpec that is malformed or comes when none is due. */
  | "stray-change-cipher-spec"
  /** A new handshake message in plaintext after the handshake: unauthenticated, ignored. */
  | "unprotected-handshake"
  /** Old handshake messages (the peer's retransmissions) that need no answer. */
  | "retransmitted-handshake"
  /** A content type we do not know. */
  | "unknown-content-type"
  /** Anything that arrives after the association ended. */
  | "after-close";

/** Counters of a {@link DtlsEndpoint}. */
export interface DtlsStats {
  datagramsIn: number;
  datagramsOut: number;
  recordsIn: number;
  recordsOut: number;
  /** Flights sent for the first time. */
  flightsSent: number;
  /** Flights sent again because the retransmission timer expired (RFC 6347 §4.2.4). */
  retransmissions: number;
  /** Flights sent again because the peer repeated its previous flight. */
  reactiveRetransmissions: number;
  /** HelloVerifyRequests sent (server) or answered (client). */
  helloVerifyRequests: number;
  applicationDataIn: number;
  applicationDataOut: number;
  bytesIn: number;
  bytesOut: number;
  alertsSent: number;
  alertsReceived: number;
  /** Renegotiation attempts answered with no_renegotiation. */
  renegotiationsRefused: number;
  dropped: Record<DtlsDropReason, number>;
}

/** Fresh counters, all zero. */
export function zeroDtlsStats(): DtlsStats {
  return {
    datagramsIn: 0,
    datagramsOut: 0,
    recordsIn: 0,
    recordsOut: 0,
    flightsSent: 0,
    retransmissions: 0,
    reactiveRetransmissions: 0,
    helloVerifyRequests: 0,
    applicationDataIn: 0,
    applicationDataOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    alertsSent: 0,
    alertsReceived: 0,
    renegotiationsRefused: 0,
    dropped: {
      "malformed-record": 0,
      "bad-version": 0,
      "bad-tag": 0,
      replay: 0,
      "future-epoch": 0,
      "malformed-handshake": 0,
      "reassembly-limit": 0,
      "unprotected-application-data": 0,
      "pending-data-full": 0,
      "unauthenticated-alert": 0,
      "stray-change-cipher-spec": 0,
      "unprotected-handshake": 0,
      "retransmitted-handshake": 0,
      "unknown-content-type": 0,
      "after-close": 0,
    },
  };
}
