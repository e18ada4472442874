/**
 * The Jingle model: XEP-0166 sessions carrying XEP-0176 ICE-UDP transports, as plain data.
 * Application descriptions (XEP-0167 RTP, or anything else) stay opaque elements.
 */
import type { XmlElement } from "./xml.js";

/** The Jingle namespace (XEP-0166, XMPP Registrar Considerations). */
export const NS_JINGLE = "urn:xmpp:jingle:1";
/** The ICE-UDP transport namespace (XEP-0176 §12.1). */
export const NS_JINGLE_ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1";
/** XEP-0320 (Use of DTLS-SRTP in Jingle Sessions): the `<fingerprint/>` namespace. */
export const NS_JINGLE_DTLS = "urn:xmpp:jingle:apps:dtls:0";
/** XEP-0343 (Signaling WebRTC datachannels in Jingle): the `<sctpmap/>` namespace. */
export const NS_JINGLE_DTLS_SCTP = "urn:xmpp:jingle:transports:dtls-sctp:1";
/**
 * Conversations' data-channel transport: an outer `<transport/>` in this namespace, with
 * `sctp-port` and `max-message-size`, wrapping the ICE-UDP transport (docs/plugin.md).
 */
export const NS_JINGLE_WEBRTC_DATACHANNEL = "urn:xmpp:jingle:transports:webrtc-datachannel:1";
/** XEP-0338 (Jingle Grouping Framework): the `<group/>` namespace. */
export const NS_JINGLE_GROUPING = "urn:xmpp:jingle:apps:grouping:0";
/** The namespace of Jingle-specific error conditions (XEP-0166 §10, Error Handling). */
export const NS_JINGLE_ERRORS = "urn:xmpp:jingle:errors:1";

/** Every action XEP-0166 §7.2 defines. */
export const JINGLE_ACTIONS = [
  "content-accept",
  "content-add",
  "content-modify",
  "content-reject",
  "content-remove",
  "description-info",
  "security-info",
  "session-accept",
  "session-info",
  "session-initiate",
  "session-terminate",
  "transport-accept",
  "transport-info",
  "transport-reject",
  "transport-replace",
] as const;

/** A Jingle action (XEP-0166 §7.2). */
export type JingleAction = (typeof JINGLE_ACTIONS)[number];

/**
 * The actions that act on content definitions and so must carry at least one `<content/>`
 * (XEP-0166 §7.2); a stanza with none of them is refused with `bad-request`. The others —
 * session-terminate and session-info — may be empty (an empty session-info is a ping, §6.8).
 */
export const ACTIONS_WITH_CONTENT: ReadonlySet<JingleAction> = new Set<JingleAction>(
  JINGLE_ACTIONS.filter((a) => a !== "session-terminate" && a !== "session-info"),
);

/** The reason conditions of XEP-0166 §7.4. */
export const REASON_CONDITIONS = [
  "alternative-session",
  "busy",
  "cancel",
  "connectivity-error",
  "decline",
  "expired",
  "failed-application",
  "failed-transport",
  "general-error",
  "gone",
  "incompatible-parameters",
  "media-error",
  "security-error",
  "success",
  "timeout",
  "unsupported-applications",
  "unsupported-transports",
] as const;

/** A reason condition (XEP-0166 §7.4). */
export type ReasonCondition = (typeof REASON_CONDITIONS)[number];

/** Why an action is taken, mostly on session-terminate (XEP-0166 §7.4). */
export interface Reason {
  readonly condition: ReasonCondition;
  /** Human-readable text (`<text/>`), as sent (not trimmed). */
  readonly text?: string;
  /** For `alternative-session`: the session to use instead (`<sid/>`). Ignored otherwise. */
  readonly sid?: string;
}

/** The ICE candidate types XEP-0176 §5.3 allows. */
export const CANDIDATE_TYPES = ["host", "srflx", "prflx", "relay"] as const;

/** An ICE candidate type (RFC 8445 §5.1.1; XEP-0176 §5.3). */
export type JingleCandidateType = (typeof CANDIDATE_TYPES)[number];

/**
 * A `<candidate/>` of an ICE-UDP transport (XEP-0176 §5.3), checked: only UDP, a known type, a
 * component 1–256, a port 1–65535 and a priority 1..2^32−1 get this far (others are skipped,
 * see {@link SkippedCandidate}). It carries what the ICE agent needs (foundation, component,
 * transport, priority, address, port, type, related address) plus Jingle's bookkeeping.
 */
export interface JingleCandidate {
  /** Component id, 1–256 (RFC 8445 §5.1.1); XEP-0167 uses 1 = RTP, 2 = RTCP. */
  readonly component: number;
  /** RFC 8445 §5.1.1.3 foundation: a string (XEP-0176 1.1 corrected it from a number). */
  readonly foundation: string;
  /** ICE generation (XEP-0176 §5.9); a hint only. Absent when the peer left it out. */
  readonly generation?: number;
  /** The candidate's id (XEP-0176 §5.3). Absent when the peer left it out. */
  readonly id?: string;
  /** The address as sent: an IP literal, or a name the ICE agent will refuse. */
  readonly ip: string;
  /** Network index (diagnostic only). Absent when the peer left it out. */
  readonly network?: number;
  readonly port: number;
  /** RFC 8445 §5.1.2 priority, 1..2^32−1. */
  readonly priority: number;
  /** Always `udp`: other protocols are skipped (XEP-0176 §5.3). */
  readonly protocol: "udp";
  readonly type: JingleCandidateType;
  /** Related address (`rel-addr`), for non-host candidates only; set together with `relPort`. */
  readonly relAddr?: string;
  /** Related port (`rel-port`), for non-host candidates only; set together with `relAddr`. */
  readonly relPort?: number;
}

/** Why a received candidate was not used. */
export type CandidateSkipReason =
  | "unsupported-protocol"
  | "bad-type"
  | "bad-component"
  | "bad-foundation"
  | "bad-ip"
  | "bad-port"
  | "bad-priority";

/** A `<candidate/>` that was left out, with its attributes as received and why. */
export interface SkippedCandidate {
  readonly candidate: Readonly<Record<string, string | undefined>>;
  readonly reason: CandidateSkipReason;
}

/** The candidate the initiator says it uses (`<remote-candidate/>`, XEP-0176 §5.7). */
export interface RemoteCandidate {
  readonly component: number;
  readonly ip: string;
  readonly port: number;
}

/** Who opens the DTLS connection (XEP-0320 §3, RFC 4145 `a=setup`). */
export type DtlsSetup = "actpass" | "active" | "passive" | "holdconn";

/**
 * A DTLS certificate fingerprint (XEP-0320 §3): the hash function's name as in RFC 4572
 * (`sha-256`, lower case) and the digest as upper-case hex pairs separated by colons.
 */
export interface DtlsFingerprint {
  readonly hash: string;
  /** Absent when the peer left it out. */
  readonly setup?: DtlsSetup;
  readonly value: string;
}

/**
 * How a transport says that it carries SCTP for WebRTC data channels (RFC 8831):
 * `sctpmap` — XEP-0343's `<sctpmap/>` inside the ICE-UDP transport (StanzaJS, Jitsi);
 * `webrtc-datachannel` — Conversations' outer transport wrapping the ICE-UDP one.
 */
export type SctpVariant = "sctpmap" | "webrtc-datachannel";

/** SCTP over DTLS on an ICE-UDP transport (RFC 8261, RFC 8841 attributes in Jingle form). */
export interface SctpTransport {
  readonly variant: SctpVariant;
  /**
   * The sender's SCTP port (XEP-0343 `number`, Conversations' `sctp-port`, SDP's
   * `a=sctp-port`, RFC 8841 §5). Absent when the element left it out (Conversations'
   * transport-info may); users take 5000.
   */
  readonly port?: number;
  /** `sctpmap` only: the `protocol` attribute, `webrtc-datachannel` for data channels. */
  readonly protocol?: string;
  /** `sctpmap` only: the `streams` attribute (1–65535). */
  readonly streams?: number;
  /**
   * `webrtc-datachannel` only: the largest message the sender takes (`max-message-size`,
   * RFC 8841 §6; 0 means any size).
   */
  readonly maxMessageSize?: number;
}

/** A `<group/>` of contents (XEP-0338), e.g. the BUNDLE group Conversations sends. */
export interface ContentGroup {
  /** `BUNDLE` (RFC 8843) or another semantics, as sent. */
  readonly semantics: string;
  /** The names of the grouped contents, in document order. */
  readonly contents: readonly string[];
}

/** An ICE-UDP `<transport/>` (XEP-0176). */
export interface IceUdpTransport {
  readonly kind: "ice-udp";
  /** ICE username fragment; a change on a known content is an ICE restart (docs/plugin.md). */
  readonly ufrag?: string;
  /** ICE password. */
  readonly pwd?: string;
  /** The usable candidates, in document order. */
  readonly candidates: readonly JingleCandidate[];
  /** `<remote-candidate/>` (XEP-0176 §5.7), if any. */
  readonly remoteCandidate?: RemoteCandidate;
  /** `<gathering-complete/>` was present: the peer's end-of-candidates indication. */
  readonly gatheringComplete: boolean;
  /** XEP-0320 `<fingerprint/>` elements, if any (absent when there are none). */
  readonly fingerprints?: readonly DtlsFingerprint[];
  /** Candidates that were left out (never part of a built element). */
  readonly skipped: readonly SkippedCandidate[];
  /** SCTP for data channels on this transport, in either signalling variant; see {@link SctpTransport}. */
  readonly sctp?: SctpTransport;
}

/** A transport this library does not implement, kept as it was received. */
export interface OtherTransport {
  readonly kind: "other";
  readonly element: XmlElement;
}

/** Which party created a content (XEP-0166 §7.3). */
export type ContentCreator = "initiator" | "responder";

/** Who sends on a content (XEP-0166 §7.3). */
export type ContentSenders = "both" | "initiator" | "none" | "responder";

/** A `<content/>` (XEP-0166 §7.3). Contents are matched by `name`; `creator` is advisory. */
export interface Content {
  /** Defaults to `initiator` when absent or unknown (XEP-0166 §7.3 names that default). */
  readonly creator: ContentCreator;
  readonly name: string;
  /** Absent means the XEP-0166 default, `session`. */
  readonly disposition?: string;
  /** Absent means the XEP-0166 default, `both`. */
  readonly senders?: ContentSenders;
  /** The application's `<description/>`, untouched (e.g. XEP-0167 RTP). */
  readonly description?: XmlElement;
  readonly transport?: IceUdpTransport | OtherTransport;
}

/** A `<jingle/>` element (XEP-0166 §7.1). */
export interface Jingle {
  readonly action: JingleAction;
  /** Session id; any non-empty string (peers use `+`, `/` and more). */
  readonly sid: string;
  readonly initiator?: string;
  readonly responder?: string;
  readonly contents: readonly Content[];
  readonly reason?: Reason;
  /** XEP-0338 `<group/>` elements (absent when there are none); kept out of {@link info}. */
  readonly groups?: readonly ContentGroup[];
  /**
   * Payload elements outside the Jingle namespace (e.g. XEP-0167 `<ringing/>` in a
   * session-info), untouched. Absent when there are none: an empty session-info is a ping
   * (XEP-0166 §6.8).
   */
  readonly info?: readonly XmlElement[];
}
