/**
 * The ICE channel between pair selection and DTLS: the peer may start its handshake before we
 * know our DTLS role (its ClientHello can overtake its session-accept), so the datagrams that
 * arrive meanwhile are held — a few, bounded — and handed to the DTLS channel when it listens,
 * instead of being lost and costing a retransmission timeout (1 s).
 */
import type { CandidatePairInfo } from "../ice/types.js";
import type { DatagramChannel } from "../node/datagram-channel.js";
import type { DtlsChannelTransport } from "../node/dtls-channel.js";

/** How many early datagrams to hold (a DTLS flight is a handful). */
export const MAX_HELD_DATAGRAMS = 32;

type MessageListener = (data: Uint8Array) => void;
type CloseListener = () => void;

export class HeldDatagrams implements DtlsChannelTransport {
  private held: Uint8Array[] = [];
  private readonly messageListeners = new Set<MessageListener>();
  private readonly closeListeners = new Set<CloseListener>();
  /** Datagrams dropped because the hold was full. */
  dropped = 0;

  constructor(private readonly channel: DatagramChannel) {
    channel.on("message", (data) => {
      if (this.messageListeners.size > 0) for (const l of this.messageListeners) l(data);
      else if (this.held.length < MAX_HELD_DATAGRAMS) this.held.push(data);
      else this.dropped++;
    });
    channel.on("close", () => {
      for (const l of this.closeListeners) l();
    });
  }

  on(event: "message", listener: MessageListener): this;
  on(event: "close", listener: CloseListener): this;
  on(event: "message" | "close", listener: MessageListener | CloseListener): this {
    if (event === "close") {
      this.closeListeners.add(listener as CloseListener);
      return this;
    }
    this.messageListeners.add(listener as MessageListener);
    // The first listener gets what was held, after its caller has finished setting up.
    queueMicrotask(() => this.release());
    return this;
  }

  off(event: "message", listener: MessageListener): this;
  off(event: "close", listener: CloseListener): this;
  off(event: "message" | "close", listener: MessageListener | CloseListener): this {
    if (event === "close") this.closeListeners.delete(listener as CloseListener);
    else this.messageListeners.delete(listener as MessageListener);
    return this;
  }

  send(data: Uint8Array): boolean {
    return this.channel.send(data);
  }

  get selectedPair(): CandidatePairInfo | undefined {
    return this.channel.selectedPair;
  }

  stats(): unknown {
    return this.channel.stats();
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  private release(): void {
    const held = this.held;
    this.held = [];
    for (const data of held) for (const l of this.messageListeners) l(data);
  }
}
