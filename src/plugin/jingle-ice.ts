/**
 * `jingleIceUdp(xmpp, options)`: Jingle sessions (XEP-0166) with the ICE-UDP transport
 * (XEP-0176) on an `@xmpp/client` instance. The IQ handler answers at once — an ack or a Jingle
 * error — and never waits for application code; the work an action causes runs after the ack
 * has been written (docs/plugin.md).
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { JingleIceError } from "../common/errors.js";
import {
  datagramApplication,
  isReason,
  negotiate,
  NS_DATAGRAM,
  type JingleApplication,
  type Offer,
} from "../jingle/application.js";
import { buildJingle } from "../jingle/build.js";
import { buildStanzaError, JingleParseError } from "../jingle/errors.js";
import { NS_JINGLE, type DtlsSetup, type Jingle, type Reason } from "../jingle/model.js";
import { answerSetup, securityMismatch } from "../jingle/dtls-setup.js";
import type { DtlsCertificate } from "../dtls/certificate.js";
import { defaultCertificate } from "../node/dtls-certificate.js";
import { DEFAULT_SESSION_LIMITS, dispatch, type SessionLimits } from "../jingle/dispatch.js";
import { parseJingle } from "../jingle/parse.js";
import { el, type XmlElement } from "../jingle/xml.js";
import {
  pluginFeatures,
  CAPS_NODE,
  IDENTITY,
  capsElement,
  capsVer,
  serveDiscoInfo,
} from "./caps.js";
import { AutoIceServers } from "./extdisco.js";
import {
  initiatorDataChannels,
  responderDataChannels,
  type SessionDataChannels,
} from "./data-channels.js";
import { FileTransferRoutes, NS_FILE_TRANSFER, type FileTransfer } from "./file-transfer.js";
import type { IncomingFile } from "./file-receive.js";
import type { SendFileOptions } from "./file-send.js";
import { fileRequestRefusal, offeredFile, startSendFile } from "./file-api.js";
import { IbbStreams } from "./ibb-streams.js";
import { offerSession } from "./incoming-offer.js";
import { peerFeatures } from "./peer-features.js";
import { SessionSecurity } from "./security.js";
import { XmppLinkWatch } from "./signalling.js";
import type {
  InitiateOptions,
  JingleIceEvents,
  JingleIceOptions,
  SessionOffer,
} from "./options.js";
import { JingleSession } from "./session.js";
import { reportable } from "./session-error.js";
import { normalizeJid } from "./jid.js";
import { iqRequest, toXmpp, type IqContext, type XmppClient } from "./xmpp.js";

/** How long `sctpVariant: "auto"` waits for the peer's disco#info, in ms (at most iqTimeoutMs). */
export const DISCO_TIMEOUT = 5000;

export type { InitiateOptions, JingleIceEvents, JingleIceOptions, SessionOffer };

export class JingleIce extends EventEmitter<JingleIceEvents> {
  private readonly sessions = new Map<string, JingleSession>();
  private readonly iqTimeoutMs: number;
  private readonly setupTimeoutMs: number;
  private readonly limits: SessionLimits;
  private readonly autoIceServers: AutoIceServers | undefined;
  private readonly applications: ReadonlyMap<string, JingleApplication>;
  private readonly certificate: DtlsCertificate | undefined;
  private readonly features: readonly string[];
  private readonly files: FileTransferRoutes | undefined;

  constructor(
    private readonly xmpp: XmppClient,
    private readonly options: JingleIceOptions = {},
  ) {
    super();
    this.iqTimeoutMs = options.iqTimeoutMs ?? 15_000;
    this.setupTimeoutMs = options.setupTimeoutMs ?? 30_000;
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.autoIceServers =
      options.iceServers === "auto" ? new AutoIceServers(xmpp, this.iqTimeoutMs) : undefined;
    this.certificate =
      options.dtls === false ? undefined : (options.certificate ?? defaultCertificate());
    const applications = options.applications ?? [datagramApplication];
    this.applications = new Map(applications.map((a) => [a.namespace, a]));
    this.features = pluginFeatures(applications, this.certificate !== undefined);
    if (this.applications.has(NS_FILE_TRANSFER)) {
      // XEP-0234 over data channels, with XEP-0261 In-Band Bytestreams as the fallback.
      this.files = new FileTransferRoutes((work) => this.after(work), {
        streams: new IbbStreams(xmpp, this.limits.maxSessions),
        defer: (work) => this.after(work),
        request: (peer, payload) => iqRequest(xmpp, peer, payload, this.iqTimeoutMs),
        iqTimeoutMs: this.iqTimeoutMs,
      });
    }
    xmpp.iqCallee.set(NS_JINGLE, "jingle", (context) => this.onJingle(context));
    // A peer whose resource goes offline (unavailable presence, when we see its presence) ends
    // its sessions with reason "gone".
    xmpp.on?.("stanza", (stanza) => {
      if (stanza.name !== "presence" || stanza.attrs["type"] !== "unavailable") return;
      const from = normalizeJid(stanza.attrs["from"] ?? "");
      for (const session of this.sessions.values()) if (session.peer === from) session.peerGone();
    });
    serveDiscoInfo(xmpp, this.features);
    // Signalling faults (docs/plugin.md, "Faults"): once the stream is back every session pings
    // its peer (a gone peer ends it); a stream that stays down ends them all.
    const offlineTimeoutMs = options.offlineTimeoutMs ?? 60_000;
    new XmppLinkWatch(xmpp, offlineTimeoutMs, {
      back: () => {
        for (const s of this.sessions.values()) void s.resume(offlineTimeoutMs);
      },
      lost: (reason) => {
        for (const s of [...this.sessions.values()]) s.signallingLost(reason);
      },
    });
  }

  /** Starts a session with `peer` (a full JID); call `connect()` on it for the channel. */
  initiate(peer: string, options: InitiateOptions = {}): JingleSession {
    const to = normalizeJid(peer);
    if (to === undefined || !to.includes("/"))
      throw new JingleIceError(`initiate() needs a full JID (with a resource), not '${peer}'`);
    if (this.sessions.size >= this.limits.maxSessions)
      throw new JingleIceError(
        `too many sessions (limits.maxSessions = ${this.limits.maxSessions})`,
      );
    const namespace = options.application ?? NS_DATAGRAM;
    const application = this.applications.get(namespace);
    if (application === undefined)
      throw new Error(`application ${namespace} is not in this plugin's registry`);
    const timeout = Math.min(this.iqTimeoutMs, DISCO_TIMEOUT);
    const dataChannels = initiatorDataChannels(
      application,
      this.certificate !== undefined,
      options.sctpVariant ?? "auto",
      () => peerFeatures(this.xmpp, to, timeout),
    );
    const sid = randomBytes(12).toString("base64url");
    const name = options.contentName ?? "datagram";
    const session = this.newSession(
      sid,
      to,
      true,
      name,
      options.description ?? application.offer(),
      undefined,
      "actpass",
      dataChannels,
    );
    session.senders = application.senders ?? "both";
    return session;
  }

  /**
   * Sends the file at `path` to `peer` (a full JID) with XEP-0234 over a data channel
   * (docs/file-transfer.md, "Plugin"); needs {@link fileTransferApplication} in the registry.
   * Rejects for local mistakes (no such file, bad JID); the transfer's `result` tells the rest.
   */
  sendFile(peer: string, path: string, options: SendFileOptions = {}): Promise<FileTransfer> {
    return startSendFile(this.files, (p, o) => this.initiate(p, o), peer, path, options);
  }

  /** The offered file of an incoming file-transfer session, or undefined for other sessions. */
  incomingFile(session: JingleSession): IncomingFile | undefined {
    return offeredFile(this.files, session);
  }

  /**
   * The XEP-0115 `<c/>` element for our presence, so that clients see Jingle ICE-UDP support
   * (an xmpp.js element: `xmpp.send(xml("presence", {}, jingle.caps()))`).
   */
  caps(): unknown {
    return toXmpp(capsElement(CAPS_NODE, capsVer([IDENTITY], this.features)));
  }

  /** How many sessions this instance holds, by state. */
  stats(): { readonly sessions: number; readonly pending: number; readonly active: number } {
    let pending = 0;
    let active = 0;
    for (const s of this.sessions.values()) {
      if (s.state === "pending") pending++;
      else if (s.state === "active") active++;
    }
    return { sessions: this.sessions.size, pending, active };
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
    localDescription: XmlElement,
    remoteDescription?: XmlElement,
    setup?: DtlsSetup,
    dataChannels?: SessionDataChannels,
  ): JingleSession {
    const security =
      this.certificate === undefined || setup === undefined
        ? undefined
        : new SessionSecurity(this.certificate, setup);
    const session = new JingleSession(
      {
        xmpp: this.xmpp,
        self: () => this.xmpp.jid?.toString() ?? "",
        ice: () =>
          this.autoIceServers === undefined
            ? Promise.resolve(this.options.ice ?? {})
            : this.autoIceServers.add(this.options.ice ?? {}),
        iqTimeoutMs: this.iqTimeoutMs,
        setupTimeoutMs: this.setupTimeoutMs,
        forget: (s) => this.sessions.delete(key(s.peer, s.sid)),
        report: (error) => this.report(error),
      },
      sid,
      peer,
      initiator,
      contentName,
      localDescription,
      remoteDescription,
      security,
      dataChannels,
    );
    this.sessions.set(key(peer, sid), session);
    return session;
  }

  /** The IQ handler: an ack (`true`) or an error element, decided without awaiting anything. */
  private onJingle(context: IqContext): unknown {
    const from = normalizeJid(context.stanza.attrs["from"] ?? "");
    let jingle: Jingle;
    try {
      if (from === undefined) throw new JingleParseError("bad-request", "no sender");
      jingle = parseJingle(context.element);
    } catch (error) {
      if (error instanceof JingleParseError) {
        return toXmpp(buildStanzaError("modify", error.condition, error.jingleCondition));
      }
      throw error;
    }
    const routed = this.files?.onInfo(from, jingle);
    if (routed !== undefined) return routed;
    const decision = dispatch(this.sessions.values(), from, jingle, this.limits);
    switch (decision.kind) {
      case "error": {
        const { type, condition, jingleCondition } = decision.error;
        return toXmpp(buildStanzaError(type, condition, jingleCondition));
      }
      case "new-session": {
        const ours = decision.abandon;
        if (ours !== undefined) this.after(() => ours.abandon("their session won the tie-break"));
        this.incoming(from, jingle);
        return true;
      }
      case "busy": {
        this.refuseBusy(from, jingle);
        return true;
      }
      case "handle": {
        const { session } = decision;
        this.after(() => session.handle(jingle));
        return true;
      }
      case "refuse": {
        const { session } = decision;
        this.after(() => session.refuse(jingle));
        return true;
      }
      case "ack":
        return true;
    }
  }

  /**
   * A new incoming session-initiate: its session exists from now on (so that limits and
   * duplicates count it), but nothing is sent before the ack. It is refused when we do not serve
   * its application or transport (XEP-0166 §6.3.2), else put to the policy, then offered to
   * the application. Nothing of ours but a session-terminate leaves before `accept()`.
   */
  private incoming(from: string, jingle: Jingle): void {
    const offer = negotiate(
      jingle,
      new Set(this.applications.keys()),
      (ns) => this.applications.get(ns)?.otherTransports ?? [],
    );
    if (isReason(offer)) return this.refuseNew(from, jingle, offer);
    const request = fileRequestRefusal(offer);
    if (request !== undefined) return this.refuseNew(from, jingle, request);
    // Not ICE-UDP (e.g. XEP-0261 IBB for a file): no DTLS or SCTP; the application accepts it.
    if (offer.content.transport?.kind === "other")
      return this.incomingOther(from, jingle, offer, offer.content.transport.element);
    // XEP-0320: DTLS unless both sides ask for plaintext.
    const transport =
      offer.content.transport?.kind === "ice-udp" ? offer.content.transport : undefined;
    const insecure = securityMismatch(this.certificate !== undefined, transport);
    if (insecure !== undefined) return this.refuseNew(from, jingle, insecure);
    // Data channels in the offer's variant; an offer without SCTP is refused.
    const dataChannels = responderDataChannels(
      this.applications.get(offer.application),
      transport?.sctp,
    );
    if (dataChannels !== undefined && isReason(dataChannels))
      return this.refuseNew(from, jingle, dataChannels);
    const answer = this.answer(offer);
    if (isReason(answer)) return this.refuseNew(from, jingle, answer);
    const name = offer.content.name;
    const setup = answerSetup(transport?.fingerprints?.find((f) => f.setup)?.setup);
    const session = this.newSession(
      jingle.sid,
      from,
      false,
      name,
      answer,
      offer.description,
      setup,
      dataChannels,
    );
    // XEP-0166 §7.3: our answer keeps the offer's senders.
    session.senders = offer.content.senders ?? "both";
    this.after(() => this.offer(session, jingle, offer));
  }

  /** An offer on another transport than ICE-UDP: a session without ICE, DTLS or SCTP. */
  private incomingOther(from: string, jingle: Jingle, offer: Offer, transport: XmlElement): void {
    const answer = this.answer(offer);
    if (isReason(answer)) return this.refuseNew(from, jingle, answer);
    const session = this.newSession(
      jingle.sid,
      from,
      false,
      offer.content.name,
      answer,
      offer.description,
    );
    session.offeredTransport = transport;
    session.senders = offer.content.senders ?? "both";
    this.after(() => this.offer(session, jingle, offer));
  }

  /** The application's answer to `offer`; an application that throws refuses the session. */
  private answer(offer: Offer): XmlElement | Reason {
    try {
      return this.applications.get(offer.application)!.answer(offer.description);
    } catch (error) {
      this.report(reportable(error, `application ${offer.application} failed`));
      return { condition: "general-error", text: "the application failed" };
    }
  }

  /** Refuses a new session-initiate with a session-terminate carrying `reason`, after the ack. */
  private refuseNew(from: string, jingle: Jingle, reason: Reason): void {
    const name = jingle.contents[0]?.name ?? "datagram";
    const refused = this.newSession(jingle.sid, from, false, name, el("description"));
    this.after(() => {
      this.emit("refused", { peer: from, sid: jingle.sid, reason });
      return refused.terminate(reason.condition, reason.text);
    });
  }

  /**
   * Refuses a session-initiate beyond `limits.maxSessions` with a session-terminate (`busy`)
   * after the ack, without a session object: a burst of them must not take slots beyond the
   * limit, even for the moment until the refusal has left (docs/plugin.md).
   */
  private refuseBusy(from: string, jingle: Jingle): void {
    const reason: Reason = { condition: "busy", text: "too many sessions" };
    this.after(async () => {
      this.emit("refused", { peer: from, sid: jingle.sid, reason });
      const terminate = { action: "session-terminate", sid: jingle.sid, initiator: from } as const;
      await iqRequest(
        this.xmpp,
        from,
        buildJingle({ ...terminate, contents: [], reason }),
        this.iqTimeoutMs,
      ).catch((error: unknown) => this.report(reportable(error, "session-terminate failed")));
    });
  }

  /** Runs the policy on an acknowledged, servable session-initiate, then offers it. */
  private async offer(session: JingleSession, jingle: Jingle, offer: Offer): Promise<void> {
    session.handle(jingle);
    await offerSession(
      {
        policy: this.options.policy,
        report: (error) => this.report(error),
        refused: (refused) => this.emit("refused", refused),
        incoming: (s) => this.listenerCount("incoming") > 0 && this.emit("incoming", s),
      },
      session,
      offer,
    );
  }

  /** Runs `work` after the IQ handler's reply has been written (xmpp.js sends it in a microtask). */
  private after(work: () => void | Promise<void>): void {
    setImmediate(() => {
      Promise.resolve()
        .then(work)
        .catch((error: unknown) => this.report(reportable(error, "jingle handler failed")));
    });
  }

  /** A failure nobody awaits: the `error` event, or a process warning without a listener. */
  private report(error: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
    else process.emitWarning(error);
  }
}

/** Adds Jingle ICE-UDP sessions to an `@xmpp/client` instance. */
export function jingleIceUdp(xmpp: XmppClient, options: JingleIceOptions = {}): JingleIce {
  return new JingleIce(xmpp, options);
}

function key(peer: string, sid: string): string {
  return `${peer}\u0000${sid}`;
}
