/**
 * What the plugin and applications ask of a {@link JingleSession} besides setting it up (which
 * `session.ts` does): session-info and pings (XEP-0166 §6.8), the endings the plugin decides
 * (peer gone, signalling lost, a lost tie-break), refusing a change, sending one of the
 * session's actions, terminating it.
 */
import { EventEmitter } from "node:events";
import type { SessionState } from "../jingle/dispatch.js";
import type { Jingle, Reason, ReasonCondition } from "../jingle/model.js";
import type { XmlElement } from "../jingle/xml.js";
import type { DataChannel } from "../node/data-channel.js";
import type { OutgoingJingle, SessionSignalling } from "./session-signalling.js";

/** Events of a {@link JingleSession}. */
export interface JingleSessionEvents {
  state: [state: SessionState];
  /** The session ended; `reason` is the peer's or ours. */
  terminated: [reason: Reason];
  /** The peer opened a data channel (sessions whose application needs SCTP). */
  datachannel: [channel: DataChannel];
}

/** The part of a session that is only signalling; see the module comment. */
export abstract class SessionBase extends EventEmitter<JingleSessionEvents> {
  /** The peer's full JID. */
  abstract readonly peer: string;
  protected abstract readonly signalling: SessionSignalling;
  /** Ends the session; `notifyPeer` sends a session-terminate. */
  protected abstract end(reason: Reason, notifyPeer: boolean): Promise<void>;

  /** Ends the session (session-terminate, XEP-0166 §6.7) and closes the channel. */
  async terminate(condition: ReasonCondition = "success", text?: string): Promise<void> {
    await this.end(text === undefined ? { condition } : { condition, text }, true);
  }

  /** The peer's resource went offline (unavailable presence): the session is over. */
  peerGone(): void {
    void this.end({ condition: "gone", text: `${this.peer} went offline` }, false);
  }

  /**
   * Pings the peer with an empty session-info (XEP-0166 §6.8), e.g. once our XMPP stream is back
   * after an outage. An answer saying the peer is gone ends the session (`gone`).
   */
  ping(): Promise<void> {
    return this.signalling.ping();
  }

  /**
   * Sends a session-info with `payload` (XEP-0166 §6.8; e.g. XEP-0234 `<checksum/>`). A bounce
   * saying the peer is gone ends the session (`gone`); other failures are reported to the
   * plugin's `error`. Never rejects.
   */
  sendInfo(payload: XmlElement): Promise<void> {
    return this.signalling.info([payload], "session-info");
  }

  /**
   * Our XMPP stream is back after an outage (docs/plugin.md, "Faults"): pings the peer until it
   * answers, for up to `windowMs` (its stream may come back after ours); a peer still gone then
   * ends the session (`gone`).
   */
  resume(windowMs: number): Promise<void> {
    return this.signalling.resume(windowMs);
  }

  /** Our XMPP stream stayed down (docs/plugin.md, "Faults"): ends without telling the peer. */
  signallingLost(reason: Reason): void {
    void this.end(reason, false);
  }

  /** Drops our pending session without telling the peer (it lost a tie-break). */
  abandon(text: string): void {
    void this.end({ condition: "alternative-session", text }, false);
  }

  /** Refuses a content-add or transport-replace (we keep one ICE-UDP content per session). */
  refuse(jingle: Jingle): void {
    this.signalling.refuse(jingle);
  }

  /**
   * Sends one of this session's actions (e.g. transport-replace, transport-accept); resolves
   * once the peer acknowledged it, rejects with the IQ's error.
   */
  sendAction(jingle: OutgoingJingle): Promise<void> {
    return this.signalling.send(jingle);
  }
}
