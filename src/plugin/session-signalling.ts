/**
 * The stanzas one session sends to its peer, and what a failed one means: a bounce saying the
 * peer is gone ends the session with `gone` (XEP-0166 §7.4); anything else is one lost stanza,
 * reported (docs/plugin.md, "Faults").
 */
import { buildJingle } from "../jingle/build.js";
import type { SessionState } from "../jingle/dispatch.js";
import type { Jingle, Reason } from "../jingle/model.js";
import type { XmlElement } from "../jingle/xml.js";
import { reportable } from "./session-error.js";
import { awaitPeer, goneReason } from "./signalling.js";
import { iqRequest, type XmppClient } from "./xmpp.js";

/** An action for the session's peer; the session fills in `sid` and `initiator`. */
export type OutgoingJingle = Omit<Jingle, "sid" | "initiator">;

/** What {@link SessionSignalling} needs from its session. */
export interface SignallingHost {
  readonly xmpp: XmppClient;
  /** The peer's full JID. */
  readonly peer: string;
  readonly sid: string;
  /** The session initiator's full JID (ours or the peer's). */
  readonly initiator: () => string;
  readonly iqTimeoutMs: number;
  readonly report: (error: Error) => void;
  readonly state: () => SessionState;
  /** Ends the session; `notifyPeer` sends a session-terminate. */
  readonly end: (reason: Reason, notifyPeer: boolean) => Promise<void>;
}

/** The outgoing side of a session's signalling; see the module comment. */
export class SessionSignalling {
  private resuming = false;

  constructor(private readonly host: SignallingHost) {}

  /** Sends `jingle`; resolves once the peer acknowledged it, rejects with the IQ's error. */
  async send(jingle: OutgoingJingle): Promise<void> {
    const { xmpp, peer, sid, iqTimeoutMs } = this.host;
    const stanza = buildJingle({ ...jingle, sid, initiator: this.host.initiator() });
    await iqRequest(xmpp, peer, stanza, iqTimeoutMs);
  }

  /**
   * An IQ of ours to the peer failed: `service-unavailable` or `item-not-found` mean the peer is
   * gone (telling it would bounce too); anything else is reported.
   */
  async failed(error: unknown, action: string): Promise<void> {
    const gone = goneReason(error, `${action} to ${this.host.peer}`);
    if (gone === undefined) {
      if (this.host.state() !== "ended") this.host.report(reportable(error, `${action} failed`));
      return;
    }
    // After the peer's own actions that came before this answer (the plugin handles them in a
    // setImmediate): a session-terminate that crossed our IQ ends the session with its reason.
    await new Promise((resolve) => setImmediate(resolve));
    await this.host.end(gone, false);
  }

  /** An empty session-info (XEP-0166 §6.8); an answer saying the peer is gone ends the session. */
  async ping(): Promise<void> {
    if (this.host.state() === "ended") return;
    await this.send({ action: "session-info", contents: [] }).catch((error: unknown) =>
      this.failed(error, "session-info"),
    );
  }

  /**
   * A session-info carrying `info` (e.g. XEP-0234 `<checksum/>`); a failure is judged as any
   * other: a peer that is gone ends the session, anything else is reported. Never rejects.
   */
  async info(info: readonly XmlElement[], what: string): Promise<void> {
    if (this.host.state() === "ended") return;
    await this.send({ action: "session-info", contents: [], info }).catch((error: unknown) =>
      this.failed(error, what),
    );
  }

  /**
   * Our XMPP stream is back after an outage: pings the peer until it answers, for up to
   * `windowMs` (its stream may come back after ours); a peer still gone then ends the session.
   */
  async resume(windowMs: number): Promise<void> {
    if (this.host.state() !== "active" || this.resuming) return;
    this.resuming = true;
    try {
      const gone = await awaitPeer(
        () => this.send({ action: "session-info", contents: [] }),
        `session-info to ${this.host.peer}`,
        windowMs,
        () => this.host.state() === "active",
      );
      if (gone !== undefined) void this.host.end(gone, false);
    } catch (error) {
      this.host.report(reportable(error, "session-info failed"));
    } finally {
      this.resuming = false;
    }
  }

  /** Refuses a content-add or transport-replace (one ICE-UDP content per session). */
  refuse(jingle: Jingle): void {
    if (this.host.state() === "ended") return;
    const action = jingle.action === "content-add" ? "content-reject" : "transport-reject";
    this.send({
      action,
      contents: jingle.contents.map((c) => ({ creator: c.creator, name: c.name })),
    }).catch((error: unknown) => this.host.report(reportable(error, `${action} failed`)));
  }

  /**
   * Tells the peer the session is over (session-terminate, XEP-0166 §6.7); never rejects. An
   * answer saying the peer is gone is no failure: it ended the session too (terminates
   * crossed: `item-not-found`) or went offline (`service-unavailable`); either way the session
   * is over.
   */
  async terminate(reason: Reason): Promise<void> {
    await this.send({ action: "session-terminate", contents: [], reason }).catch(
      (error: unknown) => {
        if (goneReason(error, "session-terminate") === undefined)
          this.host.report(reportable(error, "session-terminate failed"));
      },
    );
  }
}
