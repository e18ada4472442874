/**
 * An SCTP association as WebRTC data channels use it (RFC 9260 profiled by RFC 8831 §6): single
 * homed, over any datagram transport (DTLS in WebRTC), sans-IO. Packets in through
 * {@link Association.handlePacket}, packets out through `pollTransmit()`, events through
 * `pollEvent()`, one timer through `pollTimeout()`.
 *
 * This file holds the handlers: the handshake with a signed state cookie (§5.1), INIT
 * collisions (§5.2), verification tags (§8.5), heartbeats (§8.3), the error counter (§8.1),
 * ABORT and the SHUTDOWN sequence (§9.2). Data transfer is in `sender.ts` and `receiver.ts`,
 * stream reset in `stream-reset.ts`, shared state in `association-base.ts`.
 */
import { writeU32 } from "../common/bytes.js";
import { AssociationLifecycle } from "./association-lifecycle.js";
import type { AssociationOptions, SendOptions } from "./association-types.js";
import type { Chunk, ForwardTsnChunk, ReconfigChunk, ShutdownChunk, Tlv } from "./chunk-types.js";
import { CauseCode, ChunkType } from "./chunk-types.js";
import { encodedChunkLength, writeChunk } from "./chunk-codec.js";
import { SctpDecodeError, SctpError } from "./errors.js";
import { checksumMatches, decodePacket, type Packet } from "./packet.js";

export type * from "./association-types.js";

/** One SCTP association; see the module comment. */
export class Association extends AssociationLifecycle {
  constructor(options: AssociationOptions) {
    super(options);
  }

  /**
   * Queues a user message on `streamId` with payload protocol identifier `ppid`.
   * @throws {SctpError} `closed` once shutting down or closed, `invalid-stream` for a stream
   * the peer did not grant, `message-too-large` over `maxSendMessageSize`, `invalid-argument`
   * for an empty message, `send-queue-full` past `sendQueueLimit`.
   */
  send(
    now: number,
    streamId: number,
    ppid: number,
    data: Uint8Array,
    options: SendOptions = {},
  ): void {
    const state = this.stateValue;
    if (
      this.ended ||
      !(
        state === "closed" ||
        state === "cookie-wait" ||
        state === "cookie-echoed" ||
        state === "established"
      )
    ) {
      throw new SctpError("closed", `cannot send in state ${this.ended ? "ended" : state}`);
    }
    const streams = this.negotiated?.outboundStreams ?? this.options.streams;
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= streams) {
      throw new SctpError("invalid-stream", `stream ${streamId} is outside 0–${streams - 1}`);
    }
    if (data.length > this.options.maxSendMessageSize) {
      throw new SctpError(
        "message-too-large",
        `message of ${data.length} bytes exceeds the peer's limit of ${this.options.maxSendMessageSize}`,
      );
    }
    const lifetime = options.maxPacketLifeTime;
    this.sender.enqueue({
      streamId,
      ppid: ppid >>> 0,
      data,
      unordered: options.unordered ?? false,
      maxRetransmits: options.maxRetransmits,
      expiresAt: lifetime === undefined ? undefined : now + lifetime,
      offset: 0,
      ssn: 0,
      abandoned: false,
    });
    this.flush(now);
  }

  /**
   * Resets our outgoing stream once its queued data is sent (RFC 6525 §5.1.2), as closing a
   * data channel does (RFC 8831 §6.7). Reported by `outgoing-streams-reset` (or
   * `stream-reset-failed` when the peer refuses or does not support RE-CONFIG).
   */
  resetStream(now: number, streamId: number): void {
    if (this.ended) return;
    if (this.negotiated !== undefined && !this.negotiated.reconfig) {
      this.emit({ type: "stream-reset-failed", streamIds: [streamId] });
      return;
    }
    if (this.resets === undefined) this.earlyResets.push(streamId);
    else this.resets.request(streamId);
    this.flush(now);
  }

  /** Starts a graceful shutdown (§9.2): pending data is sent and acknowledged first. */
  shutdown(now: number): void {
    if (this.ended) return;
    if (this.stateValue === "established") {
      this.setState("shutdown-pending");
      this.flush(now);
    } else if (this.stateValue === "closed") {
      this.end("shutdown");
    } else if (this.stateValue === "cookie-wait" || this.stateValue === "cookie-echoed") {
      this.abort(now, "shutdown before the association was up");
    }
  }

  /** Aborts at once (§9.1): sends ABORT with a User-Initiated Abort cause when a peer is known. */
  abort(now: number, reason = ""): void {
    void now;
    if (this.ended) return;
    this.sendAbort(CauseCode.USER_INITIATED_ABORT, reason);
    this.end("abort", reason === "" ? undefined : reason);
  }

  /** Handles one received SCTP packet. Never throws on its content: bad packets are counted. */
  handlePacket(now: number, bytes: Uint8Array): void {
    if (this.ended) return;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes.length;
    if (!checksumMatches(bytes)) {
      this.counters.droppedChecksum++;
      return;
    }
    let packet: Packet;
    try {
      packet = decodePacket(bytes, false);
    } catch (error) {
      if (!(error instanceof SctpDecodeError)) throw error;
      this.counters.droppedMalformed++;
      return;
    }
    if (
      packet.destinationPort !== this.options.localPort ||
      packet.sourcePort !== this.options.remotePort
    ) {
      this.counters.droppedPort++;
      return;
    }
    if (!this.tagAccepted(packet)) {
      this.counters.droppedVerificationTag++;
      return;
    }
    let hadData = false;
    let immediate = false;
    for (const chunk of packet.chunks) {
      if (this.ended) return;
      if (chunk.type === ChunkType.DATA) {
        hadData = true;
        immediate ||= chunk.immediate;
        if (!this.handleData(now, chunk)) return;
      } else if (!this.handleControl(now, chunk, packet.verificationTag)) break;
    }
    if (this.ended) return;
    if (hadData) this.afterData(now, immediate);
    this.flush(now);
  }

  /** The verification tag rules of §8.5.1. */
  private tagAccepted(packet: Packet): boolean {
    const chunks = packet.chunks;
    const first = chunks[0];
    if (first === undefined) return false;
    if (chunks.some((c) => c.type === ChunkType.INIT)) {
      return chunks.length === 1 && packet.verificationTag === 0;
    }
    const tag = packet.verificationTag;
    if (first.type === ChunkType.ABORT || first.type === ChunkType.SHUTDOWN_COMPLETE) {
      return first.reflected ? tag === this.negotiated?.peerTag : tag === this.localTag;
    }
    return tag === this.localTag;
  }

  /** Handles a DATA chunk; false when the association ended because of it. */
  private handleData(now: number, chunk: Chunk & { type: 0 }): boolean {
    const receiver = this.receiver;
    const state = this.stateValue;
    if (receiver === undefined || state === "shutdown-received" || state === "shutdown-ack-sent") {
      this.counters.droppedUnexpected++;
      return true;
    }
    if (chunk.userData.length === 0) {
      // §6.2: DATA without user data is answered with ABORT (No User Data).
      const cause = new Uint8Array(4);
      writeU32(cause, 0, chunk.tsn);
      this.sendAbortCause(CauseCode.NO_USER_DATA, cause);
      this.end("protocol-violation", "DATA chunk without user data");
      return false;
    }
    this.counters.dataChunksReceived++;
    if (chunk.streamId >= (this.negotiated?.inboundStreams ?? 0)) {
      // §6.5: acknowledge the TSN, report Invalid Stream Identifier, discard the data.
      receiver.tracker.observe(chunk.tsn);
      this.counters.droppedUnexpected++;
      const cause = new Uint8Array(4);
      cause[0] = chunk.streamId >>> 8;
      cause[1] = chunk.streamId & 0xff;
      this.control.push({
        type: ChunkType.ERROR,
        reflected: false,
        causes: [{ type: CauseCode.INVALID_STREAM_ID, value: cause }],
      });
      return true;
    }
    const verdict = receiver.handleData(chunk);
    if (verdict === "duplicate") this.counters.duplicateTsnsReceived++;
    else if (verdict === "over-window") this.counters.droppedOverWindow++;
    else if (verdict === "too-large") {
      this.protocolViolation(CauseCode.PROTOCOL_VIOLATION, "message over max-message-size");
      return false;
    }
    void now;
    return true;
  }

  /** After a packet with DATA: SACK scheduling, deferred resets, SHUTDOWN in SHUTDOWN-SENT. */
  private afterData(now: number, immediate: boolean): void {
    const receiver = this.receiver;
    if (receiver === undefined) return;
    const shuttingDown = this.stateValue !== "established";
    receiver.tracker.packetWithData(now, immediate || shuttingDown, this.options.delayedAckTimeMs);
    this.checkDeferredResets(receiver.tracker.cumulativeTsn);
    // §9.2: in SHUTDOWN-SENT every packet with DATA is answered with SHUTDOWN, T2 restarted.
    if (this.stateValue === "shutdown-sent" && this.t2 !== undefined) {
      const shutdown: ShutdownChunk = {
        type: ChunkType.SHUTDOWN,
        cumulativeTsnAck: receiver.tracker.cumulativeTsn,
      };
      this.t2.chunk = shutdown;
      this.t2.deadline = now + this.rto.rto;
      this.control.push(shutdown);
    }
  }

  private checkDeferredResets(cumulativeTsn: number): void {
    const performed = this.resets?.checkDeferred(cumulativeTsn) ?? [];
    if (performed.length > 0) {
      this.receiver?.resetStreams(performed);
      this.emit({ type: "incoming-streams-reset", streamIds: performed });
    }
  }

  /** Handles a control chunk; false to stop processing the packet (§3.2 unknown-chunk rules). */
  private handleControl(now: number, chunk: Chunk, tag: number): boolean {
    switch (chunk.type) {
      case ChunkType.INIT:
        this.handleInit(now, chunk);
        return true;
      case ChunkType.INIT_ACK:
        this.handleInitAck(now, chunk);
        return true;
      case ChunkType.SACK:
        if (this.receiver === undefined) this.counters.droppedUnexpected++;
        else if (this.sender.handleSack(now, chunk)) this.errorCount = 0;
        return true;
      case ChunkType.HEARTBEAT:
        this.handleHeartbeat(chunk);
        return true;
      case ChunkType.HEARTBEAT_ACK:
        this.handleHeartbeatAck(now, chunk);
        return true;
      case ChunkType.ABORT:
        this.end("peer-abort", describeCauses(chunk.causes));
        return false;
      case ChunkType.ERROR:
        // §3.3.10: not fatal by itself. A stale cookie would call for a new INIT; T1 does it.
        return true;
      case ChunkType.COOKIE_ECHO:
        this.handleCookieEcho(now, chunk, tag);
        return true;
      case ChunkType.COOKIE_ACK:
        if (this.stateValue === "cookie-echoed") this.establish(now);
        else this.counters.droppedUnexpected++;
        return true;
      case ChunkType.SHUTDOWN:
        this.handleShutdown(now, chunk);
        return true;
      case ChunkType.SHUTDOWN_ACK:
        this.handleShutdownAck();
        return true;
      case ChunkType.SHUTDOWN_COMPLETE:
        if (this.stateValue === "shutdown-ack-sent") this.end("shutdown");
        else this.counters.droppedUnexpected++;
        return false;
      case ChunkType.FORWARD_TSN:
        this.handleForwardTsn(chunk);
        return true;
      case ChunkType.RE_CONFIG:
        this.handleReconfig(now, chunk);
        return true;
      case ChunkType.DATA:
        return true;
      case "unknown":
        return this.handleUnknown(chunk);
    }
  }

  /** §3.2: the two upper bits of an unknown chunk type say whether to go on and to report. */
  private handleUnknown(chunk: Chunk & { type: "unknown" }): boolean {
    this.counters.unknownChunks++;
    const action = chunk.chunkType >> 6;
    const peer = this.negotiated;
    if ((action === 1 || action === 3) && peer !== undefined) {
      const echoed = new Uint8Array(
        encodedChunkLength({ ...chunk, value: chunk.value.subarray(0, 256) }),
      );
      writeChunk({ ...chunk, value: chunk.value.subarray(0, 256) }, echoed, 0);
      this.control.push({
        type: ChunkType.ERROR,
        reflected: false,
        causes: [{ type: CauseCode.UNRECOGNIZED_CHUNK_TYPE, value: echoed }],
      });
    }
    return action >= 2;
  }

  private handleForwardTsn(chunk: ForwardTsnChunk): void {
    const receiver = this.receiver;
    if (receiver === undefined) {
      this.counters.droppedUnexpected++;
      return;
    }
    this.counters.forwardTsnsReceived++;
    receiver.handleForwardTsn(chunk);
    // RFC 3758 §3.6: a FORWARD TSN is always answered by a SACK.
    receiver.tracker.sackPending = true;
    receiver.tracker.sackNow = true;
    this.checkDeferredResets(receiver.tracker.cumulativeTsn);
  }

  private handleReconfig(now: number, chunk: ReconfigChunk): void {
    const resets = this.resets;
    const receiver = this.receiver;
    if (resets === undefined || receiver === undefined) {
      this.counters.droppedUnexpected++;
      return;
    }
    const outcome = resets.handle(now, this.rto.rto, chunk, receiver.tracker.cumulativeTsn);
    if (outcome.reply !== undefined) this.control.push(outcome.reply);
    if (outcome.incomingReset.length > 0) {
      receiver.resetStreams(outcome.incomingReset);
      this.emit({ type: "incoming-streams-reset", streamIds: outcome.incomingReset });
    }
    if (outcome.outgoingReset.length > 0) {
      for (const id of outcome.outgoingReset) this.sender.queue.resetStreamSequence(id);
      this.emit({ type: "outgoing-streams-reset", streamIds: outcome.outgoingReset });
    }
    if (outcome.refused.length > 0)
      this.emit({ type: "stream-reset-failed", streamIds: outcome.refused });
  }

  /** Runs the timers that are due: T1, T2, T3-rtx, delayed SACK, heartbeat, RE-CONFIG. */
  handleTimeout(now: number): void {
    if (this.ended) return;
    if (this.t1 !== undefined && now >= this.t1.deadline) {
      if (!this.resend(now, this.t1, this.options.maxInitRetransmits)) return;
    }
    if (this.t2 !== undefined && now >= this.t2.deadline) {
      if (!this.resend(now, this.t2, this.options.maxRetransmits)) return;
    }
    if (this.sender.t3Deadline !== undefined && now >= this.sender.t3Deadline) {
      if (!this.countError()) return;
      this.sender.onT3Expiry(now);
    }
    const tracker = this.receiver?.tracker;
    if (tracker?.sackPending && tracker.sackDeadline !== undefined && now >= tracker.sackDeadline) {
      tracker.sackNow = true;
    }
    if (this.heartbeatDeadline !== undefined && now >= this.heartbeatDeadline) {
      if (this.heartbeatInfo !== undefined && !this.countError()) return;
      this.sendHeartbeat(now);
    }
    const resets = this.resets;
    if (resets?.deadline !== undefined && now >= resets.deadline) {
      const request = resets.onTimeout(now, this.rto.rto);
      if (request !== undefined) this.control.push(request);
    }
    this.flush(now);
  }
}

/** A short text for the causes of an ABORT. */
function describeCauses(causes: readonly Tlv[]): string | undefined {
  const first = causes[0];
  return first === undefined ? undefined : `cause ${first.type}`;
}
