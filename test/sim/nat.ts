/**
 * A NAT box (IPv4 only) between a private network (`lan`, whose gateway it is) and the network
 * its public address is on, with the behaviours of RFC 4787: mapping (§4.1) and filtering (§5)
 * each endpoint-independent, address-dependent or address-and-port-dependent, optional
 * hairpinning (§6, the source rewritten to the sender's external address, REQ-9), a mapping
 * timeout refreshed by outbound packets only (§4.3, REQ-6) and configurable port allocation.
 * Its public side may sit on another NAT's `lan` (nested NATs).
 */
import { canonicalIp, formatTransportAddress, ipFamily } from "../../src/common/address.js";
import type { TransportAddress } from "../../src/common/address.js";
import type { Rng } from "../../src/common/rng.js";
import { Network, type LinkConditions } from "./network.js";
import { uniform } from "./random.js";
import type { NetNode, Packet, SimContext } from "./types.js";

/** RFC 4787 behaviour of mapping or filtering. */
export type NatBehavior =
  "endpoint-independent" | "address-dependent" | "address-and-port-dependent";

/**
 * How external ports are chosen: `random` (uniform in 49152–65535 from the seeded stream),
 * `sequential` (49152 upwards), `preserve` (the internal port when free, else sequential).
 */
export type PortAllocation = "random" | "sequential" | "preserve";

/** Options of `Simulator.nat()`. */
export interface NatOptions {
  /** The network the public side is on (the internet, or another NAT's `lan`). */
  readonly on: Network;
  /** The public IPv4 address. */
  readonly publicIp: string;
  readonly mapping: NatBehavior;
  readonly filtering: NatBehavior;
  /** Loop packets for the NAT's own public address back inside. @default false */
  readonly hairpin?: boolean;
  /** A mapping idle (no outbound packet) this long, in ms, is gone. @default 300000 */
  readonly mappingTimeout?: number;
  /** @default "random" */
  readonly portAllocation?: PortAllocation;
  /** Conditions of the private network's link. @default all 0 */
  readonly lan?: Partial<LinkConditions>;
}

/** NAT counters (expired mappings are counted when the NAT next looks at them). */
export interface NatCounters {
  mappingsCreated: number;
  mappingsExpired: number;
  /** Packets translated from inside to outside (hairpinned ones excluded). */
  outbound: number;
  /** Packets translated from outside to inside. */
  inbound: number;
  /** Inbound packets to a port without a live mapping. */
  inboundNoMapping: number;
  /** Inbound packets the filtering behaviour refused. */
  inboundFiltered: number;
  /** Packets looped back inside. */
  hairpinned: number;
  /** Packets for the public address from inside, dropped because hairpinning is off. */
  hairpinDropped: number;
}

/** A live mapping, as `Nat.mappings()` reports it. */
export interface NatMappingInfo {
  readonly internal: TransportAddress;
  readonly external: TransportAddress;
  /** Last outbound use (virtual ms). */
  readonly lastUsed: number;
}

interface Mapping {
  readonly key: string;
  readonly internal: TransportAddress;
  readonly externalPort: number;
  lastUsed: number;
  readonly contactedIps: Set<string>;
  readonly contactedEndpoints: Set<string>;
}

const FIRST_PORT = 49152;
const PORT_COUNT = 65536 - FIRST_PORT;

/** A NAT. Create it with `Simulator.nat()`; put hosts on {@link Nat.lan}. */
export class Nat implements NetNode {
  /** The private network behind this NAT. */
  readonly lan: Network;
  /** Exact counters, for assertions. */
  readonly counters: NatCounters = {
    mappingsCreated: 0,
    mappingsExpired: 0,
    outbound: 0,
    inbound: 0,
    inboundNoMapping: 0,
    inboundFiltered: 0,
    hairpinned: 0,
    hairpinDropped: 0,
  };
  readonly publicIp: string;
  private readonly byKey = new Map<string, Mapping>();
  private readonly byPort = new Map<number, Mapping>();
  private readonly rng: Rng;
  private nextSequential = 0;

  constructor(
    private readonly ctx: SimContext,
    readonly name: string,
    private readonly options: NatOptions,
  ) {
    const ip = canonicalIp(options.publicIp);
    if (ip === undefined || ipFamily(ip) !== "IPv4") {
      throw new Error(`nat ${name}: publicIp must be IPv4, got "${options.publicIp}"`);
    }
    this.publicIp = ip;
    this.rng = ctx.rng(`nat:${name}`);
    options.on.addNode(ip, this);
    this.lan = new Network(ctx, `${name}.lan`, options.lan);
    this.lan.setGateway(this);
  }

  /** Live mappings, oldest first. */
  mappings(): NatMappingInfo[] {
    const out: NatMappingInfo[] = [];
    for (const m of [...this.byKey.values()]) {
      if (this.expire(m)) continue;
      out.push({ internal: m.internal, external: this.external(m), lastUsed: m.lastUsed });
    }
    return out;
  }

  /** A packet arrived from the lan (outbound) or on the public address (inbound). */
  receive(packet: Packet, via: Network): void {
    if (via !== this.lan) {
      this.inbound(packet, packet.src);
    } else if (packet.dst.address === this.publicIp) {
      this.hairpin(packet);
    } else {
      const m = this.use(packet);
      this.counters.outbound++;
      const src = this.external(m);
      this.options.on.send(this, { src, dst: packet.dst, data: packet.data });
    }
  }

  private hairpin(packet: Packet): void {
    if (this.options.hairpin !== true) {
      this.counters.hairpinDropped++;
      this.trace(packet, "dropped: no hairpinning");
      return;
    }
    const src = this.external(this.use(packet));
    this.inbound({ src, dst: packet.dst, data: packet.data }, src, true);
  }

  private inbound(packet: Packet, from: TransportAddress, hairpin = false): void {
    const m = this.byPort.get(packet.dst.port);
    if (m === undefined || this.expire(m)) {
      this.counters.inboundNoMapping++;
      this.trace(packet, "dropped: no mapping");
      return;
    }
    if (!this.admits(m, from)) {
      this.counters.inboundFiltered++;
      this.trace(packet, "dropped: filtered");
      return;
    }
    if (hairpin) this.counters.hairpinned++;
    else this.counters.inbound++;
    this.lan.send(this, { src: from, dst: m.internal, data: packet.data });
  }

  private admits(m: Mapping, from: TransportAddress): boolean {
    switch (this.options.filtering) {
      case "endpoint-independent":
        return true;
      case "address-dependent":
        return m.contactedIps.has(from.address);
      case "address-and-port-dependent":
        return m.contactedEndpoints.has(formatTransportAddress(from));
    }
  }

  /** The mapping for an outbound packet (created if needed), refreshed and with `dst` noted. */
  private use(packet: Packet): Mapping {
    const { src, dst } = packet;
    let key = formatTransportAddress(src);
    if (this.options.mapping !== "endpoint-independent") key += ` ${dst.address}`;
    if (this.options.mapping === "address-and-port-dependent") key += `:${dst.port}`;
    let m = this.byKey.get(key);
    if (m !== undefined && this.expire(m)) m = undefined;
    if (m === undefined) {
      const externalPort = this.allocate(src.port);
      m = {
        key,
        internal: src,
        externalPort,
        lastUsed: 0,
        contactedIps: new Set(),
        contactedEndpoints: new Set(),
      };
      this.byKey.set(key, m);
      this.byPort.set(externalPort, m);
      this.counters.mappingsCreated++;
      this.ctx.trace(() => `${this.name} maps ${key} to ${this.publicIp}:${externalPort}`);
    }
    m.lastUsed = this.ctx.clock.now;
    m.contactedIps.add(dst.address);
    m.contactedEndpoints.add(formatTransportAddress(dst));
    return m;
  }

  /** Removes `m` and returns true when it has timed out. */
  private expire(m: Mapping): boolean {
    if (this.ctx.clock.now - m.lastUsed < (this.options.mappingTimeout ?? 300_000)) return false;
    this.byKey.delete(m.key);
    this.byPort.delete(m.externalPort);
    this.counters.mappingsExpired++;
    this.ctx.trace(() => `${this.name} mapping ${m.key} expired`);
    return true;
  }

  private free(port: number): boolean {
    const m = this.byPort.get(port);
    return m === undefined || this.expire(m);
  }

  private allocate(internalPort: number): number {
    const policy = this.options.portAllocation ?? "random";
    if (policy === "preserve" && this.free(internalPort)) return internalPort;
    if (policy === "random") {
      for (let attempt = 0; attempt < 64; attempt++) {
        const port = FIRST_PORT + Math.floor(uniform(this.rng) * PORT_COUNT);
        if (this.free(port)) return port;
      }
    }
    for (let i = 0; i < PORT_COUNT; i++) {
      const port = FIRST_PORT + ((this.nextSequential + i) % PORT_COUNT);
      if (this.free(port)) {
        this.nextSequential = (port - FIRST_PORT + 1) % PORT_COUNT;
        return port;
      }
    }
    throw new Error(`nat ${this.name}: no external port left`);
  }

  private external(m: Mapping): TransportAddress {
    return { family: "IPv4", address: this.publicIp, port: m.externalPort };
  }

  private trace(packet: Packet, what: string): void {
    this.ctx.trace(
      () =>
        `${this.name} ${formatTransportAddress(packet.src)} > ${formatTransportAddress(packet.dst)} ${what}`,
    );
  }
}
