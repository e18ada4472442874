// Shared fixtures and helpers for the Jingle tests: builders for XmlElement data (no XML strings),
// IQ wrappers, the two long XEP-0176 example stanzas, and helpers for the lenient-parsing tests.
import assert from "node:assert/strict";
import {
  JingleParseError,
  NS_JINGLE,
  NS_JINGLE_ICE_UDP,
  child,
  parseJingle,
  type IceUdpTransport,
  type XmlElement,
} from "../../src/jingle/index.js";

/** An element with string attributes and children. */
export function x(
  name: string,
  attrs: Record<string, string> = {},
  ...children: (XmlElement | string)[]
): XmlElement {
  return { name, attrs, children };
}

/**
 * The element as ltx hands it over after parsing pretty-printed XML: whitespace text between
 * child elements, and a `parent` back-reference that the structural type does not know about.
 */
export function pretty(element: XmlElement, depth = 1, parent?: XmlElement): XmlElement {
  const indent = "\n" + "  ".repeat(depth);
  const out: XmlElement & { parent?: XmlElement; children: (XmlElement | string)[] } = {
    name: element.name,
    attrs: { ...element.attrs },
    children: [],
    ...(parent !== undefined && { parent }),
  };
  const elements = element.children.filter((c) => typeof c !== "string");
  if (elements.length === 0) {
    out.children.push(...element.children);
    return out;
  }
  for (const c of element.children) {
    if (typeof c === "string") continue;
    out.children.push(indent, pretty(c, depth + 1, out));
  }
  out.children.push("\n" + "  ".repeat(depth - 1));
  return out;
}

export const RTP = "urn:xmpp:jingle:apps:rtp:1";
export const ROMEO = "romeo@montague.lit/orchard";
export const JULIET = "juliet@capulet.lit/balcony";
export const SID = "a73sjjvkla37jfea";

/** An IQ-set around `jingle`, pretty-printed the way ltx would hand it over. */
export function iq(from: string, id: string, to: string, jingle: XmlElement): XmlElement {
  return pretty(x("iq", { from, id, to, type: "set" }, jingle));
}

/** The <jingle/> child of an IQ, found the way the plugin will find it. */
export function jingleOf(stanza: XmlElement): XmlElement {
  const j = child(stanza, "jingle", NS_JINGLE);
  assert.ok(j);
  return j;
}

// XEP-0176 §5.2 (Session Initiation), Example 1; also XEP-0166 §6.2 (Initiation).
export const sessionInitiate = iq(
  ROMEO,
  "ixt174g9",
  JULIET,
  x(
    "jingle",
    { xmlns: NS_JINGLE, action: "session-initiate", initiator: ROMEO, sid: SID },
    x(
      "content",
      { creator: "initiator", name: "this-is-the-audio-content" },
      x(
        "description",
        { xmlns: RTP, media: "audio" },
        x("payload-type", { id: "96", name: "speex", clockrate: "16000" }),
        x("payload-type", { id: "97", name: "speex", clockrate: "8000" }),
        x("payload-type", { id: "18", name: "G729" }),
        x("payload-type", { id: "0", name: "PCMU" }),
        x("payload-type", { id: "103", name: "L16", clockrate: "16000", channels: "2" }),
        x("payload-type", { id: "98", name: "x-ISAC", clockrate: "8000" }),
      ),
      x(
        "transport",
        { xmlns: NS_JINGLE_ICE_UDP, pwd: "asd88fgpdd777uzjYhagZg", ufrag: "8hhy" },
        x("candidate", {
          component: "1",
          foundation: "1",
          generation: "0",
          id: "el0747fg11",
          ip: "10.0.1.1",
          network: "1",
          port: "8998",
          priority: "2130706431",
          protocol: "udp",
          type: "host",
        }),
        x("candidate", {
          component: "1",
          foundation: "2",
          generation: "0",
          id: "y3s2b30v3r",
          ip: "192.0.2.3",
          network: "1",
          port: "45664",
          priority: "1694498815",
          protocol: "udp",
          "rel-addr": "10.0.1.1",
          "rel-port": "8998",
          type: "srflx",
        }),
      ),
    ),
  ),
);

// XEP-0176 §5.4 (Response): the responder accepts with its credentials and one candidate.
export const sessionAccept = iq(
  JULIET,
  "rw782g55",
  ROMEO,
  x(
    "jingle",
    {
      xmlns: NS_JINGLE,
      action: "session-accept",
      initiator: ROMEO,
      responder: JULIET,
      sid: SID,
    },
    x(
      "content",
      { creator: "initiator", name: "this-is-the-audio-content" },
      x(
        "description",
        { xmlns: RTP, media: "audio" },
        x("payload-type", { id: "97", name: "speex", clockrate: "8000" }),
        x("payload-type", { id: "18", name: "G729" }),
      ),
      x(
        "transport",
        { xmlns: NS_JINGLE_ICE_UDP, pwd: "YH75Fviy6338Vbrhrlp8Yh", ufrag: "9uB6" },
        x("candidate", {
          component: "1",
          foundation: "1",
          generation: "0",
          id: "or2ii2syr1",
          ip: "192.0.2.1",
          network: "0",
          port: "3478",
          priority: "2130706431",
          protocol: "udp",
          type: "host",
        }),
      ),
    ),
  ),
);

/** A good host candidate's attributes, for the lenient-parsing tests to spoil. */
export const host = {
  component: "1",
  foundation: "1",
  generation: "0",
  id: "c1",
  ip: "192.0.2.1",
  network: "0",
  port: "3478",
  priority: "2130706431",
  protocol: "udp",
  type: "host",
};

export function jingle(attrs: Record<string, string>, ...children: XmlElement[]): XmlElement {
  return x(
    "jingle",
    { xmlns: NS_JINGLE, action: "transport-info", sid: "s1", ...attrs },
    ...children,
  );
}

/** A transport-info with one content whose ICE-UDP transport holds `children`. */
export function transportInfo(...children: XmlElement[]): XmlElement {
  return jingle(
    {},
    x(
      "content",
      { creator: "initiator", name: "data" },
      x("transport", { xmlns: NS_JINGLE_ICE_UDP, ufrag: "u1", pwd: "p".repeat(22) }, ...children),
    ),
  );
}

export function transportOf(element: XmlElement): IceUdpTransport {
  const transport = parseJingle(element).contents[0]?.transport;
  assert.equal(transport?.kind, "ice-udp");
  return transport as IceUdpTransport;
}

export function parseOne(attrs: Record<string, string>): IceUdpTransport {
  return transportOf(transportInfo(x("candidate", attrs)));
}

export function without(key: keyof typeof host): Record<string, string> {
  const copy: Record<string, string> = { ...host };
  delete copy[key];
  return copy;
}

export function assertBadRequest(element: XmlElement, pattern: RegExp): void {
  assert.throws(
    () => parseJingle(element),
    (err: unknown) =>
      err instanceof JingleParseError &&
      err.name === "JingleParseError" &&
      err.condition === "bad-request" &&
      err.jingleCondition === undefined &&
      pattern.test(err.message),
  );
}
