/**
 * The plugin's XEP-0047 IQ handler: the peer's `<open/>`, `<data/>` and `<close/>` go to the
 * stream of their sender and `sid` (a file transfer that moved to In-Band Bytestreams,
 * `file-fallback.ts`); anything else is refused with `item-not-found` (XEP-0047 §2.2). Streams
 * exist only for sessions that agreed on one, so their number is capped like the sessions'.
 */
import { buildStanzaError } from "../jingle/errors.js";
import { IbbError } from "../jingle/file-transfer-errors.js";
import type { IbbReply } from "../jingle/ibb-session.js";
import { NS_IBB } from "../jingle/ibb.js";
import type { XmlElement } from "../jingle/xml.js";
import { normalizeJid } from "./jid.js";
import { toXmpp, type IqContext, type XmppClient } from "./xmpp.js";

/** One stream's handler of the peer's IQs. */
export interface IbbStream {
  handleIq(element: XmlElement): IbbReply;
}

/** The IBB streams of one plugin instance; see the module comment. */
export class IbbStreams {
  private readonly streams = new Map<string, IbbStream>();

  constructor(
    xmpp: XmppClient,
    /** The most streams at once (the plugin's `limits.maxSessions`). */
    private readonly maxStreams: number,
  ) {
    for (const name of ["open", "data", "close"])
      xmpp.iqCallee.set(NS_IBB, name, (context) => this.onIq(context));
  }

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Routes the IQs from `peer` for `sid` to `stream` until the returned function is called.
   * @throws {IbbError} `resource-constraint` when {@link maxStreams} are open, `conflict` when
   * the peer already has a stream with that sid.
   */
  add(peer: string, sid: string, stream: IbbStream): () => void {
    const k = key(peer, sid);
    if (this.streams.has(k)) throw new IbbError("conflict", `an IBB stream ${sid} exists`);
    if (this.streams.size >= this.maxStreams)
      throw new IbbError("resource-constraint", "too many IBB streams", "wait");
    this.streams.set(k, stream);
    return () => {
      if (this.streams.get(k) === stream) this.streams.delete(k);
    };
  }

  /** The IQ handler: answers at once, never awaits. */
  private onIq(context: IqContext): unknown {
    const from = normalizeJid(context.stanza.attrs["from"] ?? "");
    const sid = context.element.attrs["sid"];
    const stream =
      from === undefined || sid === undefined ? undefined : this.streams.get(key(from, sid));
    const reply: IbbReply =
      stream === undefined
        ? { ok: false, error: new IbbError("item-not-found", "no such IBB stream") }
        : stream.handleIq(context.element);
    return reply.ok ? true : toXmpp(buildStanzaError(reply.error.type, reply.error.condition));
  }
}

function key(peer: string, sid: string): string {
  return `${peer}\u0000${sid}`;
}
