/**
 * SCTP for WebRTC data channels in Jingle, both signalling variants real clients use:
 *
 * - XEP-0343 (StanzaJS, Jitsi): `<sctpmap xmlns='urn:xmpp:jingle:transports:dtls-sctp:1'
 *   number='5000' protocol='webrtc-datachannel' streams='…'/>` inside the ICE-UDP transport;
 * - Conversations: `<transport xmlns='urn:xmpp:jingle:transports:webrtc-datachannel:1'
 *   sctp-port='5000' max-message-size='…'>` wrapping the ICE-UDP transport — in its opening
 *   stanzas and around each transport-info's candidate alike.
 *
 * The numbers are the SDP attributes of RFC 8841 (`a=sctp-port`, `a=max-message-size`) in
 * Jingle form. Pure parse and build; the plugin decides which variant to use (docs/plugin.md).
 */
import { JingleBuildError, JingleParseError } from "./errors.js";
import {
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_ICE_UDP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  type SctpTransport,
} from "./model.js";
import { el, type XmlElement } from "./xml.js";

/** The SCTP port WebRTC uses when signalling names none (RFC 8841 §5.1's examples, browsers). */
export const DEFAULT_SCTP_PORT = 5000;
/** The largest `max-message-size` read (RFC 8841 §6 allows any 32-bit unsigned value). */
export const MAX_MAX_MESSAGE_SIZE = 0xffffffff;

/** A decimal integer in `min..max`, or undefined (no sign, spaces, exponent or hex). */
function decimal(value: string, min: number, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/**
 * An optional numeric attribute: absent → undefined; present but not a decimal in `min..max`
 * → {@link JingleParseError} `bad-request` (the peer asked for SCTP with numbers we cannot use).
 */
function attribute(
  element: XmlElement,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = element.attrs[name];
  if (raw === undefined) return undefined;
  const value = decimal(raw.trim(), min, max);
  if (value === undefined) {
    throw new JingleParseError(
      "bad-request",
      `<${element.name}/> ${name}='${raw}' is not ${min}–${max}`,
    );
  }
  return value;
}

/**
 * Reads XEP-0343's `<sctpmap/>` (§3): `number` (the SCTP port, 1–65535), `protocol`, `streams`
 * (1–65535). Throws {@link JingleParseError} `bad-request` for a number or streams outside
 * those ranges; a missing attribute is simply absent.
 */
export function parseSctpmap(element: XmlElement): SctpTransport {
  const port = attribute(element, "number", 1, 65535);
  const streams = attribute(element, "streams", 1, 65535);
  const protocol = element.attrs["protocol"];
  return {
    variant: "sctpmap",
    ...(port !== undefined && { port }),
    ...(protocol !== undefined && { protocol }),
    ...(streams !== undefined && { streams }),
  };
}

/**
 * Reads the attributes of Conversations' outer `<transport/>`: `sctp-port` (1–65535) and
 * `max-message-size` (0–2^32−1). Throws {@link JingleParseError} `bad-request` for values
 * outside those ranges; a missing one is absent (its transport-info may leave them out).
 */
export function parseWebrtcDataChannel(element: XmlElement): SctpTransport {
  const port = attribute(element, "sctp-port", 1, 65535);
  const maxMessageSize = attribute(element, "max-message-size", 0, MAX_MAX_MESSAGE_SIZE);
  return {
    variant: "webrtc-datachannel",
    ...(port !== undefined && { port }),
    ...(maxMessageSize !== undefined && { maxMessageSize }),
  };
}

/**
 * The ICE-UDP transport inside Conversations' outer `<transport/>`, or undefined when it holds
 * none (then the content's transport has no candidates).
 */
export function innerIceUdp(outer: XmlElement): XmlElement | undefined {
  for (const node of outer.children) {
    if (typeof node === "string") continue;
    if (node.name === "transport" && node.attrs["xmlns"] === NS_JINGLE_ICE_UDP) return node;
  }
  return undefined;
}

function checkPort(port: number | undefined): void {
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw new JingleBuildError(`SCTP port must be 1–65535, got ${port}`);
}

/** XEP-0343's `<sctpmap/>`; `protocol` defaults to `webrtc-datachannel`. */
export function buildSctpmap(sctp: SctpTransport): XmlElement {
  checkPort(sctp.port);
  return el("sctpmap", {
    xmlns: NS_JINGLE_DTLS_SCTP,
    number: sctp.port,
    protocol: sctp.protocol ?? "webrtc-datachannel",
    streams: sctp.streams,
  });
}

/**
 * Conversations' outer `<transport/>` around `iceUdp` (the built ICE-UDP transport). Both
 * attributes are mandatory for Conversations, so a model without `port` or `maxMessageSize`
 * throws {@link JingleBuildError}.
 */
export function buildWebrtcDataChannel(sctp: SctpTransport, iceUdp: XmlElement): XmlElement {
  checkPort(sctp.port);
  const size = sctp.maxMessageSize;
  if (sctp.port === undefined || size === undefined)
    throw new JingleBuildError(
      "the webrtc-datachannel transport needs sctp-port and max-message-size",
    );
  if (!(Number.isInteger(size) && size >= 0 && size <= MAX_MAX_MESSAGE_SIZE))
    throw new JingleBuildError(`max-message-size must be 0–${MAX_MAX_MESSAGE_SIZE}, got ${size}`);
  return el(
    "transport",
    { xmlns: NS_JINGLE_WEBRTC_DATACHANNEL, "sctp-port": sctp.port, "max-message-size": size },
    [iceUdp],
  );
}
