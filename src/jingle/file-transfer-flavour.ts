/**
 * The two client flavours of XEP-0234 over WebRTC data channels, and how to tell them apart
 * (docs/file-transfer.md, "Flavours").
 *
 * The flavour follows from the data-channel signalling the peer used, which is unambiguous and
 * already known when the session starts: Conversations announces its own outer transport
 * `urn:xmpp:jingle:transports:webrtc-datachannel:1`; StanzaJS (and Jitsi) put an XEP-0343
 * `<sctpmap/>` inside the ICE-UDP transport. In-Band Bytestreams (XEP-0261) follow XEP-0234 as
 * written. No user-agent guessing, no disco#info heuristics.
 */

/** A client flavour of XEP-0234. */
export type FileTransferFlavour = "conversations" | "stanzajs" | "ibb";

/** How a session carries its bytes. */
export type FileTransferSignalling = "webrtc-datachannel" | "sctpmap" | "ibb";

/** What differs between the flavours. */
export interface FlavourProfile {
  /** DCEP label of the channel the sender opens ("" for IBB). */
  readonly label: string;
  /** DCEP protocol of that channel. */
  readonly protocol: string;
  /** Largest binary message the sender writes. */
  readonly chunkSize: number;
  /**
   * Whether the receiver sends `<received/>` (XEP-0234 §7) before terminating: Conversations'
   * sender waits for it; StanzaJS never sends it and does not expect it.
   */
  readonly receiverSendsReceived: boolean;
}

/** The profiles, as the real clients behave (docs/file-transfer.md). */
export const FLAVOURS: Readonly<Record<FileTransferFlavour, FlavourProfile>> = {
  conversations: {
    label: "test",
    protocol: "xmpp-jingle",
    chunkSize: 4096,
    receiverSendsReceived: true,
  },
  stanzajs: {
    label: "filetransfer",
    protocol: "",
    chunkSize: 16_384,
    receiverSendsReceived: false,
  },
  ibb: { label: "", protocol: "", chunkSize: 4096, receiverSendsReceived: true },
};

/** The flavour that goes with the peer's signalling. */
export function flavourOf(signalling: FileTransferSignalling): FileTransferFlavour {
  switch (signalling) {
    case "webrtc-datachannel":
      return "conversations";
    case "sctpmap":
      return "stanzajs";
    case "ibb":
      return "ibb";
  }
}

/**
 * The message size a sender uses: the flavour's chunk size, never above the peer's SCTP
 * `max-message-size` (RFC 8841 §6) or IBB block-size when it announced one, and at least 1.
 */
export function chunkSizeFor(flavour: FileTransferFlavour, peerLimit?: number): number {
  const size = FLAVOURS[flavour].chunkSize;
  return Math.max(1, peerLimit === undefined || peerLimit <= 0 ? size : Math.min(size, peerLimit));
}
