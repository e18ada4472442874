/**
 * A file transfer's move to In-Band Bytestreams when ICE-UDP fails (XEP-0261 §3, XEP-0166
 * §6.9–§6.11), and the same move when the peer asks for it (Conversations does, in both roles).
 * docs/file-transfer.md, "IBB fallback", has the rules:
 *
 * - The sender (we only send as the initiator) replaces the transport: transport-replace with an
 *   IBB `<transport/>`; on the peer's transport-accept it opens the stream (XEP-0047 §2.1) and
 *   the transfer runs over it from the first byte. A transport-reject, an error or no answer in
 *   {@link ACCEPT_TIMEOUT_MS} ends the session with the original failure.
 * - The receiver whose transport failed waits {@link REPLACE_WAIT_MS} for the sender's
 *   transport-replace, then ends the session with its failure.
 * - A transport-replace from the peer is accepted (block-size lowered to ours if larger) unless
 *   the data channel already carries the file or a replace of ours is pending (then it is
 *   rejected: one replace at a time, ours first).
 */
import { randomBytes } from "node:crypto";
import type { Jingle, Reason } from "../jingle/model.js";
import { IbbError } from "../jingle/file-transfer-errors.js";
import { IBB_DEFAULT_BLOCK_SIZE } from "../jingle/ibb.js";
import {
  acceptIbbTransport,
  buildIbbTransport,
  parseIbbTransport,
  type IbbTransport,
} from "../jingle/ibb-transport.js";
import type { XmlElement } from "../jingle/xml.js";
import { IbbReceiveChannel, IbbSendChannel } from "./ibb-channel.js";
import type { IbbStreams } from "./ibb-streams.js";
import type { JingleSession } from "./session.js";
import type { TransportFallback } from "./transport-fallback.js";

/** How long the peer has to answer our transport-replace (transport-accept / -reject), in ms. */
export const ACCEPT_TIMEOUT_MS = 30_000;
/** How long a receiver whose transport failed waits for the sender's transport-replace, in ms. */
export const REPLACE_WAIT_MS = 15_000;
/** The largest block-size we accept from a peer's transport-replace (XEP-0261 §2 lets us lower it). */
export const IBB_ACCEPT_MAX_BLOCK_SIZE = 16_384;

/** What a fallback needs from the plugin. */
export interface FallbackHost {
  readonly streams: IbbStreams;
  /** Runs `work` after the current IQ's answer has left. */
  readonly defer: (work: () => void) => void;
  /** Sends an IQ set with `payload` to `peer`; resolves on its result, rejects on its error. */
  readonly request: (peer: string, payload: XmlElement) => Promise<unknown>;
  /** Deadline of each IBB IQ, in ms. */
  readonly iqTimeoutMs: number;
}

/** The IBB channel a transfer moved to. */
export type IbbChannel = IbbSendChannel | IbbReceiveChannel;

/** One transfer's fallback; see the module comment. */
export class FileFallback implements TransportFallback {
  private activeValue = false;
  /** The data channel carried the transfer: too late to move it. */
  private committed = false;
  private pending: IbbTransport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: Reason = { condition: "failed-transport" };
  private stream: IbbChannel | undefined;
  private unroute: (() => void) | undefined;
  private resolveChannel: (channel: IbbChannel | undefined) => void = () => undefined;
  /** The IBB channel once it is open, or undefined if the session ended first. */
  readonly channel: Promise<IbbChannel | undefined>;

  constructor(
    private readonly session: JingleSession,
    private readonly host: FallbackHost,
    /** The file's bytes still to move (a clean close before them is a lost stream). */
    private readonly expected: number,
  ) {
    this.channel = new Promise((resolve) => (this.resolveChannel = resolve));
    session.once("terminated", () => this.dispose());
    session.setFallback(this);
  }

  /** True once the transfer is moving (or moved) to IBB. */
  get active(): boolean {
    return this.activeValue;
  }

  /** The data channel carries the transfer now: a later failure ends the session instead. */
  commit(): void {
    if (!this.activeValue) this.committed = true;
  }

  failed(reason: Reason): boolean {
    if (this.committed || this.activeValue) return false;
    this.activeValue = true;
    this.failure = reason;
    if (this.session.initiator) void this.replace();
    else this.deadline(REPLACE_WAIT_MS, `no transport-replace within ${REPLACE_WAIT_MS / 1000} s`);
    return true;
  }

  handle(jingle: Jingle): void {
    const content = jingle.contents.find((c) => c.name === this.session.contentName);
    const element = content?.transport?.kind === "other" ? content.transport.element : undefined;
    switch (jingle.action) {
      case "transport-replace":
        void this.onReplace(jingle, element);
        return;
      case "transport-accept":
        this.onAccept(element);
        return;
      case "transport-reject":
        if (this.pending !== undefined) void this.end("the peer rejected In-Band Bytestreams");
        return;
      default:
        return;
    }
  }

  /**
   * Takes a peer's offer made on IBB from the start (XEP-0261 §2): accepts it (block-size
   * lowered to ours if larger) and waits for the sender's stream.
   */
  async acceptOffered(element: XmlElement): Promise<void> {
    this.activeValue = true;
    const proposed = parsed(element);
    if (proposed === undefined) {
      await this.end("the offered IBB transport is malformed");
      return;
    }
    const accepted = acceptIbbTransport(proposed, IBB_ACCEPT_MAX_BLOCK_SIZE);
    const receiver = new IbbReceiveChannel(accepted, this.expected, this.host.defer);
    if (!this.route(accepted.sid, receiver)) return;
    try {
      await this.session.acceptWith(buildIbbTransport(accepted));
    } catch {
      return; // the session ended, saying why
    }
    this.ready(receiver);
  }

  // --- we replace -------------------------------------------------------------------------

  private async replace(): Promise<void> {
    const proposed = {
      sid: randomBytes(12).toString("base64url"),
      blockSize: IBB_DEFAULT_BLOCK_SIZE,
    };
    this.pending = proposed;
    this.deadline(ACCEPT_TIMEOUT_MS, "no answer to transport-replace");
    try {
      await this.session.sendAction({
        action: "transport-replace",
        contents: [this.content(proposed)],
      });
    } catch (error) {
      await this.end(`transport-replace failed: ${(error as Error).message}`);
    }
  }

  private onAccept(element: XmlElement | undefined): void {
    const proposed = this.pending;
    if (proposed === undefined || this.stream !== undefined) return;
    const accepted = parsed(element);
    if (
      accepted === undefined ||
      accepted.sid !== proposed.sid ||
      accepted.blockSize > proposed.blockSize
    ) {
      void this.end("transport-accept does not match our transport-replace");
      return;
    }
    this.pending = undefined;
    void this.openSender(accepted);
  }

  // --- the peer replaces ------------------------------------------------------------------

  private async onReplace(jingle: Jingle, element: XmlElement | undefined): Promise<void> {
    const proposed = parsed(element);
    if (
      proposed === undefined ||
      this.committed ||
      this.pending !== undefined ||
      this.stream !== undefined
    ) {
      this.session.refuse(jingle);
      return;
    }
    this.activeValue = true;
    clearTimeout(this.timer);
    await this.session.dropTransport();
    const accepted = acceptIbbTransport(proposed, IBB_ACCEPT_MAX_BLOCK_SIZE);
    let receiver: IbbReceiveChannel | undefined;
    if (!this.session.initiator) {
      // Routed before our transport-accept leaves: the sender may open at once.
      receiver = new IbbReceiveChannel(accepted, this.expected, this.host.defer);
      if (!this.route(accepted.sid, receiver)) return;
    }
    try {
      await this.session.sendAction({
        action: "transport-accept",
        contents: [this.content(accepted)],
      });
    } catch (error) {
      await this.end(`transport-accept failed: ${(error as Error).message}`);
      return;
    }
    if (receiver !== undefined) this.ready(receiver);
    else await this.openSender(accepted);
  }

  // --- the stream -------------------------------------------------------------------------

  private async openSender(transport: IbbTransport): Promise<void> {
    clearTimeout(this.timer);
    const peer = this.session.peer;
    const sender = new IbbSendChannel((payload) => this.host.request(peer, payload), transport, {
      iqTimeoutMs: this.host.iqTimeoutMs,
    });
    // The receiver may close the stream (XEP-0047 §2.3); nothing else comes to a sender.
    const closeOnly = {
      handleIq: (e: XmlElement) => {
        if (e.name !== "close")
          return { ok: false as const, error: new IbbError("bad-request", "this stream sends") };
        sender.handlePeerClose();
        return { ok: true as const };
      },
    };
    if (!this.route(transport.sid, closeOnly)) return;
    try {
      await sender.opened;
    } catch (error) {
      await this.end(`the IBB stream did not open: ${(error as Error).message}`);
      return;
    }
    this.ready(sender);
  }

  private route(sid: string, stream: { handleIq: IbbReceiveChannel["handleIq"] }): boolean {
    try {
      this.unroute = this.host.streams.add(this.session.peer, sid, stream);
      return true;
    } catch (error) {
      void this.end((error as IbbError).message);
      return false;
    }
  }

  private ready(channel: IbbChannel): void {
    if (this.session.state === "ended") {
      channel.close();
      return;
    }
    this.stream = channel;
    this.resolveChannel(channel);
  }

  private content(transport: IbbTransport) {
    return {
      creator: "initiator" as const,
      name: this.session.contentName,
      transport: { kind: "other" as const, element: buildIbbTransport(transport) },
    };
  }

  private deadline(ms: number, text: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.end(text), ms);
    this.timer.unref();
  }

  /** Ends the session with the transport's original failure, saying what went wrong after it. */
  private async end(text: string): Promise<void> {
    if (this.session.state === "ended") return;
    const original = this.failure.text === undefined ? "" : `${this.failure.text}; `;
    await this.session.terminate(this.failure.condition, `${original}${text}`);
  }

  private dispose(): void {
    clearTimeout(this.timer);
    this.unroute?.();
    this.stream?.close();
    this.resolveChannel(undefined);
  }
}

/** The IBB transport in `element`, or undefined when it is none or malformed. */
function parsed(element: XmlElement | undefined): IbbTransport | undefined {
  if (element === undefined) return undefined;
  try {
    return parseIbbTransport(element);
  } catch {
    return undefined;
  }
}
