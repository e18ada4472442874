/**
 * `jingleIceUdp(xmpp, options)`: Jingle sessions (XEP-0166) with the ICE-UDP transport
 * (XEP-0176) on an `@xmpp/client` instance. The IQ handler answers at once — an ack or a Jingle
 * error — and never waits for application code; the work an action causes runs after the ack
 * has been written (DESIGN.md §4).
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { buildStanzaError, JingleParseError } from "../jingle/errors.js";
import { NS_JINGLE, NS_JINGLE_ICE_UDP, type Jingle } from "../jingle/model.js";
import { dispatch } from "../jingle/dispatch.js";
import { parseJingle } from "../jingle/parse.js";
import { el, type XmlElement } from "../jingle/xml.js";
import type { IceConnectionOptions } from "../node/ice-connection.js";
import { capsElement, capsVer, NS_CAPS } from "./caps.js";
import { discoverIceServers, type DiscoveredServers } from "./extdisco.js";
import { JingleSession } from "./session.js";
import { toXmpp, type IqContext, type XmppClient } from "./xmpp.js";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const CAPS_NODE = "https://www.npmjs.com/package/jingle-ice";
const IDENTITY = { category: "client", type: "bot", name: "jingle-ice" } as const;
/** Only what is really implemented (DESIGN.md §4). */
const FEATURES = [NS_CAPS, NS_DISCO_INFO, NS_JINGLE, NS_JINGLE_ICE_UDP];

/** Options of {@link jingleIceUdp}. */
export interface JingleIceOptions {
  /** How each session's ICE agent binds and gathers (addresses, STUN/TURN servers, relay-only…). */
  readonly ice?: Omit<IceConnectionOptions, "role">;
  /**
   * `"auto"`: ask our XMPP server for STUN/TURN services (XEP-0215) and add them to `ice`;
   * refreshed before their credentials expire. @default none
   */
  readonly iceServers?: "auto";
  /**
   * Whether to consider a session from `peer` at all (XEP-0176 §10: candidates reveal
   * addresses). Refused sessions are declined before any candidate is sent. @default all
   */
  readonly policy?: (peer: string) => boolean | Promise<boolean>;
  /** How long to wait for an IQ answer, in ms. @default 15000 */
  readonly iqTimeout?: number;
}

/** Options of {@link JingleIce.initiate}. */
export interface InitiateOptions {
  /** The application description (opaque to us); none by default. */
  readonly description?: XmlElement;
  /** @default "datagram" */
  readonly contentName?: string;
}

/** Events of the plugin. */
export interface JingleIceEvents {
  /** A session from a peer the policy allows; call `accept()` or `terminate("decline")`. */
  incoming: [session: JingleSession];
}

export class JingleIce extends EventEmitter<JingleIceEvents> {
  private readonly sessions = new Map<string, JingleSession>();
  private readonly iqTimeout: number;
  private discovered: Promise<DiscoveredServers> | undefined;

  constructor(
    private readonly xmpp: XmppClient,
    private readonly options: JingleIceOptions = {},
  ) {
    super();
    this.iqTimeout = options.iqTimeout ?? 15_000;
    xmpp.iqCallee.set(NS_JINGLE, "jingle", (context) => this.onJingle(context));
    // A peer whose resource goes offline (unavailable presence, when we see its presence) ends
    // its sessions with reason "gone".
    xmpp.on?.("stanza", (stanza) => {
      if (stanza.name !== "presence" || stanza.attrs["type"] !== "unavailable") return;
      const from = stanza.attrs["from"];
      for (const session of this.sessions.values()) if (session.peer === from) session.peerGone();
    });
    xmpp.iqCallee.get(NS_DISCO_INFO, "query", (context) => {
      // XEP-0115 §6.2: a query for node#ver gets the same answer, with the node echoed.
      const node = context.element.attrs["node"];
      return toXmpp(
        el("query", { xmlns: NS_DISCO_INFO, node }, [
          el("identity", { category: IDENTITY.category, type: IDENTITY.type, name: IDENTITY.name }),
          ...FEATURES.map((feature) => el("feature", { var: feature })),
        ]),
      );
    });
  }

  /** Starts a session with `peer` (a full JID); call `connect()` on it for the channel. */
  initiate(peer: string, options: InitiateOptions = {}): JingleSession {
    const sid = randomBytes(12).toString("base64url");
    const session = this.newSession(sid, peer, true, options.contentName ?? "datagram");
    if (options.description !== undefined) session.description = options.description;
    return session;
  }

  /**
   * The XEP-0115 `<c/>` element for our presence, so that clients see Jingle ICE-UDP support
   * (an xmpp.js element: `xmpp.send(xml("presence", {}, jingle.caps()))`).
   */
  caps(): unknown {
    return toXmpp(capsElement(CAPS_NODE, capsVer([IDENTITY], FEATURES)));
  }

  /** Ends every session. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.terminate("gone")));
  }

  private newSession(
    sid: string,
    peer: string,
    initiator: boolean,
    contentName: string,
  ): JingleSession {
    const session = new JingleSession(
      {
        xmpp: this.xmpp,
        self: () => this.xmpp.jid?.toString() ?? "",
        ice: () => this.iceOptions(),
        iqTimeout: this.iqTimeout,
        forget: (s) => this.sessions.delete(key(s.peer, s.sid)),
      },
      sid,
      peer,
      initiator,
      contentName,
    );
    this.sessions.set(key(peer, sid), session);
    return session;
  }

  /** Session ICE options: the configured ones plus, with `iceServers: "auto"`, XEP-0215's. */
  private async iceOptions(): Promise<Omit<IceConnectionOptions, "role">> {
    const base = this.options.ice ?? {};
    if (this.options.iceServers !== "auto") return base;
    const cached =
      this.discovered === undefined ? undefined : await this.discovered.catch(() => undefined);
    if (this.discovered === undefined || cached === undefined || Date.now() >= cached.refreshAt) {
      const domain = (this.xmpp.jid?.toString() ?? "").replace(/^[^@]*@/, "").replace(/\/.*$/, "");
      this.discovered = discoverIceServers(this.xmpp, domain, this.iqTimeout);
    }
    const found = await this.discovered.catch(() => ({
      stunServers: [],
      turnServers: [],
      refreshAt: 0,
    }));
    return {
      ...base,
      stunServers: [...(base.stunServers ?? []), ...found.stunServers],
      turnServers: [...(base.turnServers ?? []), ...found.turnServers],
    };
  }

  /** The IQ handler: an ack (`true`) or an error element, decided without awaiting anything. */
  private onJingle(context: IqContext): unknown {
    const from = context.stanza.attrs["from"] ?? "";
    let jingle: Jingle;
    try {
      jingle = parseJingle(context.element);
    } catch (error) {
      if (error instanceof JingleParseError) {
        return toXmpp(buildStanzaError("modify", error.condition, error.jingleCondition));
      }
      throw error;
    }
    const decision = dispatch(this.sessions.values(), from, jingle);
    switch (decision.kind) {
      case "error": {
        const { type, condition, jingleCondition } = decision.error;
        return toXmpp(buildStanzaError(type, condition, jingleCondition));
      }
      case "new-session": {
        const ours = decision.abandon;
        if (ours !== undefined) after(() => ours.abandon("their session won the tie-break"));
        const incoming = this.newSession(
          jingle.sid,
          from,
          false,
          jingle.contents[0]?.name ?? "datagram",
        );
        const description = jingle.contents[0]?.description;
        if (description !== undefined) incoming.description = description;
        after(() => this.offer(incoming, jingle));
        return true;
      }
      case "handle": {
        const { session } = decision;
        after(() => session.handle(jingle));
        return true;
      }
      case "refuse": {
        const { session } = decision;
        after(() => session.refuse(jingle));
        return true;
      }
      case "ack":
        return true;
    }
  }

  /** Runs the policy, then hands the session to the application. */
  private async offer(session: JingleSession, jingle: Jingle): Promise<void> {
    session.handle(jingle);
    const allowed =
      this.options.policy === undefined ? true : await this.options.policy(session.peer);
    if (!allowed) {
      await session.terminate("decline");
      return;
    }
    if (this.listenerCount("incoming") === 0) {
      await session.terminate("decline", "not accepting sessions");
      return;
    }
    this.emit("incoming", session);
  }
}

/** Adds Jingle ICE-UDP sessions to an `@xmpp/client` instance. */
export function jingleIceUdp(xmpp: XmppClient, options: JingleIceOptions = {}): JingleIce {
  return new JingleIce(xmpp, options);
}

function key(peer: string, sid: string): string {
  return `${peer}\u0000${sid}`;
}

/** Runs `work` after the IQ handler's reply has been written (xmpp.js sends it in a microtask). */
function after(work: () => void | Promise<void>): void {
  setImmediate(() => void work());
}
