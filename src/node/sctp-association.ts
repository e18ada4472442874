/**
 * Data channels over any datagram transport that carries SCTP packets — the DTLS channel in
 * WebRTC (RFC 8831 §5), or anything with `send(bytes)`, a `message` event and `close()`. Runs
 * the sans-IO `DataChannelEndpoint` with the real clock and one timer, and hands out
 * {@link DataChannel}s shaped like the W3C ones.
 */
import { EventEmitter } from "node:events";
import type { Rng } from "../common/rng.js";
import type { AssociationState, AssociationStats, CloseReason } from "../sctp/association-types.js";
import type {
  ChannelInit,
  DataChannelCounters,
  DataChannelEndpointOptions,
  DataChannelEvent,
} from "../sctp/data-channel-types.js";
import { DataChannelEndpoint } from "../sctp/data-channels.js";
import { DataChannel, type DataChannelHost } from "./data-channel.js";
import { cryptoRng } from "./rng.js";

/** The transport under the association: one SCTP packet per datagram. */
export interface DatagramTransport {
  send(data: Uint8Array): unknown;
  on(event: "message", listener: (data: Uint8Array) => void): unknown;
  off(event: "message", listener: (data: Uint8Array) => void): unknown;
  close?(): unknown;
}

/** Options of an {@link SctpAssociation}. */
export interface SctpAssociationOptions extends Omit<DataChannelEndpointOptions, "rng"> {
  /** @default the operating system's CSPRNG */
  readonly rng?: Rng;
  /** Close the transport when the association ends. @default false */
  readonly closeTransport?: boolean;
}

/** Events of an {@link SctpAssociation}. */
export interface SctpAssociationEvents {
  /** The association is established. */
  open: [];
  /** The peer opened a channel. */
  datachannel: [channel: DataChannel];
  state: [state: AssociationState];
  /** The association ended. */
  close: [reason: CloseReason, detail: string | undefined];
}

/** An SCTP association carrying data channels; see the module comment. */
export class SctpAssociation
  extends EventEmitter<SctpAssociationEvents>
  implements DataChannelHost
{
  private readonly endpoint: DataChannelEndpoint;
  private readonly channels = new Map<number, DataChannel>();
  private timer: NodeJS.Timeout | undefined;
  /** The endpoint's deadline as last polled. */
  private timerAt: number | undefined;
  /** When the armed timer fires (at or before {@link timerAt}). */
  private timerFires = Infinity;
  private driving = false;
  private again = false;
  private ended = false;
  private readonly onMessage = (data: Uint8Array): void => {
    // A plain Uint8Array view (not a Buffer), so binary messages have one type whatever the transport.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.endpoint.handlePacket(performance.now(), bytes);
    this.drive();
  };

  /** Starts the handshake at once (both WebRTC peers do, RFC 8831 §6.2). */
  constructor(
    private readonly transport: DatagramTransport,
    private readonly options: SctpAssociationOptions,
  ) {
    super();
    this.endpoint = new DataChannelEndpoint({ ...options, rng: options.rng ?? cryptoRng });
    transport.on("message", this.onMessage);
    this.endpoint.connect(performance.now());
    this.drive();
  }

  /** The association's state. */
  get state(): AssociationState {
    return this.endpoint.association.state;
  }

  /** The largest message `send` accepts: the peer's max-message-size (W3C `maxMessageSize`). */
  get maxMessageSize(): number {
    return this.options.maxSendMessageSize ?? 256 * 1024;
  }

  /** Association and channel counters. */
  stats(): AssociationStats & DataChannelCounters {
    return this.endpoint.stats();
  }

  /**
   * Creates a channel (W3C `createDataChannel`); it opens when the association is up.
   * @throws {SctpError} for invalid options, a taken id or an association that ended.
   */
  createDataChannel(label: string, init: ChannelInit = {}): DataChannel {
    const info = this.endpoint.createChannel(performance.now(), label, init);
    const channel = new DataChannel(this, info);
    this.channels.set(info.id, channel);
    // Events (such as `open` when already established) go out once the caller has the channel.
    queueMicrotask(() => this.drive());
    return channel;
  }

  /** Shuts down gracefully (RFC 9260 §9.2); resolves once the association ended. */
  async close(): Promise<void> {
    if (this.ended) return;
    const closed = new Promise<void>((resolve) => this.once("close", () => resolve()));
    this.endpoint.shutdown(performance.now());
    this.drive();
    await closed;
  }

  /** Aborts at once (RFC 9260 §9.1). */
  abort(reason?: string): void {
    this.endpoint.abort(performance.now(), reason);
    this.drive();
  }

  /** @internal */
  sendOnChannel(id: number, data: string | Uint8Array): void {
    this.endpoint.send(performance.now(), id, data);
    this.drive();
  }

  /** @internal */
  closeChannel(id: number): void {
    this.endpoint.close(performance.now(), id);
    this.drive();
  }

  /** @internal */
  bufferedAmountOf(id: number): number {
    return this.endpoint.bufferedAmount(id);
  }

  /** @internal */
  setLowThreshold(id: number, threshold: number): void {
    this.endpoint.setBufferedAmountLowThreshold(id, threshold);
  }

  /** Sends what the endpoint wants sent, dispatches its events and re-arms the timer. */
  private drive(): void {
    if (this.driving) {
      this.again = true;
      return;
    }
    this.driving = true;
    try {
      do {
        this.again = false;
        for (
          let packet = this.endpoint.pollTransmit();
          packet !== undefined;
          packet = this.endpoint.pollTransmit()
        ) {
          this.transport.send(packet);
        }
        for (
          let event = this.endpoint.pollEvent();
          event !== undefined;
          event = this.endpoint.pollEvent()
        ) {
          this.dispatch(event);
        }
      } while (this.again);
    } finally {
      this.driving = false;
    }
    this.arm();
  }

  /**
   * Keeps one timer for the endpoint's deadline. The deadline moves with nearly every packet
   * (T3-rtx restarts on each SACK, the delayed SACK comes and goes), so a timer that would fire
   * no later than the new deadline is kept instead of being cancelled and set again: when it
   * fires early it only sets itself for the deadline then current.
   */
  private arm(): void {
    const deadline = this.ended ? undefined : this.endpoint.pollTimeout();
    this.timerAt = deadline;
    if (this.ended) {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (deadline === undefined) return;
    if (this.timer !== undefined && this.timerFires <= deadline) return;
    clearTimeout(this.timer);
    this.timerFires = deadline;
    this.timer = setTimeout(this.onTimer, Math.max(0, deadline - performance.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const due = this.timerAt;
    if (due === undefined || this.ended) return;
    if (performance.now() < due) {
      this.arm();
      return;
    }
    this.endpoint.handleTimeout(performance.now());
    this.drive();
  };

  private dispatch(event: DataChannelEvent): void {
    switch (event.type) {
      case "association-state":
        this.emit("state", event.state);
        if (event.state === "established") this.emit("open");
        return;
      case "association-closed":
        this.ended = true;
        this.transport.off("message", this.onMessage);
        if (this.options.closeTransport === true) this.transport.close?.();
        this.emit("close", event.reason, event.detail);
        return;
      case "channel": {
        const channel = new DataChannel(this, event.channel);
        this.channels.set(event.channel.id, channel);
        this.emit("datachannel", channel);
        channel.emit("open");
        return;
      }
      case "open":
        this.withChannel(event.id, (channel) => channel.emit("open"));
        return;
      case "message":
        this.withChannel(event.id, (channel) => channel.emit("message", event.data));
        return;
      case "buffered-amount-low":
        this.withChannel(event.id, (channel) => channel.emit("bufferedamountlow"));
        return;
      case "closing":
        this.withChannel(event.id, (channel) => channel.emit("closing"));
        return;
      case "closed":
        this.withChannel(event.id, (channel) => {
          this.channels.delete(event.id);
          channel.emit("close");
        });
        return;
      case "error":
        this.withChannel(event.id, (channel) => {
          if (channel.listenerCount("error") > 0) channel.emit("error", event.error);
        });
        return;
    }
  }

  /** Updates the channel's view of its state, then runs `action` on it. */
  private withChannel(id: number, action: (channel: DataChannel) => void): void {
    const channel = this.channels.get(id);
    if (channel === undefined) return;
    const info = this.endpoint.channel(id);
    channel.update(info ?? { ...channelInfoOf(channel), readyState: "closed" });
    action(channel);
  }
}

function channelInfoOf(channel: DataChannel) {
  return {
    id: channel.id,
    label: channel.label,
    protocol: channel.protocol,
    ordered: channel.ordered,
    maxRetransmits: channel.maxRetransmits ?? undefined,
    maxPacketLifeTime: channel.maxPacketLifeTime ?? undefined,
    negotiated: channel.negotiated,
    priority: channel.priority,
  };
}
