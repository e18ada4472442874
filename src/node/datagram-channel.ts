/** The application's view of one component: a datagram channel over the selected pair. */
import { EventEmitter } from "node:events";
import type { AgentStats, CandidatePairInfo } from "../ice/types.js";
import type { IceConnection } from "./ice-connection.js";

/** Events of a {@link DatagramChannel}. */
export interface DatagramChannelEvents {
  message: [data: Uint8Array];
  close: [];
}

/**
 * A datagram channel on one component of an {@link IceConnection}: `send`, a `message` event,
 * the selected pair and the counters. Closing the channel closes the connection.
 */
export class DatagramChannel extends EventEmitter<DatagramChannelEvents> {
  private closed = false;
  private readonly detach: () => void;

  /** @throws {Error} when the component already has a channel. */
  constructor(
    private readonly connection: IceConnection,
    readonly component = 1,
  ) {
    super();
    this.detach = connection.attachReceiver(component, (data) => {
      if (!this.closed) this.emit("message", data);
    });
  }

  /** Sends one datagram; false when no validated pair exists (or the channel is closed). */
  send(data: Uint8Array): boolean {
    return !this.closed && this.connection.send(this.component, data);
  }

  /** The pair datagrams travel on, once selected. */
  get selectedPair(): CandidatePairInfo | undefined {
    return this.connection.selectedPair(this.component);
  }

  /** The agent's counters. */
  stats(): AgentStats {
    return this.connection.stats();
  }

  /** Closes the channel and its connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    await this.connection.close();
    this.emit("close");
  }
}
