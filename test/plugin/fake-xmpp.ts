// An in-memory stand-in for @xmpp/client between a few JIDs: IQs go to the addressee's
// iqCallee handlers and their answers come back as results or errors, in the order xmpp.js
// produces them (the handler's reply is sent before any work it scheduled). Elements are real
// @xmpp/xml elements, so the plugin's element building is exercised as it is with a server.
import { xml } from "@xmpp/xml";
import type { XmlElement } from "../../src/jingle/xml.js";
import type { IqContext, XmppClient } from "../../src/plugin/xmpp.js";

type Handler = (context: IqContext) => unknown;

interface Element extends XmlElement {
  getChildElements(): Element[];
  is(name: string): boolean;
}

/** The error an IQ request rejects with, like xmpp.js' StanzaError. */
export class FakeStanzaError extends Error {
  override readonly name = "StanzaError";
  constructor(
    readonly condition: string,
    readonly element: Element,
  ) {
    super(condition);
  }
}

export class FakeNetwork {
  private readonly clients = new Map<string, FakeXmpp>();
  /** Every IQ delivered, as [from, to, child name, action?]. */
  readonly log: [string, string, string, string | undefined][] = [];
  /** Every IQ's payload delivered, with its sender, in delivery order. */
  readonly payloads: { readonly from: string; readonly element: XmlElement }[] = [];
  /** Deliveries and answers in the order they happened: `{ from, index }` is payload `index`. */
  readonly timeline: { readonly kind: "iq" | "answer"; readonly index: number }[] = [];

  /**
   * A client for `jid`. `ackDelay` (ms) holds back its answers to incoming IQs, like a peer that
   * acknowledges only after processing: its own requests can then overtake its acks.
   */
  client(
    jid: string,
    options: { readonly ackDelay?: number; readonly replyFrom?: string } = {},
  ): FakeXmpp {
    const client = new FakeXmpp(jid, this, options.ackDelay ?? 0);
    this.clients.set(route(jid), client);
    if (options.replyFrom !== undefined) this.replyFrom.set(route(jid), options.replyFrom);
    return client;
  }

  /** Puts a client built outside {@link FakeNetwork.client} (e.g. a subclass) on the network. */
  adopt(client: FakeXmpp): void {
    this.clients.set(route(client.jid.toString()), client);
  }

  /** Takes `jid` off the network: IQs to it bounce with service-unavailable, as a server does. */
  disconnect(jid: string): void {
    this.clients.delete(route(jid));
  }

  /** Called on every IQ payload before delivery: a man in the middle may change it in place. */
  rewrite: (from: string, payload: Element) => void = () => undefined;

  /** Results from these clients claim to come from another JID (a spoofed reply). */
  private readonly replyFrom = new Map<string, string>();

  /** A client that can send as `jid` without taking its place (it receives nothing). */
  sender(jid: string): FakeXmpp {
    return new FakeXmpp(jid, this, 0);
  }

  /** Delivers an IQ and returns the reply element (or throws FakeStanzaError). */
  async deliver(from: string, stanza: Element): Promise<Element> {
    const to = stanza.attrs["to"] ?? "";
    const target = this.clients.get(route(to));
    const [child] = stanza.getChildElements();
    this.log.push([from, to, child?.name ?? "", child?.attrs["action"]]);
    if (target === undefined || child === undefined)
      throw new FakeStanzaError("service-unavailable", stanza);
    this.rewrite(from, child);
    const index = this.payloads.push({ from, element: child }) - 1;
    this.timeline.push({ kind: "iq", index });
    (stanza.attrs as Record<string, string>)["from"] = from;
    const reply = await target.handle(stanza.attrs["type"] ?? "", stanza, child);
    this.timeline.push({ kind: "answer", index });
    if (reply === undefined) throw new FakeStanzaError("service-unavailable", stanza);
    if (typeof reply === "object" && reply !== null && (reply as Element).name === "error") {
      const condition = (reply as Element).getChildElements()[0]?.name ?? "undefined-condition";
      throw new FakeStanzaError(condition, reply as Element);
    }
    return xml(
      "iq",
      { type: "result", id: stanza.attrs["id"] ?? "", from: this.replyFrom.get(route(to)) ?? to },
      ...(reply === true ? [] : [reply]),
    ) as Element;
  }
}

export class FakeXmpp implements XmppClient {
  private readonly handlers: { type: string; ns: string; name: string; handler: Handler }[] = [];
  readonly jid: { toString(): string };

  constructor(
    jid: string,
    private readonly network: FakeNetwork,
    private readonly ackDelay: number,
  ) {
    this.jid = { toString: () => jid };
  }

  readonly iqCallee = {
    set: (ns: string, name: string, handler: Handler) =>
      this.handlers.push({ type: "set", ns, name, handler }),
    get: (ns: string, name: string, handler: Handler) =>
      this.handlers.push({ type: "get", ns, name, handler }),
  };

  readonly iqCaller = {
    request: (stanza: unknown, timeout = 15_000): Promise<unknown> => {
      const element = stanza as Element;
      (element.attrs as Record<string, string>)["id"] ??= Math.random().toString(36).slice(2);
      return Promise.race([
        this.network.deliver(this.jid.toString(), element),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeout).unref()),
      ]);
    },
  };

  async send(): Promise<void> {}

  async handle(type: string, stanza: Element, child: Element): Promise<unknown> {
    const route = this.handlers.find(
      (h) => h.type === type && h.name === child.name && (child.attrs["xmlns"] ?? "") === h.ns,
    );
    if (route === undefined) return undefined;
    const reply: unknown = await route.handler({ stanza, element: child });
    if (this.ackDelay > 0) await new Promise((resolve) => setTimeout(resolve, this.ackDelay));
    return reply;
  }
}

/** How a server routes a JID: local part and domain are case-insensitive (RFC 7622 §3.2, §3.3). */
function route(jid: string): string {
  const slash = jid.indexOf("/");
  return slash < 0 ? jid.toLowerCase() : jid.slice(0, slash).toLowerCase() + jid.slice(slash);
}
