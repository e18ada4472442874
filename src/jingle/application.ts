/**
 * Jingle applications (XEP-0166 §7.3): what a content carries, named by the namespace of its
 * `<description/>`. A plugin serves the applications in its registry and refuses every other
 * session — before any candidate of ours leaves (XEP-0176 §10: candidates reveal addresses).
 */
import type { Content, ContentSenders, Jingle, Reason } from "./model.js";
import { NS_JINGLE_ICE_UDP } from "./model.js";
import { el, measure, namespaceOf, type ElementSize, type XmlElement } from "./xml.js";

/**
 * The raw datagram channel of this project, as an application. It is **not a standard**: no XEP
 * defines a Jingle application for plain datagrams, so it has a namespace of its own under the
 * package's address. Its `<description/>` is empty. Both sides must run jingle-ice (or a peer
 * that implements this namespace on purpose).
 */
export const NS_DATAGRAM = "https://www.npmjs.com/package/jingle-ice#datagram-0";

/**
 * Jingle-ice's data-channel application: WebRTC data channels (SCTP over DTLS, RFC 8831) and
 * nothing else; the channels are what the application does. **Not a standard** either (like
 * {@link NS_DATAGRAM}); its `<description/>` is empty.
 */
export const NS_DATA_CHANNELS = "https://www.npmjs.com/package/jingle-ice#data-channels-0";

/**
 * What an application needs from the transport: `datagram` — the session's channel itself
 * (DTLS or plain datagrams); `sctp` — WebRTC data channels, i.e. an SCTP association over the
 * session's DTLS channel, signalled with XEP-0343 or Conversations' transport (docs/plugin.md).
 */
export type TransportNeed = "datagram" | "sctp";

/**
 * An application a session can carry. The registry maps {@link namespace} to it; more
 * applications (DTLS data channels, file transfer, RTP) plug in the same way.
 */
export interface JingleApplication {
  /** The namespace of its `<description/>` (e.g. `urn:xmpp:jingle:apps:file-transfer:5`). */
  readonly namespace: string;
  /** The disco#info features it adds (XEP-0030); every one must be really served. */
  readonly features: readonly string[];
  /** What it needs from the transport; see {@link TransportNeed}. @default "datagram" */
  readonly transport?: TransportNeed;
  /**
   * Transports other than ICE-UDP it also takes in a session-initiate, by namespace (the file
   * transfer takes XEP-0261 In-Band Bytestreams). @default none
   */
  readonly otherTransports?: readonly string[];
  /**
   * Who sends on the content of a session we initiate (XEP-0166 §7.3). @default "both"; the
   * file-transfer application's offers say `initiator` (XEP-0234 §6.1).
   */
  readonly senders?: ContentSenders;
  /** Our `<description/>` for a session we initiate. */
  offer(): XmlElement;
  /**
   * Our `<description/>` answering the peer's offer in a session-accept, or the reason to
   * refuse the offer with (e.g. `incompatible-parameters`).
   */
  answer(offer: XmlElement): XmlElement | Reason;
}

/** The datagram application ({@link NS_DATAGRAM}): an empty description either way. */
export const datagramApplication: JingleApplication = {
  namespace: NS_DATAGRAM,
  features: [NS_DATAGRAM],
  offer: () => el("description", { xmlns: NS_DATAGRAM }),
  answer: () => el("description", { xmlns: NS_DATAGRAM }),
};

/** The data-channel application ({@link NS_DATA_CHANNELS}): an empty description either way. */
export const dataChannelApplication: JingleApplication = {
  namespace: NS_DATA_CHANNELS,
  features: [NS_DATA_CHANNELS],
  transport: "sctp",
  offer: () => el("description", { xmlns: NS_DATA_CHANNELS }),
  answer: () => el("description", { xmlns: NS_DATA_CHANNELS }),
};

/**
 * The largest `<description/>` we look at (XEP-0167 RTP descriptions with many payload types
 * stay far below); a larger one is refused with `failed-application` before anything reads it.
 */
export const MAX_DESCRIPTION: ElementSize = { elements: 1000, depth: 32, characters: 65_536 };

/** What an incoming session-initiate asks for, once it is known that we can serve it. */
export interface Offer {
  /** The content we serve (the only one: one content per session). */
  readonly content: Content;
  /** Its application's namespace. */
  readonly application: string;
  /** The peer's `<description/>`. */
  readonly description: XmlElement;
}

/**
 * Decides whether a session-initiate can be served (XEP-0166 §6.3.2): no description may exceed
 * {@link MAX_DESCRIPTION} (else `failed-application`); every content must name an application in
 * `served` (else `unsupported-applications`) and use the ICE-UDP transport or one of the
 * application's `otherTransports` (else `unsupported-transports`); a session with more than one content is refused with
 * `failed-application` (one content per session).
 */
export function negotiate(
  jingle: Jingle,
  served: ReadonlySet<string>,
  otherTransports: (application: string) => readonly string[] = () => [],
): Offer | Reason {
  for (const content of jingle.contents) {
    if (content.description === undefined) continue;
    const size = measure(content.description, MAX_DESCRIPTION);
    if (
      size.elements > MAX_DESCRIPTION.elements ||
      size.depth > MAX_DESCRIPTION.depth ||
      size.characters > MAX_DESCRIPTION.characters
    )
      return { condition: "failed-application", text: "the description is too large" };
  }
  for (const content of jingle.contents) {
    const ns = content.description === undefined ? undefined : namespaceOf(content.description);
    if (ns === undefined || !served.has(ns)) {
      return {
        condition: "unsupported-applications",
        text:
          ns === undefined
            ? `content '${content.name}' has no <description/>`
            : `application ${ns} is not served here`,
      };
    }
  }
  for (const content of jingle.contents) {
    const other = content.transport?.kind === "other" ? content.transport.element : undefined;
    const app = namespaceOf(content.description!) ?? "";
    if (other !== undefined && otherTransports(app).includes(namespaceOf(other) ?? "")) continue;
    if (content.transport?.kind !== "ice-udp") {
      const ns = content.transport === undefined ? "none" : namespaceOf(content.transport.element);
      return {
        condition: "unsupported-transports",
        text: `transport ${ns ?? "none"} is not served here; only ${NS_JINGLE_ICE_UDP}`,
      };
    }
  }
  const [content, ...more] = jingle.contents;
  if (content === undefined || more.length > 0) {
    return { condition: "failed-application", text: "jingle-ice serves one content per session" };
  }
  const description = content.description!;
  return { content, application: namespaceOf(description)!, description };
}

/** Tells a {@link Reason} from the other result of {@link negotiate} or {@link JingleApplication.answer}. */
export function isReason<T extends object>(value: T | Reason): value is Reason {
  return "condition" in value;
}
