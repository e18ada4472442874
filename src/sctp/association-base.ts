/**
 * The state an association keeps and the machinery its handlers share (see `association.ts`
 * for the handlers): the transmission control block set up from INIT ACK or a cookie, the
 * bundling of control chunks and DATA into packets, the end of the association, counters and
 * the sans-IO outputs.
 */
import { randomBytes } from "../common/rng.js";
import { Outbox, earliest, type Deadline, type SansIo } from "../common/sans-io.js";
import {
  resolveOptions,
  zeroCounters,
  type AssociationCounters,
  type ResolvedAssociationOptions,
} from "./association-options.js";
import type {
  AssociationEvent,
  AssociationOptions,
  AssociationState,
  AssociationStats,
  CloseReason,
} from "./association-types.js";
import type { Chunk } from "./chunk-types.js";
import { PacketBuilder } from "./packet-builder.js";
import { DataReceiver } from "./receiver.js";
import { RtoEstimator } from "./rto.js";
import { DataSender } from "./sender.js";
import { StreamResets } from "./stream-reset.js";

/** A random non-zero 32-bit value (tags must not be 0, §5.3.1). */
function randomNonZero(bytes: Uint8Array): number {
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return value === 0 ? 1 : value;
}

/** The peer as negotiated by the handshake. */
export interface Negotiated {
  readonly peerTag: number;
  readonly peerInitialTsn: number;
  readonly peerRwnd: number;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly forwardTsn: boolean;
  readonly reconfig: boolean;
}

/** A timer that resends a chunk: T1-init (§5.1) or T2-shutdown (§9.2). */
export interface ResendTimer {
  deadline: number;
  chunk: Chunk;
  /** The verification tag to send it with. */
  tag: number;
  count: number;
}

/** Fields and shared steps of an {@link Association}. */
export abstract class AssociationBase implements SansIo<Uint8Array, AssociationEvent> {
  protected readonly options: ResolvedAssociationOptions;
  /** Our verification tag, the same for the INIT and any INIT ACK we send (§5.2.1). */
  protected readonly localTag: number;
  protected readonly localInitialTsn: number;
  protected readonly cookieKey: Uint8Array;
  protected stateValue: AssociationState = "closed";
  /** True once the association ended; it then ignores everything. */
  protected ended = false;
  protected negotiated: Negotiated | undefined;
  protected receiver: DataReceiver | undefined;
  protected resets: StreamResets | undefined;
  protected readonly sender: DataSender;
  protected readonly rto: RtoEstimator;
  protected readonly counters: AssociationCounters = zeroCounters();
  /** Association error counter (§8.1). */
  protected errorCount = 0;
  protected t1: ResendTimer | undefined;
  protected t2: ResendTimer | undefined;
  protected heartbeatDeadline: number | undefined;
  /** The Heartbeat Info of the unanswered HEARTBEAT. */
  protected heartbeatInfo: Uint8Array | undefined;
  /** Control chunks for the next packet (sent before DATA, §6.10). */
  protected control: Chunk[] = [];
  /** Streams whose reset was asked for before the handshake finished. */
  protected earlyResets: number[] = [];
  private readonly transmits = new Outbox<Uint8Array>(100_000);
  /** One builder for every packet (each use ends with a flush, so it is always empty). */
  private reusableBuilder: PacketBuilder | undefined;
  private readonly events = new Outbox<AssociationEvent>(1_000_000);

  constructor(options: AssociationOptions) {
    this.options = resolveOptions(options);
    const random = randomBytes(this.options.rng, 40);
    this.localTag = randomNonZero(random.subarray(0, 4));
    this.localInitialTsn = randomNonZero(random.subarray(4, 8));
    this.cookieKey = random.slice(8, 40);
    this.rto = new RtoEstimator({
      initial: this.options.rtoInitialMs,
      min: this.options.rtoMinMs,
      max: this.options.rtoMaxMs,
    });
    this.sender = new DataSender(
      this.localInitialTsn,
      this.options.sendQueueLimit,
      this.options.mtu,
      this.rto,
    );
  }

  /** The association's state (§4). */
  get state(): AssociationState {
    return this.stateValue;
  }

  /** Streams we may send on, once negotiated (min of our OS and the peer's MIS). */
  get outboundStreams(): number | undefined {
    return this.negotiated?.outboundStreams;
  }

  /** True when the peer supports partial reliability (RFC 3758). */
  get partialReliability(): boolean {
    return this.negotiated?.forwardTsn ?? false;
  }

  /** Bytes of `streamId` queued and not yet handed to a DATA chunk (W3C `bufferedAmount`). */
  bufferedAmount(streamId: number): number {
    return this.sender.queue.bufferedAmount(streamId);
  }

  /** Streams whose buffered amount went down since the last call. */
  takeDrainedStreams(): number[] {
    return this.sender.queue.takeDrained();
  }

  pollTransmit(): Uint8Array | undefined {
    return this.transmits.shift();
  }

  pollEvent(): AssociationEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    if (this.ended) return undefined;
    const tracker = this.receiver?.tracker;
    return earliest(
      this.t1?.deadline,
      this.t2?.deadline,
      this.sender.t3Deadline,
      tracker?.sackPending ? tracker.sackDeadline : undefined,
      this.heartbeatDeadline,
      this.resets?.deadline,
    );
  }

  /** Counters and the current congestion state. */
  stats(): AssociationStats {
    const cc = this.sender.congestion;
    return {
      ...this.counters,
      ...this.sender.counters,
      messagesAbandoned: this.sender.outstanding.messagesAbandoned,
      cwnd: cc?.cwnd ?? 0,
      ssthresh: cc?.ssthresh ?? 0,
      rto: this.rto.rto,
      srtt: this.rto.srtt,
      flightSize: this.sender.outstanding.flightSize,
      peerRwnd: this.sender.peerRwnd,
      reassemblyBytes: this.receiver?.bufferedBytes ?? 0,
      sendQueueBytes: this.sender.queue.totalBuffered,
    };
  }

  protected emit(event: AssociationEvent): void {
    this.events.push(event);
  }

  protected setState(state: AssociationState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit({ type: "state", state });
  }

  /** Sets up the transmission control block from the handshake (§5.1 steps C–E). */
  protected setUp(peer: Negotiated): void {
    this.negotiated = peer;
    this.receiver = new DataReceiver(
      peer.peerInitialTsn,
      this.options.receiveWindow,
      this.options.maxMessageSize,
      (message) => {
        this.counters.messagesReceived++;
        this.emit({ type: "message", ...message });
      },
    );
    this.resets = new StreamResets(this.localInitialTsn, peer.peerInitialTsn);
    for (const id of this.earlyResets) this.resets.request(id);
    this.earlyResets = [];
    this.sender.start(peer.peerRwnd, peer.forwardTsn);
  }

  /** Enters ESTABLISHED (§5.1 D–E). */
  protected establish(now: number): void {
    this.t1 = undefined;
    this.errorCount = 0;
    this.setState("established");
    this.emit({ type: "established" });
    this.armHeartbeat(now);
  }

  protected armHeartbeat(now: number): void {
    if (this.options.heartbeatIntervalMs > 0 && !this.ended) {
      this.heartbeatDeadline = now + this.options.heartbeatIntervalMs + this.rto.rto;
    }
  }

  /** Sends one packet made of `chunks` with `tag`, outside the bundling of {@link flush}. */
  protected sendNow(tag: number, chunks: readonly Chunk[]): void {
    const builder = this.builder(tag);
    for (const chunk of chunks) builder.add(chunk);
    builder.flush();
  }

  private builder(tag: number): PacketBuilder {
    let builder = this.reusableBuilder;
    if (builder === undefined) {
      const header = {
        sourcePort: this.options.localPort,
        destinationPort: this.options.remotePort,
        verificationTag: tag,
      };
      builder = new PacketBuilder(header, this.options.mtu, (packet) => {
        this.counters.packetsSent++;
        this.counters.bytesSent += packet.length;
        this.transmits.push(packet);
      });
      this.reusableBuilder = builder;
    }
    builder.verificationTag = tag;
    return builder;
  }

  /**
   * Sends what is due: control chunks, a SACK when owed (and always with DATA), stream reset
   * requests, then FORWARD TSN, retransmissions and new DATA as the windows allow (§6.1).
   */
  protected flush(now: number): void {
    const peer = this.negotiated;
    if (this.ended || peer === undefined) return;
    this.beforeFlush(now);
    const builder = this.builder(peer.peerTag);
    for (const chunk of this.control) builder.add(chunk);
    this.control = [];
    const dataAllowed =
      this.stateValue === "established" ||
      this.stateValue === "shutdown-pending" ||
      this.stateValue === "shutdown-received";
    const receiver = this.receiver;
    if (receiver !== undefined) {
      const tracker = receiver.tracker;
      if (tracker.sackPending && (tracker.sackNow || (dataAllowed && this.sender.wantsToSend))) {
        builder.add(tracker.takeSack(receiver.aRwnd));
      }
    }
    if (dataAllowed) {
      const request = this.resets?.nextRequest(
        now,
        this.rto.rto,
        this.sender.lastAssignedTsn,
        (id) => !this.sender.queue.hasPending(id),
      );
      if (request !== undefined) builder.add(request);
      const before = this.sender.counters.dataChunksSent + this.sender.counters.retransmissions;
      this.sender.fill(now, builder);
      if (this.sender.counters.dataChunksSent + this.sender.counters.retransmissions > before) {
        this.armHeartbeat(now);
      }
    }
    builder.flush();
  }

  abstract handleTimeout(now: number): void;

  /** A hook run at the start of {@link flush} (the shutdown sequence checks its progress). */
  protected abstract beforeFlush(now: number): void;

  /** Ends the association: no more timers, queues dropped, `closed` reported. */
  protected end(reason: CloseReason, detail?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.t1 = this.t2 = undefined;
    this.heartbeatDeadline = undefined;
    this.control = [];
    this.sender.clear();
    this.setState("closed");
    this.emit(
      detail === undefined ? { type: "closed", reason } : { type: "closed", reason, detail },
    );
  }
}
