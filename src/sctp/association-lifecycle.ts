/**
 * The life of an association (see `association.ts`): the handshake with a signed state cookie
 * (RFC 9260 §5.1), INIT collisions (§5.2.1, §5.2.4), heartbeats (§8.3), the error counter and
 * retransmission limits (§8.1, §5.1 T1-init), ABORT (§9.1) and the SHUTDOWN sequence (§9.2).
 */
import { utf8Encode, writeU32 } from "../common/bytes.js";
import { randomBytes } from "../common/rng.js";
import { AssociationBase, type Negotiated, type ResendTimer } from "./association-base.js";
import type {
  Chunk,
  CookieEchoChunk,
  HeartbeatChunk,
  InitChunk,
  ShutdownChunk,
  Tlv,
} from "./chunk-types.js";
import { CauseCode, ChunkType, ParamType } from "./chunk-types.js";
import { encodeCookie, verifyCookie } from "./cookie.js";
import { SctpError } from "./errors.js";
import { cookieAction, initAcceptable, localInitParams, readPeerInit } from "./handshake.js";

/** Handshake, heartbeat, abort and shutdown steps of an association. */
export abstract class AssociationLifecycle extends AssociationBase {
  /** Starts the handshake: sends INIT (§5.1 A). In WebRTC both sides call it (RFC 8831 §6.2). */
  connect(now: number): void {
    if (this.ended || this.stateValue !== "closed") {
      throw new SctpError("closed", `connect() in state ${this.stateValue}`);
    }
    const init: InitChunk = {
      type: ChunkType.INIT,
      initiateTag: this.localTag,
      aRwnd: this.options.receiveWindow,
      outboundStreams: this.options.streams,
      inboundStreams: this.options.streams,
      initialTsn: this.localInitialTsn,
      params: localInitParams,
    };
    this.setState("cookie-wait");
    this.t1 = { deadline: now + this.rto.rto, chunk: init, tag: 0, count: 0 };
    this.sendNow(0, [init]);
  }

  protected sendAbort(code: number, text: string): void {
    const peer = this.negotiated;
    if (peer === undefined) return;
    const cause: Tlv = { type: code, value: utf8Encode(text.slice(0, 128)) };
    this.sendNow(peer.peerTag, [{ type: ChunkType.ABORT, reflected: false, causes: [cause] }]);
  }

  protected protocolViolation(code: number, detail: string): void {
    this.sendAbort(code, detail);
    this.end("protocol-violation", detail);
  }

  protected sendAbortCause(code: number, value: Uint8Array): void {
    const peer = this.negotiated;
    if (peer !== undefined) {
      this.sendNow(peer.peerTag, [
        { type: ChunkType.ABORT, reflected: false, causes: [{ type: code, value }] },
      ]);
    }
  }

  /** INIT (§5.1 B, §5.2.1–5.2.2). */
  protected handleInit(now: number, init: InitChunk): void {
    const state = this.stateValue;
    if (!initAcceptable(init)) {
      this.counters.droppedMalformed++;
      return;
    }
    if (!(state === "closed" || state === "cookie-wait" || state === "cookie-echoed")) {
      // An INIT once established would be a restart (§5.2.2): not supported, dropped.
      this.counters.droppedUnexpected++;
      return;
    }
    const peer = readPeerInit(init);
    const streams = this.options.streams;
    const cookie = encodeCookie(
      {
        localTag: this.localTag,
        localInitialTsn: this.localInitialTsn,
        peerTag: peer.tag,
        peerInitialTsn: peer.initialTsn,
        peerRwnd: peer.aRwnd,
        outboundStreams: Math.min(streams, peer.inboundStreams),
        inboundStreams: Math.min(streams, peer.outboundStreams),
        peerForwardTsn: peer.forwardTsn,
        peerReconfig: peer.reconfig,
        createdAt: now,
      },
      this.cookieKey,
    );
    // §5.2.1: in COOKIE-WAIT/ECHOED the INIT ACK repeats our INIT's tag and TSN (ours never change).
    const initAck: InitChunk = {
      type: ChunkType.INIT_ACK,
      initiateTag: this.localTag,
      aRwnd: this.options.receiveWindow,
      outboundStreams: streams,
      inboundStreams: streams,
      initialTsn: this.localInitialTsn,
      params: [...localInitParams, { type: ParamType.STATE_COOKIE, value: cookie }],
    };
    this.sendNow(peer.tag, [initAck]);
  }

  /** INIT ACK (§5.1 C). */
  protected handleInitAck(now: number, ack: InitChunk): void {
    if (this.stateValue !== "cookie-wait") {
      this.counters.droppedUnexpected++;
      return;
    }
    const peer = readPeerInit(ack);
    if (!initAcceptable(ack) || peer.cookie === undefined) {
      this.counters.droppedMalformed++;
      return;
    }
    this.setUp({
      peerTag: peer.tag,
      peerInitialTsn: peer.initialTsn,
      peerRwnd: peer.aRwnd,
      outboundStreams: Math.min(this.options.streams, peer.inboundStreams),
      inboundStreams: Math.min(this.options.streams, peer.outboundStreams),
      forwardTsn: peer.forwardTsn,
      reconfig: peer.reconfig,
    });
    const echo: CookieEchoChunk = { type: ChunkType.COOKIE_ECHO, cookie: peer.cookie };
    this.setState("cookie-echoed");
    this.t1 = { deadline: now + this.rto.rto, chunk: echo, tag: peer.tag, count: 0 };
    this.control.push(echo);
  }

  /** COOKIE ECHO (§5.1 D, §5.2.4). */
  protected handleCookieEcho(now: number, chunk: CookieEchoChunk, tag: number): void {
    const cookie = verifyCookie(chunk.cookie, this.cookieKey);
    if (cookie === undefined || cookie.localTag !== this.localTag || tag !== this.localTag) {
      this.counters.droppedCookie++;
      return;
    }
    const age = now - cookie.createdAt;
    if (age < 0 || age > this.options.cookieLifetimeMs) {
      // §5.2.6: a stale cookie is answered with ERROR (Stale Cookie, staleness in µs).
      this.counters.droppedCookie++;
      const staleness = new Uint8Array(4);
      writeU32(
        staleness,
        0,
        Math.min(0xffffffff, Math.max(0, Math.round((age - this.options.cookieLifetimeMs) * 1000))),
      );
      this.sendNow(cookie.peerTag, [
        {
          type: ChunkType.ERROR,
          reflected: false,
          causes: [{ type: CauseCode.STALE_COOKIE, value: staleness }],
        },
      ]);
      return;
    }
    const established = !(
      this.stateValue === "closed" ||
      this.stateValue === "cookie-wait" ||
      this.stateValue === "cookie-echoed"
    );
    const action = cookieAction(established, this.negotiated?.peerTag, cookie.peerTag);
    if (action === "discard") {
      this.counters.droppedUnexpected++;
      return;
    }
    if (action === "setup") {
      const negotiated: Negotiated = {
        peerTag: cookie.peerTag,
        peerInitialTsn: cookie.peerInitialTsn,
        peerRwnd: cookie.peerRwnd,
        outboundStreams: cookie.outboundStreams,
        inboundStreams: cookie.inboundStreams,
        forwardTsn: cookie.peerForwardTsn,
        reconfig: cookie.peerReconfig,
      };
      this.setUp(negotiated);
    }
    if (!established) this.establish(now);
    this.control.push({ type: ChunkType.COOKIE_ACK, reflected: false });
  }

  protected handleHeartbeat(chunk: HeartbeatChunk): void {
    if (this.negotiated === undefined || chunk.info.length > this.options.mtu - 32) {
      this.counters.droppedUnexpected++;
      return;
    }
    this.control.push({ type: ChunkType.HEARTBEAT_ACK, info: chunk.info });
  }

  protected handleHeartbeatAck(now: number, chunk: HeartbeatChunk): void {
    const sent = this.heartbeatInfo;
    if (
      sent === undefined ||
      chunk.info.length !== sent.length ||
      !chunk.info.every((b, i) => b === sent[i])
    ) {
      this.counters.droppedUnexpected++;
      return;
    }
    const sentAt = new DataView(sent.buffer, sent.byteOffset, sent.byteLength).getFloat64(0);
    this.heartbeatInfo = undefined;
    this.errorCount = 0;
    this.rto.measure(now - sentAt);
  }

  /** SHUTDOWN (§9.2). */
  protected handleShutdown(now: number, chunk: ShutdownChunk): void {
    const receiver = this.receiver;
    const state = this.stateValue;
    if (receiver === undefined || state === "cookie-echoed" || state === "cookie-wait") {
      this.counters.droppedUnexpected++;
      return;
    }
    // The cumulative TSN ack in SHUTDOWN acknowledges data like a SACK without gaps.
    this.sender.handleSack(now, {
      type: ChunkType.SACK,
      cumulativeTsnAck: chunk.cumulativeTsnAck,
      aRwnd: this.sender.peerRwnd + this.sender.outstanding.outstandingBytes,
      gapBlocks: [],
      duplicateTsns: [],
    });
    if (state === "established" || state === "shutdown-pending") this.setState("shutdown-received");
    else if (state === "shutdown-sent") {
      // §9.2: both sides shut down at once.
      this.sendShutdownAck(now);
    }
  }

  protected handleShutdownAck(): void {
    const state = this.stateValue;
    if (
      (state === "shutdown-sent" || state === "shutdown-ack-sent") &&
      this.negotiated !== undefined
    ) {
      this.sendNow(this.negotiated.peerTag, [
        { type: ChunkType.SHUTDOWN_COMPLETE, reflected: false },
      ]);
      this.end("shutdown");
    } else {
      this.counters.droppedUnexpected++;
    }
  }

  protected sendShutdownAck(now: number): void {
    this.setState("shutdown-ack-sent");
    const ack: Chunk = { type: ChunkType.SHUTDOWN_ACK, reflected: false };
    this.t2 = { deadline: now + this.rto.rto, chunk: ack, tag: this.negotiated!.peerTag, count: 0 };
    this.control.push(ack);
  }

  /** Moves the shutdown along once everything sent is acknowledged (§9.2). */
  protected beforeFlush(now: number): void {
    if (!this.sender.idle || this.receiver === undefined || this.negotiated === undefined) return;
    if (this.stateValue === "shutdown-pending") {
      const shutdown: ShutdownChunk = {
        type: ChunkType.SHUTDOWN,
        cumulativeTsnAck: this.receiver.tracker.cumulativeTsn,
      };
      this.setState("shutdown-sent");
      this.t2 = {
        deadline: now + this.rto.rto,
        chunk: shutdown,
        tag: this.negotiated.peerTag,
        count: 0,
      };
      this.control.push(shutdown);
    } else if (this.stateValue === "shutdown-received") {
      this.sendShutdownAck(now);
    }
  }

  /** Resends a T1/T2 chunk with a doubled RTO; false when out of attempts (the association ended). */
  protected resend(now: number, timer: ResendTimer, limit: number): boolean {
    if (++timer.count > limit) {
      this.sendAbort(CauseCode.USER_INITIATED_ABORT, "retransmission limit");
      this.end("timeout", `${describeChunk(timer.chunk)} unanswered`);
      return false;
    }
    this.rto.backOff();
    timer.deadline = now + this.rto.rto;
    this.sendNow(timer.tag, [timer.chunk]);
    return true;
  }

  /** Counts a timeout against Association.Max.Retrans (§8.1); false when the association ended. */
  protected countError(): boolean {
    if (++this.errorCount > this.options.maxRetransmits) {
      this.sendAbort(CauseCode.USER_INITIATED_ABORT, "retransmission limit");
      this.end("timeout", "peer unreachable");
      return false;
    }
    return true;
  }

  protected sendHeartbeat(now: number): void {
    const info = new Uint8Array(16);
    new DataView(info.buffer).setFloat64(0, now);
    info.set(randomBytes(this.options.rng, 8), 8);
    this.heartbeatInfo = info;
    this.counters.heartbeatsSent++;
    this.control.push({ type: ChunkType.HEARTBEAT, info });
    this.armHeartbeat(now);
  }
}

function describeChunk(chunk: Chunk): string {
  if (chunk.type === ChunkType.INIT) return "INIT";
  if (chunk.type === ChunkType.COOKIE_ECHO) return "COOKIE ECHO";
  return chunk.type === ChunkType.SHUTDOWN ? "SHUTDOWN" : "SHUTDOWN ACK";
}
