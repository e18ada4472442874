/**
 * The small part of xmpp.js the plugin uses, typed here (the community types are wrong under
 * NodeNext, DESIGN.md §4), and the conversion of the Jingle model's plain elements into
 * xmpp.js elements. Every element sent is built with `xml()` from `@xmpp/xml`: ltx's own ESM
 * `Element` is a different class, and an error built from it makes xmpp.js answer with a result.
 */
import { xml } from "@xmpp/xml";
import type { XmlElement } from "../jingle/xml.js";

/** An incoming IQ as xmpp.js hands it to an iqCallee handler. */
export interface IqContext {
  readonly stanza: XmlElement;
  readonly element: XmlElement;
}

/** What the plugin needs of an `@xmpp/client` instance. */
export interface XmppClient {
  /** Our full JID once online. */
  readonly jid?: { toString(): string } | null;
  readonly iqCallee: {
    set(ns: string, name: string, handler: (context: IqContext) => unknown): void;
    get(ns: string, name: string, handler: (context: IqContext) => unknown): void;
  };
  readonly iqCaller: { request(stanza: unknown, timeout?: number): Promise<unknown> };
  send(stanza: unknown): Promise<unknown>;
  /** Incoming stanzas (used to notice a peer's unavailable presence). */
  on?(event: "stanza", listener: (stanza: XmlElement) => void): unknown;
}

/** An xmpp.js element built from a plain element of the Jingle model. */
export function toXmpp(element: XmlElement): unknown {
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(element.attrs))
    if (value !== undefined) attrs[key] = value;
  return xml(
    element.name,
    attrs,
    ...element.children.map((c) => (typeof c === "string" ? c : toXmpp(c))),
  );
}

/** An `<iq type='set'>` to `to` carrying `payload`. */
export function iqSet(to: string, payload: XmlElement): unknown {
  return xml("iq", { type: "set", to }, toXmpp(payload));
}
