/**
 * The options and events of the plugin ({@link JingleIce}) and of
 * {@link JingleIce.initiate}; documented for users in docs/plugin.md.
 */
import type { DtlsCertificate } from "../dtls/certificate.js";
import type { JingleApplication } from "../jingle/application.js";
import type { SessionLimits } from "../jingle/dispatch.js";
import type { Reason, SctpVariant } from "../jingle/model.js";
import type { XmlElement } from "../jingle/xml.js";
import type { IceConnectionOptions } from "../node/ice-connection.js";
import type { JingleSession } from "./session.js";

/** What the policy hook learns of an incoming session before anything of ours is sent. */
export interface SessionOffer {
  /** The application's namespace (e.g. {@link NS_DATAGRAM}). */
  readonly application: string;
  /** The peer's `<description/>`. */
  readonly description: XmlElement;
  readonly sid: string;
}

/** Options of {@link jingleIceUdp}. */
export interface JingleIceOptions {
  /** How each session's ICE agent binds and gathers (addresses, STUN/TURN servers, relay-only…). */
  readonly ice?: Omit<IceConnectionOptions, "role">;
  /**
   * `"auto"`: ask our XMPP server for STUN/TURN services (XEP-0215) and add them to `ice`;
   * refreshed before their credentials expire. @default none
   */
  readonly iceServers?: "auto";
  /**
   * Whether to consider a session from `peer` at all (XEP-0176 §10: candidates reveal
   * addresses). Refused sessions are declined before any candidate is sent; a policy that throws
   * or rejects declines too (and the plugin emits `error`). @default all
   */
  readonly policy?: (peer: string, offer: SessionOffer) => boolean | Promise<boolean>;
  /**
   * The applications this instance serves (XEP-0166 §7.3), by namespace: sessions offering any
   * other application are refused with `unsupported-applications`, other transports than
   * ICE-UDP with `unsupported-transports`. Also what disco#info advertises.
   * @default [datagramApplication]
   */
  readonly applications?: readonly JingleApplication[];
  /** How long to wait for an IQ answer, in ms. @default 15000 */
  readonly iqTimeoutMs?: number;
  /**
   * How long a session may take from its session-initiate until its channel is open, in ms;
   * then it ends with reason `timeout`. @default 30000
   */
  readonly setupTimeoutMs?: number;
  /**
   * How long our XMPP stream may stay down (xmpp.js reconnecting) before every session ends with
   * `connectivity-error`, in ms; the channels carry data meanwhile (docs/plugin.md, "Faults").
   * @default 60000
   */
  readonly offlineTimeoutMs?: number;
  /** How many sessions to keep; see {@link SessionLimits}. @default DEFAULT_SESSION_LIMITS */
  readonly limits?: Partial<SessionLimits>;
  /**
   * Encrypt every session's channel with DTLS and authenticate the peer by the fingerprint in
   * signalling (XEP-0320). `false` makes plaintext sessions — only with peers that also offer
   * no fingerprint; a peer that asks for DTLS is refused with `security-error`, as is a peer
   * without a fingerprint when this is on. @default true
   */
  readonly dtls?: boolean;
  /** The DTLS certificate. @default one self-signed ECDSA P-256 certificate per process */
  readonly certificate?: DtlsCertificate;
}

/** Options of {@link JingleIce.initiate}. */
export interface InitiateOptions {
  /** The application's namespace; it must be in the registry. @default NS_DATAGRAM */
  readonly application?: string;
  /** @default "datagram" */
  readonly contentName?: string;
  /**
   * For an application that needs data channels: the signalling variant — XEP-0343's
   * `sctpmap`, Conversations' `webrtc-datachannel`, or `auto`: ask the peer's disco#info and
   * use Conversations' when it lists `urn:xmpp:jingle:transports:webrtc-datachannel:1`,
   * XEP-0343 otherwise (also when it does not answer within {@link DISCO_TIMEOUT}).
   * @default "auto"
   */
  readonly sctpVariant?: SctpVariant | "auto";
  /** Our `<description/>`, instead of the application's `offer()` (e.g. the file to send). */
  readonly description?: XmlElement;
}

/** Events of the plugin. */
export interface JingleIceEvents {
  /** A session from a peer the policy allows; call `accept()` or `terminate("decline")`. */
  incoming: [session: JingleSession];
  /** An incoming session refused before the application saw it (unsupported, or the policy). */
  refused: [offer: { readonly peer: string; readonly sid: string; readonly reason: Reason }];
  /**
   * A failure no caller awaits: a policy or `incoming` listener that threw, a stanza the peer
   * refused. Without a listener it becomes a process warning (never an uncaught exception).
   */
  error: [error: Error];
}
