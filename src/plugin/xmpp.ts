/**
 * The small part of xmpp.js the plugin uses, typed here structurally (a real `@xmpp/client`
 * client fits it, with or without `@types/xmpp__client`), and the conversion of the Jingle model's plain elements into
 * xmpp.js elements. Every element sent is built with `xml()` from `@xmpp/xml`: ltx's own ESM
 * `Element` is a different class, and an error built from it makes xmpp.js answer with a result.
 */
import { randomBytes } from "node:crypto";
import { xml } from "@xmpp/xml";
import { JingleIceError } from "../common/errors.js";
import type { XmlElement } from "../jingle/xml.js";
import { sameJid } from "./jid.js";

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
  /** Our stream's status: `disconnect` (lost; xmpp.js reconnects), `online` (again). */
  on?(event: "online" | "disconnect", listener: () => void): unknown;
}

/**
 * An xmpp.js element built from a plain element of the Jingle model. Iterative, so that no
 * nesting depth can overflow the stack.
 */
export function toXmpp(element: XmlElement): unknown {
  const convert = (e: XmlElement) => xml(e.name, definedAttrs(e.attrs));
  const root = convert(element) as { children: unknown[] };
  const stack: [XmlElement, { children: unknown[] }][] = [[element, root]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [source, target] = top;
    for (const c of source.children) {
      if (typeof c === "string") {
        target.children.push(c);
        continue;
      }
      const built = convert(c) as { children: unknown[]; parent?: unknown };
      built.parent = target;
      target.children.push(built);
      stack.push([c, built]);
    }
  }
  return root;
}

function definedAttrs(attrs: XmlElement["attrs"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) out[key] = value;
  return out;
}

/** A reply that did not come from the entity we asked. */
export class IqReplyError extends JingleIceError {
  override readonly name = "IqReplyError";
}

/**
 * Sends an `<iq type='set'>` with `payload` to `to` and resolves with the reply. The id comes
 * from `crypto.randomBytes` (xmpp.js matches replies by id only, and its own ids are not
 * unguessable), and a result from another JID than `to` is refused with {@link IqReplyError}.
 * Error replies reject with xmpp.js' StanzaError (whose sender xmpp.js does not keep).
 */
export async function iqRequest(
  xmpp: XmppClient,
  to: string,
  payload: XmlElement,
  timeout: number,
  type: "get" | "set" = "set",
): Promise<XmlElement> {
  const id = randomBytes(12).toString("base64url");
  const reply = (await xmpp.iqCaller.request(
    xml("iq", { type, to, id }, toXmpp(payload)),
    timeout,
  )) as XmlElement;
  const from = reply.attrs["from"];
  if (!sameJid(from, to))
    throw new IqReplyError(`IQ reply from ${from ?? "our own server"}, expected ${to}`);
  return reply;
}
