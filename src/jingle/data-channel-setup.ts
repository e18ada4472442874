/**
 * Data channels in Jingle (docs/plugin.md, "Data channels"): which signalling variant to offer,
 * how to answer an offer, and the SCTP numbers both ends then use (RFC 8841 in Jingle form).
 * Pure decisions; the plugin runs the association.
 */
import {
  NS_JINGLE_WEBRTC_DATACHANNEL,
  type Reason,
  type SctpTransport,
  type SctpVariant,
} from "./model.js";
import { DEFAULT_SCTP_PORT } from "./sctp-transport.js";

/**
 * The largest message a peer takes when it signalled none: 64 KiB (RFC 8841 §6.1, the value
 * to assume when `max-message-size` is absent; XEP-0343 has no such attribute).
 */
export const DEFAULT_PEER_MAX_MESSAGE_SIZE = 65_536;

/**
 * The variant an initiator uses (docs/plugin.md): Conversations' when the peer's disco#info
 * lists `urn:xmpp:jingle:transports:webrtc-datachannel:1`, XEP-0343 otherwise — also when its
 * features are unknown.
 */
export function pickVariant(peerFeatures: readonly string[] | undefined): SctpVariant {
  return peerFeatures?.includes(NS_JINGLE_WEBRTC_DATACHANNEL) === true
    ? "webrtc-datachannel"
    : "sctpmap";
}

/**
 * The `streams` we write in XEP-0343's `<sctpmap/>`: 1024, as Jitsi does. Advisory only (the
 * INIT negotiates streams, RFC 9260 §5.1.1), but SDP converters write it as the third field of
 * `a=sctpmap` and some parsers need that field.
 */
export const SCTPMAP_STREAMS = 1024;

/** Our SCTP element in `variant`, announcing `maxMessageSize` where the variant can. */
export function localSctp(variant: SctpVariant, maxMessageSize: number): SctpTransport {
  return variant === "sctpmap"
    ? { variant, port: DEFAULT_SCTP_PORT, protocol: "webrtc-datachannel", streams: SCTPMAP_STREAMS }
    : { variant, port: DEFAULT_SCTP_PORT, maxMessageSize };
}

/**
 * How a responder answers an offer for an application that needs data channels: in the
 * offer's variant, or — when the offer carries no SCTP, or XEP-0343's `protocol` is not
 * `webrtc-datachannel` — the reason to refuse it with (`unsupported-transports`).
 */
export function answerVariant(offered: SctpTransport | undefined): SctpVariant | Reason {
  if (offered === undefined)
    return {
      condition: "unsupported-transports",
      text: "this application needs SCTP data channels (XEP-0343 sctpmap or webrtc-datachannel)",
    };
  if (
    offered.variant === "sctpmap" &&
    (offered.protocol ?? "webrtc-datachannel") !== "webrtc-datachannel"
  )
    return {
      condition: "unsupported-transports",
      text: `sctpmap protocol '${offered.protocol ?? ""}' is not webrtc-datachannel`,
    };
  return offered.variant;
}

/** The SCTP numbers of an association, from the peer's element (RFC 8841 §5–6). */
export interface SctpParameters {
  readonly localPort: number;
  readonly remotePort: number;
  /** The largest message we may send: the peer's max-message-size, capped by `ourLimit`. */
  readonly maxSendMessageSize: number;
}

/**
 * The association's numbers: our port 5000, the peer's port as it signalled it (5000 when it
 * did not), and the largest message we send — the peer's `max-message-size` (0 means any size:
 * then `ourLimit`), 64 KiB when it signalled none, never more than `ourLimit`.
 */
export function sctpParameters(peer: SctpTransport | undefined, ourLimit: number): SctpParameters {
  const announced = peer?.maxMessageSize;
  const peerLimit =
    announced === undefined
      ? DEFAULT_PEER_MAX_MESSAGE_SIZE
      : announced === 0
        ? ourLimit
        : announced;
  return {
    localPort: DEFAULT_SCTP_PORT,
    remotePort: peer?.port ?? DEFAULT_SCTP_PORT,
    maxSendMessageSize: Math.min(peerLimit, ourLimit),
  };
}
