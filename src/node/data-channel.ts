/**
 * A WebRTC data channel for Node, shaped like the W3C `RTCDataChannel` (attributes, `send`,
 * `close`, `bufferedAmount` and its low threshold) with EventEmitter events instead of DOM ones.
 * Created by {@link SctpAssociation.createDataChannel} or announced by its `datachannel` event;
 * the protocol work happens in the sans-IO `DataChannelEndpoint` (src/sctp/).
 */
import { EventEmitter } from "node:events";
import type { ChannelInfo, ChannelState } from "../sctp/data-channel-types.js";

/** Events of a {@link DataChannel}. */
export interface DataChannelEvents {
  open: [];
  /** A string for text messages, a Uint8Array for binary ones. */
  message: [data: string | Uint8Array];
  bufferedamountlow: [];
  closing: [];
  close: [];
  error: [error: Error];
}

/** What a channel needs from its association (kept narrow so tests can stand in for it). */
export interface DataChannelHost {
  sendOnChannel(id: number, data: string | Uint8Array): void;
  closeChannel(id: number): void;
  bufferedAmountOf(id: number): number;
  setLowThreshold(id: number, threshold: number): void;
}

/** One data channel; see the module comment. */
export class DataChannel extends EventEmitter<DataChannelEvents> {
  private info: ChannelInfo;
  private threshold = 0;

  /** @internal created by SctpAssociation */
  constructor(
    private readonly host: DataChannelHost,
    info: ChannelInfo,
  ) {
    super();
    this.info = info;
  }

  /** The label given at creation (DCEP label). */
  get label(): string {
    return this.info.label;
  }

  /** The subprotocol name (DCEP protocol), "" when none. */
  get protocol(): string {
    return this.info.protocol;
  }

  /** True when messages are delivered in order. */
  get ordered(): boolean {
    return this.info.ordered;
  }

  /** `null` for a channel that is not partially reliable by count (as in the W3C API). */
  get maxRetransmits(): number | null {
    return this.info.maxRetransmits ?? null;
  }

  /** `null` for a channel that is not partially reliable by time. */
  get maxPacketLifeTime(): number | null {
    return this.info.maxPacketLifeTime ?? null;
  }

  /** True for a channel agreed out of band (no DCEP). */
  get negotiated(): boolean {
    return this.info.negotiated;
  }

  /** The SCTP stream id. */
  get id(): number {
    return this.info.id;
  }

  /** RFC 8832 §5.1 priority (256 = normal). */
  get priority(): number {
    return this.info.priority;
  }

  /** `connecting`, `open`, `closing` or `closed`, as in the W3C API. */
  get readyState(): ChannelState {
    return this.info.readyState;
  }

  /** Bytes queued by `send` and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.info.readyState === "closed" ? 0 : this.host.bufferedAmountOf(this.info.id);
  }

  /** `bufferedamountlow` fires when `bufferedAmount` falls from above this to at or below it. */
  get bufferedAmountLowThreshold(): number {
    return this.threshold;
  }

  set bufferedAmountLowThreshold(value: number) {
    this.threshold = Math.max(0, Math.floor(value));
    this.host.setLowThreshold(this.info.id, this.threshold);
  }

  /**
   * Sends a text (string) or binary (Uint8Array) message.
   * @throws {SctpError} `not-open` unless the channel is open, `message-too-large` above the
   * peer's max-message-size, `send-queue-full` when the association's send queue is full.
   */
  send(data: string | Uint8Array): void {
    this.host.sendOnChannel(this.info.id, data);
  }

  /** Closes the channel once its queued messages are sent (RFC 8831 §6.7). */
  close(): void {
    this.host.closeChannel(this.info.id);
  }

  /** @internal the association reports a new state of the channel */
  update(info: ChannelInfo): void {
    this.info = info;
  }
}
