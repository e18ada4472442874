/**
 * One Jingle session (XEP-0166) with one content: an application (XEP-0166 §7.3, see
 * `src/jingle/application.ts`) over the ICE-UDP transport (XEP-0176), i.e. the signalling around
 * an {@link IceConnection}, with DTLS over it (XEP-0320; `security.ts`). The order in which our
 * stanzas leave is the {@link Trickle}'s job (rules in `src/jingle/outbox.ts`); the peer's
 * transports go to {@link RemoteTransport}, which buffers what comes before our ICE agent. An
 * application that needs data channels gets an SCTP association over the DTLS channel
 * (`data-channels.ts`).
 */
import type {
  Content,
  ContentGroup,
  IceUdpTransport,
  Jingle,
  Reason,
  SctpVariant,
  ContentSenders,
} from "../jingle/model.js";
import type { SessionState } from "../jingle/dispatch.js";
import { namespaceOf, type XmlElement } from "../jingle/xml.js";
import { DatagramChannel } from "../node/datagram-channel.js";
import type { DataChannel } from "../node/data-channel.js";
import type { SctpAssociation } from "../node/sctp-association.js";
import type { ChannelInit } from "../sctp/data-channel-types.js";
import type { SessionDataChannels } from "./data-channels.js";
import type { IceConnection } from "../node/ice-connection.js";
import { type IceConnectionOptions } from "../node/ice-connection.js";
import { RemoteTransport } from "./remote-transport.js";
import { JingleSessionError } from "./session-error.js";
import { answerProblem, onAbort, rejectOnEnd, whenSelected } from "./session-checks.js";
import type { SessionSecurity, SessionSecurityInfo } from "./security.js";
import {
  associateChannels,
  createConnection,
  secureChannel,
  type SessionChannel,
} from "./session-layers.js";
import { SessionBase, type JingleSessionEvents } from "./session-base.js";
import { SessionSignalling } from "./session-signalling.js";
import { TransportSwitch, type TransportFallback } from "./transport-fallback.js";
import { Trickle } from "./trickle.js";
import type { XmppClient } from "./xmpp.js";

export type { SessionState, JingleSessionEvents };
export { JingleSessionError };
export type { SessionChannel };

/** What a session needs from the plugin that owns it. */
export interface SessionContext {
  readonly xmpp: XmppClient;
  readonly self: () => string;
  /** The ICE options for a new session (XEP-0215 discovery may run first). */
  readonly ice: () => Promise<Omit<IceConnectionOptions, "role">>;
  readonly iqTimeoutMs: number;
  /** How long from the session's start until its channel must be open, in ms. */
  readonly setupTimeoutMs: number;
  readonly forget: (session: JingleSession) => void;
  /** A failure nobody awaits (a lost transport-info, a failed terminate): the plugin reports it. */
  readonly report: (error: Error) => void;
}

export class JingleSession extends SessionBase {
  private stateValue: SessionState = "pending";
  private connection: IceConnection | undefined;
  private trickle: Trickle | undefined;
  private channelPromise: Promise<SessionChannel> | undefined;
  /** Resolves once the peer's answer (session-accept) is in; at once for the responder. */
  private answered: Promise<void>;
  private onAnswered: () => void = () => undefined;
  /** Rejects with the session's end (never resolves): what every setup step races against. */
  private readonly ended: Promise<never>;
  private readonly remote = new RemoteTransport();
  private readonly setupTimer: NodeJS.Timeout;
  protected readonly signalling: SessionSignalling;
  /** A fallback to another transport (XEP-0166 §6.9), and whether the content moved. */
  private readonly switch = new TransportSwitch();
  /**
   * The offer's transport when it is not ICE-UDP (an application's `otherTransports`, e.g.
   * XEP-0261 IBB): such a session is answered with {@link acceptWith}, never with ICE.
   */
  offeredTransport: XmlElement | undefined;
  /**
   * Who sends on the content (XEP-0166 §7.3): the application's choice when we initiate (a file
   * offer is `initiator`, XEP-0234 §6.1), the offer's when we answer. Set by the plugin before
   * the first stanza.
   */
  senders: ContentSenders = "both";

  constructor(
    private readonly context: SessionContext,
    /** Session id. */
    readonly sid: string,
    /** The peer's full JID. */
    readonly peer: string,
    /** True when we sent the session-initiate. */
    readonly initiator: boolean,
    /** The content's name (matched by name, XEP-0166 §7.3). */
    readonly contentName: string,
    /**
     * Our `<description/>`: the offer (initiator) or the answer to the peer's (responder); an
     * application may change its answer until `accept()` (a file receiver asks for a range).
     */
    public localDescription: XmlElement,
    /** The peer's `<description/>` (its offer, or its answer once session-accept came). */
    public remoteDescription: XmlElement | undefined = undefined,
    /** DTLS (XEP-0320), or undefined for a plaintext session. */
    private readonly security: SessionSecurity | undefined = undefined,
    /** Data channels (SCTP over the DTLS channel), for applications that need them. */
    private readonly dataChannels: SessionDataChannels | undefined = undefined,
  ) {
    super();
    this.signalling = new SessionSignalling({
      xmpp: context.xmpp,
      peer,
      sid,
      initiator: () => (initiator ? context.self() : peer),
      iqTimeoutMs: context.iqTimeoutMs,
      report: context.report,
      state: () => this.stateValue,
      end: (reason, notifyPeer) => this.end(reason, notifyPeer),
    });
    dataChannels?.on("datachannel", (channel) => this.emit("datachannel", channel));
    this.answered = initiator
      ? new Promise((resolve) => (this.onAnswered = resolve))
      : Promise.resolve();
    this.ended = rejectOnEnd(this);
    // A session that does not open its channel in time ends (XEP-0166 reason `timeout`), so
    // that neither a silent peer nor a never-accepted offer holds a socket for ever.
    const seconds = Math.round(context.setupTimeoutMs / 100) / 10;
    this.setupTimer = setTimeout(() => {
      void this.transportFailed({
        condition: "timeout",
        text: `not connected within ${seconds} s`,
      });
    }, context.setupTimeoutMs);
    this.setupTimer.unref();
  }

  /** The application's namespace (XEP-0166 §7.3), e.g. the datagram application's. */
  get application(): string {
    return namespaceOf(this.localDescription) ?? "";
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Candidates from transport-info buffered until our ICE agent exists (capped). */
  get bufferedCandidates(): number {
    return this.remote.bufferedCandidates;
  }

  /** What DTLS negotiated (role, cipher suite, both fingerprints), once the channel is open. */
  get dtls(): SessionSecurityInfo | undefined {
    return this.security?.info;
  }

  /** The SCTP association carrying the data channels, once DTLS is up (SCTP sessions only). */
  get sctp(): SctpAssociation | undefined {
    return this.dataChannels?.association;
  }

  /** The data-channel signalling variant in use (XEP-0343 or Conversations'), once chosen. */
  get sctpVariant(): SctpVariant | undefined {
    return this.dataChannels?.variant;
  }

  /**
   * Opens a data channel (W3C `createDataChannel`) on a session whose application needs SCTP,
   * once `connect()` / `accept()` resolved. Channels the peer opens come as `datachannel`.
   * @throws {Error} on a session without data channels, or before the association exists;
   * {@link SctpError} for invalid options.
   */
  createDataChannel(label: string, init: ChannelInit = {}): DataChannel {
    if (this.dataChannels === undefined)
      throw new Error(`the application ${this.application} does not use data channels`);
    return this.dataChannels.createDataChannel(label, init);
  }

  /** The ICE connection, once the session has one. */
  get ice(): IceConnection | undefined {
    return this.connection;
  }

  // --- initiator -----------------------------------------------------------------------------

  /**
   * Sends session-initiate; resolves with the channel once ICE has selected a pair. Aborting
   * `signal` before then terminates the session (reason `cancel`).
   */
  connect(options: { readonly signal?: AbortSignal } = {}): Promise<SessionChannel> {
    this.cancelOn(options.signal);
    if (!this.initiator)
      return Promise.reject(new Error("connect() is for sessions we initiated; use accept()"));
    this.channelPromise ??= this.open("controlling", (t) => this.opening(t, "session-initiate"));
    return this.channelPromise;
  }

  // --- responder -----------------------------------------------------------------------------

  /**
   * Accepts an incoming session; resolves with the channel once ICE has selected a pair.
   * Aborting `signal` before then terminates the session (reason `cancel`).
   */
  accept(options: { readonly signal?: AbortSignal } = {}): Promise<SessionChannel> {
    this.cancelOn(options.signal);
    if (this.initiator)
      return Promise.reject(new Error("accept() is for incoming sessions; use connect()"));
    if (this.offeredTransport !== undefined)
      return Promise.reject(new Error("this offer is not ICE-UDP; its application accepts it"));
    this.channelPromise ??= this.open("controlled", (trickle) => {
      this.setState("active");
      return this.opening(trickle, "session-accept");
    });
    return this.channelPromise;
  }

  /** Terminates the session (reason `cancel`) when `signal` aborts before it ended. */
  private cancelOn(signal: AbortSignal | undefined): void {
    onAbort(signal, () => {
      if (this.stateValue !== "ended") void this.terminate("cancel", "aborted");
    });
  }

  /**
   * Sends session-initiate or session-accept with what ICE gathered so far. No answer or an
   * error ends the session: a session-initiate's never began (XEP-0166 §6.3), a refused
   * session-accept's is over (the peer is told).
   */
  private async opening(
    trickle: Trickle,
    action: "session-initiate" | "session-accept",
  ): Promise<void> {
    const accept = action === "session-accept";
    await this.announce(action, () =>
      trickle.open(
        (transport) =>
          this.signalling.send({
            action,
            ...(accept && { responder: this.context.self() }),
            contents: [this.content(transport, true)],
            ...this.groups(),
          }),
        (transport) => this.security?.decorate(transport) ?? transport,
      ),
    );
  }

  /** Runs `send` (the opening stanza); no answer or an error ends the session, see {@link opening}. */
  private async announce(action: string, send: () => Promise<void>): Promise<void> {
    const accept = action === "session-accept";
    try {
      await send();
    } catch (error) {
      const cause = (error as Error).message;
      const text = accept
        ? `${action} failed: ${cause}`
        : `${action} to ${this.peer} failed: ${cause}`;
      await this.end({ condition: "connectivity-error", text: accept ? text : cause }, accept);
      throw new JingleSessionError(text, "connectivity-error", { cause: error });
    }
  }

  /**
   * ICE restart (XEP-0176 §7, RFC 8445 §9): new credentials and candidates go to the peer in a
   * transport-info; the peer restarts too, and the current pair carries data meanwhile.
   */
  restart(): void {
    if (this.stateValue !== "ended") this.connection?.restart();
  }

  // --- from the plugin -----------------------------------------------------------------------

  /** Handles an acknowledged action from the peer (called after the ack has been sent). */
  handle(jingle: Jingle): void {
    if (this.stateValue === "ended") return;
    switch (jingle.action) {
      case "session-initiate":
      case "transport-info":
        for (const content of jingle.contents) this.remoteTransport(content);
        return;
      case "session-accept":
        this.onAccept(jingle);
        return;
      case "session-terminate":
        void this.end(jingle.reason ?? { condition: "success" }, false);
        return;
      case "transport-replace":
      case "transport-accept":
      case "transport-reject":
        // XEP-0166 §6.9–§6.11: an application with a fallback decides; we keep ICE-UDP.
        if (!this.switch.handle(jingle) && jingle.action === "transport-replace")
          this.refuse(jingle);
        return;
      default:
        return;
    }
  }

  /**
   * Lets `fallback` take over when ICE-UDP fails, and decide on the peer's transport-replace /
   * -accept / -reject (XEP-0166 §6.9–§6.11; the file transfer's move to XEP-0261 IBB).
   */
  setFallback(fallback: TransportFallback): void {
    this.switch.set(fallback);
  }

  /**
   * Accepts an incoming session whose offer is not ICE-UDP ({@link offeredTransport}) with
   * `transport` (XEP-0166 §6.4): no ICE, DTLS or SCTP; the application moves the bytes.
   * Rejects (and ends the session) if the peer refuses the session-accept.
   */
  async acceptWith(transport: XmlElement): Promise<void> {
    if (this.initiator || this.stateValue !== "pending" || this.offeredTransport === undefined)
      throw new Error("acceptWith() is for a pending incoming offer that is not ICE-UDP");
    this.switch.replace();
    clearTimeout(this.setupTimer);
    this.setState("active");
    const content = {
      creator: "initiator" as const,
      name: this.contentName,
      senders: this.senders,
    };
    const description = this.localDescription;
    const other = { kind: "other" as const, element: transport };
    await this.announce("session-accept", () =>
      this.signalling.send({
        action: "session-accept",
        responder: this.context.self(),
        contents: [{ ...content, description, transport: other }],
      }),
    );
  }

  /**
   * Closes ICE, DTLS and SCTP but keeps the session: its content moves to another transport
   * (XEP-0166 §6.9). `connect()` / `accept()`, if still setting up, reject.
   */
  async dropTransport(): Promise<void> {
    if (this.stateValue === "ended" || !this.switch.replace()) return;
    clearTimeout(this.setupTimer);
    this.trickle?.stop();
    await this.dataChannels?.close();
    await (this.security?.close() ?? this.connection?.close());
  }

  // --- internals -----------------------------------------------------------------------------

  private open(
    role: "controlling" | "controlled",
    signal: (trickle: Trickle) => Promise<void>,
  ): Promise<SessionChannel> {
    return (async () => {
      // The initiator of a data-channel session picks its variant first (peer's disco#info).
      const connection = await createConnection(this.context, this.dataChannels, role, (r) =>
        this.end(r, true),
      );
      if (this.stateValue === "ended") {
        await connection.close();
        throw new JingleSessionError("session ended", "cancel");
      }
      this.connection = connection;
      connection.on("error", (error) => this.context.report(error));
      const trickle = new Trickle(
        this.initiator ? "initiator" : "responder",
        connection,
        (transport) =>
          this.signalling.send({
            action: "transport-info",
            contents: [this.content(transport, false)],
          }),
        (error) => void this.signalling.failed(error, "transport-info"),
        this.dataChannels?.variant === "webrtc-datachannel",
      );
      this.trickle = trickle;
      // The path may fail later too (consent expired, RFC 7675): the peer may be offline.
      const selected = whenSelected(connection, () => {
        const text = "ICE failed: the peer stopped answering";
        void this.transportFailed({ condition: "connectivity-error", text });
      });
      this.remote.attach(connection);
      connection.startGathering();
      // Host candidates are trickled synchronously by startGathering: let them go out with the
      // opening stanza rather than in a transport-info of their own.
      await Promise.resolve();
      await signal(trickle);
      await this.unlessEnded(selected);
      // DTLS (XEP-0320) unless plaintext, then SCTP (RFC 8261) for data-channel sessions.
      const failed = (reason: Reason) => this.transportFailed(reason);
      const datagrams = new DatagramChannel(connection);
      const secured = secureChannel(this.security, datagrams, this.answered, failed);
      const channel = await this.unlessEnded(secured);
      await this.unlessEnded(associateChannels(this.dataChannels, this.security, failed));
      clearTimeout(this.setupTimer);
      return channel;
    })();
  }

  /** The BUNDLE group that goes with Conversations' data-channel variant, if that is in use. */
  private groups(): { groups?: ContentGroup[] } {
    const groups = this.dataChannels?.groups(this.contentName);
    return groups === undefined ? {} : { groups };
  }

  /** `step`, unless the session ends first: then the session's end, as a JingleSessionError. */
  private unlessEnded<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.ended, this.switch.replacedNow]);
  }

  /**
   * The transport failed: the fallback takes over if there is one that wants to (an active
   * session, a failure it may handle, {@link FALLBACK_CONDITIONS}); else the session ends.
   */
  private async transportFailed(reason: Reason): Promise<void> {
    if (this.stateValue === "ended" || this.switch.replaced) return;
    if (this.switch.takesOver(reason, this.stateValue === "active")) await this.dropTransport();
    else await this.end(reason, true);
  }

  /** The content: its description only in session-initiate / session-accept (XEP-0166 §7.3). */
  private content(transport: IceUdpTransport, withDescription: boolean): Content {
    return {
      creator: "initiator",
      name: this.contentName,
      senders: this.senders,
      ...(withDescription && { description: this.localDescription }),
      transport: this.dataChannels?.decorate(transport, withDescription) ?? transport,
    };
  }

  private onAccept(jingle: Jingle): void {
    const content = jingle.contents.find((c) => c.name === this.contentName);
    const problem = answerProblem(content, this.application, this.security);
    if (problem !== undefined) {
      void this.end(problem, true);
      return;
    }
    if (content?.description !== undefined) this.remoteDescription = content.description;
    this.setState("active");
    for (const c of jingle.contents) this.remoteTransport(c);
    this.onAnswered();
  }

  private remoteTransport(content: Content): void {
    if (this.switch.replaced) return;
    if (content.name !== this.contentName || content.transport?.kind !== "ice-udp") return;
    this.security?.learn(content.transport);
    this.dataChannels?.learn(content.transport);
    this.remote.take(content.transport);
  }

  private setState(state: SessionState): void {
    if (this.stateValue === state || this.stateValue === "ended") return;
    this.stateValue = state;
    this.emit("state", state);
  }

  /**
   * Ends the session: our ICE connection closes at once, the peer is told (when `notifyPeer`),
   * and `terminated` is emitted without waiting for the peer's answer.
   */
  protected async end(reason: Reason, notifyPeer: boolean): Promise<void> {
    if (this.stateValue === "ended") return;
    this.setState("ended");
    clearTimeout(this.setupTimer);
    this.trickle?.stop();
    this.context.forget(this);
    // SCTP shuts down first (within a deadline); closing DTLS then sends close_notify and
    // closes the ICE connection under it.
    const closed = (async () => {
      await this.dataChannels?.close();
      await (this.security?.close() ?? this.connection?.close());
    })();
    const told = notifyPeer ? this.signalling.terminate(reason) : undefined;
    this.emit("terminated", reason);
    await Promise.all([closed, told]);
  }
}
