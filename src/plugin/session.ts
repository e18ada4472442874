/**
 * One Jingle session (XEP-0166) with one ICE-UDP content (XEP-0176): the signalling around an
 * {@link IceConnection}. Outgoing transport-info waits until our session-initiate is acknowledged
 * (initiator) or our session-accept is sent (responder); incoming transport-info that arrives
 * before the agent exists is buffered. Candidates trickled in one drain go in one transport-info.
 */
import { EventEmitter } from "node:events";
import type { Candidate } from "../ice/types.js";
import type { Content, IceUdpTransport, Jingle, Reason, ReasonCondition } from "../jingle/model.js";
import { buildJingle } from "../jingle/build.js";
import type { SessionState } from "../jingle/dispatch.js";
import type { XmlElement } from "../jingle/xml.js";
import { DatagramChannel } from "../node/datagram-channel.js";
import { IceConnection, type IceConnectionOptions } from "../node/ice-connection.js";
import { fromJingleCandidate, iceTransport } from "./candidates.js";
import { iqSet, type XmppClient } from "./xmpp.js";

export type { SessionState };

/** A session that ended before a channel opened, or a signalling failure. */
export class JingleSessionError extends Error {
  override readonly name = "JingleSessionError";
  constructor(
    message: string,
    readonly reason: ReasonCondition,
  ) {
    super(message);
  }
}

/** Events of a {@link JingleSession}. */
export interface JingleSessionEvents {
  state: [state: SessionState];
  /** The session ended; `reason` is the peer's or ours. */
  terminated: [reason: Reason];
}

/** What a session needs from the plugin that owns it. */
export interface SessionContext {
  readonly xmpp: XmppClient;
  readonly self: () => string;
  /** The ICE options for a new session (XEP-0215 discovery may run first). */
  readonly ice: () => Promise<Omit<IceConnectionOptions, "role">>;
  readonly iqTimeout: number;
  readonly forget: (session: JingleSession) => void;
}

export class JingleSession extends EventEmitter<JingleSessionEvents> {
  /** The application description of the content (opaque to us, XEP-0166 §7.3). */
  description: XmlElement | undefined;
  private stateValue: SessionState = "pending";
  private connection: IceConnection | undefined;
  private channelPromise: Promise<DatagramChannel> | undefined;
  private readonly buffered: IceUdpTransport[] = [];
  private canTrickle = false;
  private outbox: Candidate[] = [];
  private outboxScheduled = false;
  /** End-of-candidates still to announce (after gathering completes, again after a restart). */
  private endPending = false;

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
  ) {
    super();
  }

  get state(): SessionState {
    return this.stateValue;
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
  connect(options: { readonly signal?: AbortSignal } = {}): Promise<DatagramChannel> {
    this.watch(options.signal);
    if (!this.initiator)
      return Promise.reject(new Error("connect() is for sessions we initiated; use accept()"));
    this.channelPromise ??= this.open("controlling", async (connection) => {
      const transport = iceTransport(
        connection.localCredentials.ufrag,
        connection.localCredentials.pwd,
        this.takeOutbox(),
      );
      try {
        await this.sendJingle({
          action: "session-initiate",
          sid: this.sid,
          initiator: this.context.self(),
          contents: [this.content(transport)],
        });
      } catch (error) {
        // XEP-0166 §6.3 / DESIGN.md §4: no answer to session-initiate is a connectivity error.
        await this.end({ condition: "connectivity-error", text: (error as Error).message }, false);
        throw new JingleSessionError(
          `session-initiate to ${this.peer} failed: ${(error as Error).message}`,
          "connectivity-error",
        );
      }
      this.enableTrickle();
    });
    return this.channelPromise;
  }

  // --- responder -----------------------------------------------------------------------------

  /**
   * Accepts an incoming session; resolves with the channel once ICE has selected a pair.
   * Aborting `signal` before then terminates the session (reason `cancel`).
   */
  accept(options: { readonly signal?: AbortSignal } = {}): Promise<DatagramChannel> {
    this.watch(options.signal);
    if (this.initiator)
      return Promise.reject(new Error("accept() is for incoming sessions; use connect()"));
    this.channelPromise ??= this.open("controlled", async (connection) => {
      const transport = iceTransport(
        connection.localCredentials.ufrag,
        connection.localCredentials.pwd,
        this.takeOutbox(),
      );
      this.setState("active");
      this.enableTrickle();
      await this.sendJingle({
        action: "session-accept",
        sid: this.sid,
        initiator: this.peer,
        responder: this.context.self(),
        contents: [this.content(transport)],
      }).catch(() => undefined);
    });
    return this.channelPromise;
  }

  /**
   * ICE restart (XEP-0176 §7, RFC 8445 §9): new credentials and candidates go to the peer in a
   * transport-info; the peer restarts too, and the current pair carries data meanwhile.
   */
  restart(): void {
    if (this.stateValue !== "ended") this.connection?.restart();
  }

  /** Terminates the session when `signal` aborts before the channel is open. */
  private watch(signal: AbortSignal | undefined): void {
    if (signal === undefined) return;
    const abort = (): void => {
      if (this.stateValue !== "ended") void this.terminate("cancel", "aborted");
    };
    if (signal.aborted) queueMicrotask(abort);
    else signal.addEventListener("abort", abort, { once: true });
  }

  /** Ends the session (session-terminate, XEP-0166 §6.7) and closes the channel. */
  async terminate(condition: ReasonCondition = "success", text?: string): Promise<void> {
    await this.end(text === undefined ? { condition } : { condition, text }, true);
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
        this.setState("active");
        for (const content of jingle.contents) this.remoteTransport(content);
        return;
      case "session-terminate":
        void this.end(jingle.reason ?? { condition: "success" }, false);
        return;
      default:
        return;
    }
  }

  /** The peer's resource went offline (unavailable presence): the session is over. */
  peerGone(): void {
    void this.end({ condition: "gone", text: `${this.peer} went offline` }, false);
  }

  /** Drops our pending session without telling the peer (it lost a tie-break, DESIGN.md §4). */
  abandon(text: string): void {
    void this.end({ condition: "alternative-session", text }, false);
  }

  /** Refuses a content-add or transport-replace (we keep one ICE-UDP content per session). */
  refuse(jingle: Jingle): void {
    if (this.stateValue === "ended") return;
    const action = jingle.action === "content-add" ? "content-reject" : "transport-reject";
    void this.sendJingle({
      action,
      sid: this.sid,
      initiator: this.initiator ? this.context.self() : this.peer,
      contents: jingle.contents.map((c) => ({ creator: c.creator, name: c.name })),
    }).catch(() => undefined);
  }

  // --- internals -----------------------------------------------------------------------------

  private open(
    role: "controlling" | "controlled",
    signal: (connection: IceConnection) => Promise<void>,
  ): Promise<DatagramChannel> {
    return (async () => {
      const connection = await IceConnection.create({ ...(await this.context.ice()), role });
      this.connection = connection;
      connection.on("local-candidate", (candidate) => this.queueCandidate(candidate));
      connection.on("gathering-complete", () => {
        this.endPending = true;
        this.queueCandidate(undefined);
      });
      connection.on("local-credentials", () => this.queueCandidate(undefined));
      const selected = new Promise<void>((resolve, reject) => {
        connection.once("selected-pair", () => resolve());
        connection.on("agent-state", (state) => {
          if (state !== "failed") return;
          reject(
            new JingleSessionError("ICE failed: no candidate pair works", "connectivity-error"),
          );
          // Also after the channel opened: the path is gone (consent expired, RFC 7675), so is
          // the session — the peer may be offline; say so clearly.
          void this.end(
            { condition: "connectivity-error", text: "ICE failed: the peer stopped answering" },
            true,
          );
        });
        this.once("terminated", (reason) =>
          reject(new JingleSessionError(`session ended: ${reason.condition}`, reason.condition)),
        );
      });
      // Observed now so that a failure while signalling (which rejects `open` first) is not
      // left as an unhandled rejection; `await selected` below still sees it.
      selected.catch(() => undefined);
      for (const transport of this.buffered.splice(0)) this.applyTransport(transport);
      connection.startGathering();
      // Host candidates are trickled synchronously by startGathering: let them go out with the
      // first message rather than in a transport-info of their own.
      await Promise.resolve();
      await signal(connection);
      await selected;
      return new DatagramChannel(connection);
    })();
  }

  private content(transport: IceUdpTransport): Content {
    return {
      creator: "initiator",
      name: this.contentName,
      senders: "both",
      ...(this.description === undefined ? {} : { description: this.description }),
      transport,
    };
  }

  private remoteTransport(content: Content): void {
    if (content.name !== this.contentName || content.transport?.kind !== "ice-udp") return;
    if (this.connection === undefined) this.buffered.push(content.transport);
    else this.applyTransport(content.transport);
  }

  private applyTransport(transport: IceUdpTransport): void {
    const connection = this.connection!;
    if (transport.ufrag !== undefined && transport.pwd !== undefined) {
      // New credentials on a known content mean an ICE restart (DESIGN.md §4); the agent
      // answers it with a restart of its own, whose credentials we then trickle.
      connection.setRemoteCredentials(transport.ufrag, transport.pwd);
    }
    for (const candidate of transport.candidates)
      connection.addRemoteCandidate(fromJingleCandidate(candidate));
    if (transport.gatheringComplete) connection.endOfRemoteCandidates();
  }

  /** Collects candidates trickled in one drain; sends them in one transport-info. */
  private queueCandidate(candidate: Candidate | undefined): void {
    if (candidate !== undefined) this.outbox.push(candidate);
    if (!this.canTrickle || this.outboxScheduled) return;
    this.outboxScheduled = true;
    queueMicrotask(() => {
      this.outboxScheduled = false;
      this.flushOutbox();
    });
  }

  private enableTrickle(): void {
    this.canTrickle = true;
    this.flushOutbox();
  }

  private takeOutbox(): Candidate[] {
    return this.outbox.splice(0);
  }

  private flushOutbox(): void {
    const connection = this.connection;
    if (connection === undefined || this.stateValue === "ended") return;
    const candidates = this.takeOutbox();
    if (candidates.length === 0 && !this.endPending) return;
    const { ufrag, pwd } = connection.localCredentials;
    const done = this.endPending;
    this.endPending = false;
    void this.sendJingle({
      action: "transport-info",
      sid: this.sid,
      initiator: this.initiator ? this.context.self() : this.peer,
      contents: [this.content(iceTransport(ufrag, pwd, candidates, done))],
    }).catch(() => undefined);
  }

  private async sendJingle(jingle: Jingle): Promise<void> {
    await this.context.xmpp.iqCaller.request(
      iqSet(this.peer, buildJingle(jingle)),
      this.context.iqTimeout,
    );
  }

  private setState(state: SessionState): void {
    if (this.stateValue === state || this.stateValue === "ended") return;
    this.stateValue = state;
    this.emit("state", state);
  }

  private async end(reason: Reason, notifyPeer: boolean): Promise<void> {
    if (this.stateValue === "ended") return;
    this.setState("ended");
    this.context.forget(this);
    if (notifyPeer) {
      await this.sendJingle({
        action: "session-terminate",
        sid: this.sid,
        initiator: this.initiator ? this.context.self() : this.peer,
        contents: [],
        reason,
      }).catch(() => undefined);
    }
    this.emit("terminated", reason);
    await this.connection?.close();
  }
}
