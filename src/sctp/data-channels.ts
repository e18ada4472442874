/**
 * WebRTC data channels over one SCTP association (RFC 8831), opened with DCEP (RFC 8832),
 * sans-IO: the same contract as the association it wraps. Channels get stream ids by the parity
 * of our DTLS role (RFC 8832 §6), send strings and binary with the PPIDs of RFC 8831 §8 (an empty
 * message is one zero byte with PPID 56 or 57, §6.6), stay ordered until the peer's
 * DATA_CHANNEL_ACK (RFC 8832 §6), close by resetting their streams both ways (RFC 8831 §6.7),
 * and report `bufferedAmount` falling to a threshold as W3C `bufferedamountlow` does.
 */
import { Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { Association } from "./association.js";
import type { AssociationEvent, AssociationStats, SendOptions } from "./association-types.js";
import type {
  ChannelInfo,
  ChannelInit,
  ChannelState,
  DataChannelCounters,
  DataChannelEndpointOptions,
  DataChannelEvent,
  DtlsRole,
} from "./data-channel-types.js";
import { MAX_STREAM_ID, describeChannel } from "./channel-init.js";
import { Ppid, decodeDcep, encodeAck, encodeOpen } from "./dcep.js";
import { SctpDecodeError, SctpError } from "./errors.js";
import { PayloadDecoder, encodePayload } from "./payload.js";

export type * from "./data-channel-types.js";

interface Channel {
  info: ChannelInfo;
  /** Our DATA_CHANNEL_OPEN is still waiting for its ACK: send ordered (RFC 8832 §6). */
  awaitingAck: boolean;
  /** The OPEN must still be sent (created before the association was up). */
  openPending: boolean;
  outgoingReset: boolean;
  incomingReset: boolean;
  threshold: number;
  lastBuffered: number;
  /** Decodes received messages (and joins deprecated partial ones). */
  decoder: PayloadDecoder;
}

/** Data channels on one association. */
export class DataChannelEndpoint implements SansIo<Uint8Array, DataChannelEvent> {
  readonly association: Association;
  readonly role: DtlsRole;
  private readonly channels = new Map<number, Channel>();
  private readonly events = new Outbox<DataChannelEvent>(1_000_000);
  private readonly maxMessageSize: number;
  readonly counters: DataChannelCounters = {
    channelsOpened: 0,
    channelsClosed: 0,
    droppedDcep: 0,
    droppedNoChannel: 0,
    droppedPpid: 0,
    droppedOpenInUse: 0,
  };

  constructor(options: DataChannelEndpointOptions) {
    this.association = new Association(options);
    this.role = options.role;
    this.maxMessageSize = options.maxMessageSize ?? 256 * 1024;
  }

  /** Starts the association (both WebRTC peers do, RFC 8831 §6.2). */
  connect(now: number): void {
    this.association.connect(now);
    this.pump(now);
  }

  handlePacket(now: number, bytes: Uint8Array): void {
    this.association.handlePacket(now, bytes);
    this.pump(now);
  }

  handleTimeout(now: number): void {
    this.association.handleTimeout(now);
    this.pump(now);
  }

  pollTransmit(): Uint8Array | undefined {
    return this.association.pollTransmit();
  }

  pollEvent(): DataChannelEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    return this.association.pollTimeout();
  }

  /** The channel with stream id `id`. */
  channel(id: number): ChannelInfo | undefined {
    return this.channels.get(id)?.info;
  }

  /** Association and channel counters. */
  stats(): AssociationStats & DataChannelCounters {
    return { ...this.association.stats(), ...this.counters };
  }

  /**
   * Creates a channel; it opens once the association is up (with DCEP unless `negotiated`).
   * @throws {SctpError} `invalid-argument` for both reliability limits or a negotiated channel
   * without id, `stream-in-use` for a taken id, `invalid-stream` when no id is free, `closed`
   * once the association ended.
   */
  createChannel(now: number, label: string, init: ChannelInit = {}): ChannelInfo {
    if (
      this.association.state !== "closed" &&
      this.association.state !== "cookie-wait" &&
      this.association.state !== "cookie-echoed" &&
      this.association.state !== "established"
    ) {
      throw new SctpError("closed", "the association is shutting down");
    }
    const info = describeChannel(label, init, () => this.freeId());
    const id = info.id;
    if (this.channels.has(id)) throw new SctpError("stream-in-use", `stream ${id} is in use`);
    const negotiated = info.negotiated;
    this.channels.set(id, {
      info,
      awaitingAck: !negotiated,
      openPending: true,
      outgoingReset: false,
      incomingReset: false,
      threshold: 0,
      lastBuffered: 0,
      decoder: new PayloadDecoder(this.maxMessageSize),
    });
    if (this.association.state === "established") this.open(now, id);
    this.pump(now);
    return info;
  }

  /** A free stream id of our parity (RFC 8832 §6), below the negotiated stream count. */
  private freeId(): number {
    const limit = Math.min(MAX_STREAM_ID, (this.association.outboundStreams ?? 65535) - 1);
    for (let id = this.role === "client" ? 0 : 1; id <= limit; id += 2) {
      if (!this.channels.has(id)) return id;
    }
    throw new SctpError("invalid-stream", "no free stream id");
  }

  /** Sends the OPEN (or just opens a negotiated channel) once the association is up. */
  private open(now: number, id: number): void {
    const channel = this.channels.get(id);
    if (channel === undefined || !channel.openPending) return;
    channel.openPending = false;
    const streams = this.association.outboundStreams ?? 65535;
    if (id >= streams) {
      this.fail(
        id,
        new SctpError("invalid-stream", `stream ${id} is beyond the ${streams} the peer granted`),
      );
      return;
    }
    if (!channel.info.negotiated)
      this.association.send(now, id, Ppid.DCEP, encodeOpen(channel.info));
    this.setState(channel, "open");
    this.counters.channelsOpened++;
    this.events.push({ type: "open", id });
  }

  /**
   * Sends a message: a string as UTF-8 (PPID 51), bytes as binary (PPID 53), empty ones as one
   * zero byte with PPID 56/57 (RFC 8831 §6.6).
   * @throws {SctpError} `not-open` unless the channel is open, and the association's errors
   * (`message-too-large`, `send-queue-full`).
   */
  send(now: number, id: number, data: string | Uint8Array): void {
    const channel = this.channels.get(id);
    if (channel === undefined || channel.info.readyState !== "open") {
      throw new SctpError("not-open", `channel ${id} is ${channel?.info.readyState ?? "unknown"}`);
    }
    const { ppid, bytes } = encodePayload(data);
    const info = channel.info;
    const options: SendOptions = {
      unordered: !info.ordered && !channel.awaitingAck,
      ...(info.maxRetransmits === undefined ? {} : { maxRetransmits: info.maxRetransmits }),
      ...(info.maxPacketLifeTime === undefined
        ? {}
        : { maxPacketLifeTime: info.maxPacketLifeTime }),
    };
    this.association.send(now, id, ppid, bytes, options);
    channel.lastBuffered = this.association.bufferedAmount(id);
    this.pump(now);
  }

  /** Bytes of the channel queued and not yet sent. */
  bufferedAmount(id: number): number {
    return this.association.bufferedAmount(id);
  }

  /** Sets the W3C `bufferedAmountLowThreshold` of a channel. */
  setBufferedAmountLowThreshold(id: number, threshold: number): void {
    const channel = this.channels.get(id);
    if (channel !== undefined) channel.threshold = Math.max(0, threshold);
  }

  /** Closes a channel: its stream is reset once its queued data is sent (RFC 8831 §6.7). */
  close(now: number, id: number): void {
    const channel = this.channels.get(id);
    if (
      channel === undefined ||
      channel.info.readyState === "closing" ||
      channel.info.readyState === "closed"
    )
      return;
    if (channel.openPending) {
      this.finish(id);
      return;
    }
    this.setState(channel, "closing");
    this.events.push({ type: "closing", id });
    this.association.resetStream(now, id);
    this.pump(now);
  }

  /** Shuts the association down gracefully (all channels close). */
  shutdown(now: number): void {
    this.association.shutdown(now);
    this.pump(now);
  }

  /** Aborts the association. */
  abort(now: number, reason?: string): void {
    this.association.abort(now, reason);
    this.pump(now);
  }

  private setState(channel: Channel, readyState: ChannelState): void {
    channel.info = { ...channel.info, readyState };
  }

  /** Takes the association's events and turns them into channel events. */
  private pump(now: number): void {
    for (
      let event = this.association.pollEvent();
      event !== undefined;
      event = this.association.pollEvent()
    ) {
      this.handleAssociationEvent(now, event);
    }
    for (const id of this.association.takeDrainedStreams()) {
      const channel = this.channels.get(id);
      if (channel === undefined) continue;
      const amount = this.association.bufferedAmount(id);
      if (channel.lastBuffered > channel.threshold && amount <= channel.threshold) {
        this.events.push({ type: "buffered-amount-low", id });
      }
      channel.lastBuffered = amount;
    }
  }

  private handleAssociationEvent(now: number, event: AssociationEvent): void {
    switch (event.type) {
      case "state":
        this.events.push({ type: "association-state", state: event.state });
        return;
      case "established":
        for (const id of [...this.channels.keys()]) this.open(now, id);
        return;
      case "message":
        this.handleMessage(now, event.streamId, event.ppid, event.data);
        return;
      case "incoming-streams-reset":
        for (const id of event.streamIds) this.incomingReset(now, id);
        return;
      case "outgoing-streams-reset":
      case "stream-reset-failed":
        for (const id of event.streamIds) {
          const channel = this.channels.get(id);
          if (channel === undefined) continue;
          channel.outgoingReset = true;
          if (channel.incomingReset || event.type === "stream-reset-failed") this.finish(id);
        }
        return;
      case "closed":
        for (const id of [...this.channels.keys()]) this.finish(id);
        this.events.push(
          event.detail === undefined
            ? { type: "association-closed", reason: event.reason }
            : { type: "association-closed", reason: event.reason, detail: event.detail },
        );
        return;
    }
  }

  /** The peer reset its outgoing stream: close our side too (RFC 8831 §6.7). */
  private incomingReset(now: number, id: number): void {
    const channel = this.channels.get(id);
    if (channel === undefined) return;
    channel.incomingReset = true;
    if (channel.outgoingReset) {
      this.finish(id);
      return;
    }
    if (channel.info.readyState !== "closing") {
      this.setState(channel, "closing");
      this.events.push({ type: "closing", id });
      this.association.resetStream(now, id);
    }
  }

  private finish(id: number): void {
    const channel = this.channels.get(id);
    if (channel === undefined) return;
    this.channels.delete(id);
    this.setState(channel, "closed");
    this.counters.channelsClosed++;
    this.events.push({ type: "closed", id });
  }

  private fail(id: number, error: SctpError): void {
    this.events.push({ type: "error", id, error });
    this.finish(id);
  }

  private handleMessage(now: number, id: number, ppid: number, data: Uint8Array): void {
    if (ppid === Ppid.DCEP) {
      this.handleDcep(now, id, data);
      return;
    }
    const channel = this.channels.get(id);
    if (
      channel === undefined ||
      channel.info.readyState === "connecting" ||
      channel.info.readyState === "closed"
    ) {
      this.counters.droppedNoChannel++;
      return;
    }
    const result = channel.decoder.decode(ppid, data);
    if (result.kind === "message") {
      this.events.push({ type: "message", id, data: result.data });
    } else if (result.kind === "dropped") {
      this.counters.droppedPpid++;
    }
  }

  private handleDcep(now: number, id: number, data: Uint8Array): void {
    let message;
    try {
      message = decodeDcep(data);
    } catch (error) {
      if (!(error instanceof SctpDecodeError)) throw error;
      this.counters.droppedDcep++;
      return;
    }
    const existing = this.channels.get(id);
    if (message.type === "ack") {
      if (existing === undefined) this.counters.droppedDcep++;
      else existing.awaitingAck = false;
      return;
    }
    if (existing !== undefined || id > MAX_STREAM_ID) {
      this.counters.droppedOpenInUse++;
      return;
    }
    // A DATA_CHANNEL_OPEN that arrives once we are shutting down cannot be answered (RFC 9260
    // §9.2: no new data after SHUTDOWN is requested): the channel is not opened.
    if (this.association.state !== "established") {
      this.counters.droppedDcep++;
      return;
    }
    const info: ChannelInfo = {
      id,
      label: message.label,
      protocol: message.protocol,
      ordered: message.ordered,
      maxRetransmits: message.maxRetransmits,
      maxPacketLifeTime: message.maxPacketLifeTime,
      negotiated: false,
      priority: message.priority,
      readyState: "open",
    };
    this.channels.set(id, {
      info,
      awaitingAck: false,
      openPending: false,
      outgoingReset: false,
      incomingReset: false,
      threshold: 0,
      lastBuffered: 0,
      decoder: new PayloadDecoder(this.maxMessageSize),
    });
    // RFC 8832 §6: the ACK goes on the same stream, ordered and reliable.
    this.association.send(now, id, Ppid.DCEP, encodeAck());
    this.counters.channelsOpened++;
    this.events.push({ type: "channel", channel: info });
  }
}
