/**
 * A virtual network: one link (a segment) with its own latency, jitter, loss and duplication,
 * and the addresses of the nodes on it. A packet to an address on the segment goes straight to
 * that node; any other IPv4 destination goes to the segment's gateway (the NAT whose private
 * side this is), if it has one.
 */
import { formatTransportAddress } from "../../src/common/address.js";
import type { Rng } from "../../src/common/rng.js";
import { uniform } from "./random.js";
import type { NetNode, Packet, SimContext } from "./types.js";

/** What a link does to each packet. All default to 0 (a perfect, instant link). */
export interface LinkConditions {
  /** One-way delay in ms. */
  readonly latency: number;
  /** Extra delay drawn uniformly from [0, jitter) ms per packet (so packets can overtake). */
  readonly jitter: number;
  /** Probability (0–1) that a packet is dropped. */
  readonly loss: number;
  /** Probability (0–1) that a packet that got through arrives twice (each copy jittered). */
  readonly duplicate: number;
}

/**
 * Per-link counters. Once nothing is in flight:
 * `delivered = sent − lost − unroutable + duplicated`.
 */
export interface LinkCounters {
  /** Packets handed to the link. */
  sent: number;
  /** Copies that reached the next node. */
  delivered: number;
  /** Packets the link dropped (loss). */
  lost: number;
  /** Extra copies the link made. */
  duplicated: number;
  /** Packets with no node to go to (no such address and no gateway). */
  unroutable: number;
}

const noConditions: LinkConditions = { latency: 0, jitter: 0, loss: 0, duplicate: 0 };

/** One virtual segment. Create it with `Simulator.network()` (or get it from `Nat.lan`). */
export class Network {
  /** Exact counters, for assertions. */
  readonly counters: LinkCounters = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    unroutable: 0,
  };
  private conditionsValue: LinkConditions = noConditions;
  private readonly nodes = new Map<string, NetNode>();
  private gateway: NetNode | undefined;
  private readonly rng: Rng;

  constructor(
    private readonly ctx: SimContext,
    readonly name: string,
    conditions: Partial<LinkConditions> = {},
  ) {
    this.rng = ctx.rng(`network:${name}`);
    this.configure(conditions);
  }

  /** The link's current conditions. */
  get conditions(): LinkConditions {
    return this.conditionsValue;
  }

  /**
   * Changes some conditions from now on (packets in flight keep their fate), e.g.
   * `configure({ loss: 1 })` to cut the link.
   * @throws {RangeError} for a negative delay or a probability outside 0–1.
   */
  configure(changes: Partial<LinkConditions>): void {
    const next = { ...this.conditionsValue, ...changes };
    for (const key of ["latency", "jitter"] as const) {
      if (!(next[key] >= 0 && next[key] < Infinity)) {
        throw new RangeError(`network ${this.name}: ${key} must be ≥ 0, got ${next[key]}`);
      }
    }
    for (const key of ["loss", "duplicate"] as const) {
      if (!(next[key] >= 0 && next[key] <= 1)) {
        throw new RangeError(`network ${this.name}: ${key} must be in [0, 1], got ${next[key]}`);
      }
    }
    this.conditionsValue = next;
  }

  /** True when some node on this segment owns `ip` (canonical text). */
  has(ip: string): boolean {
    return this.nodes.has(ip);
  }

  /** Puts `node` on the segment at `ip` (canonical text). @internal */
  addNode(ip: string, node: NetNode): void {
    if (this.nodes.has(ip)) throw new Error(`network ${this.name}: ${ip} is already in use`);
    this.nodes.set(ip, node);
  }

  /** Makes `node` the gateway for IPv4 destinations not on this segment. @internal */
  setGateway(node: NetNode): void {
    if (this.gateway !== undefined) throw new Error(`network ${this.name} already has a gateway`);
    this.gateway = node;
  }

  /** Sends `packet` from `from` over this link (the data is copied per delivered copy). */
  send(from: NetNode, packet: Packet): void {
    const counters = this.counters;
    counters.sent++;
    const to = this.route(from, packet);
    const label = `${this.name} ${formatTransportAddress(packet.src)} > ${formatTransportAddress(packet.dst)}`;
    if (to === undefined) {
      counters.unroutable++;
      this.ctx.trace(() => `${label} unroutable`);
      return;
    }
    const { latency, jitter, loss, duplicate } = this.conditionsValue;
    if (loss > 0 && uniform(this.rng) < loss) {
      counters.lost++;
      this.ctx.trace(() => `${label} lost`);
      return;
    }
    let copies = 1;
    if (duplicate > 0 && uniform(this.rng) < duplicate) {
      counters.duplicated++;
      copies = 2;
    }
    const clock = this.ctx.clock;
    for (let i = 0; i < copies; i++) {
      const delay = latency + (jitter > 0 ? uniform(this.rng) * jitter : 0);
      clock.schedule(clock.now + delay, () => {
        counters.delivered++;
        this.ctx.trace(() => `${label} delivered to ${to.name} (${packet.data.length} B)`);
        to.receive({ src: packet.src, dst: packet.dst, data: packet.data.slice() }, this);
      });
    }
  }

  private route(from: NetNode, packet: Packet): NetNode | undefined {
    const node = this.nodes.get(packet.dst.address);
    if (node !== undefined) return node;
    if (this.gateway !== undefined && this.gateway !== from && packet.dst.family === "IPv4") {
      return this.gateway;
    }
    return undefined;
  }
}
