/**
 * A virtual host: one or more IP addresses, each on a network, and the UDP ports that attached
 * endpoints have bound on them. It routes an endpoint's datagram out of the interface that owns
 * its source address and hands arriving packets to whoever bound the destination port.
 */
import {
  canonicalIp,
  formatTransportAddress,
  ipFamily,
  type TransportAddress,
} from "../../src/common/address.js";
import type { Attachment } from "./attachment.js";
import type { Network } from "./network.js";
import type { NetNode, Packet, SimContext, SimDatagram } from "./types.js";

/** Host counters. */
export interface HostCounters {
  /** Packets for a port nobody bound (no ICMP is modelled: they vanish). */
  noListener: number;
  /** Datagrams an endpoint sent that could not leave (e.g. IPv4 to IPv6). */
  sendFailed: number;
}

interface Interface {
  readonly address: string;
  readonly family: "IPv4" | "IPv6";
  readonly network: Network;
}

/** First port handed out when an endpoint binds without naming one. */
export const FIRST_EPHEMERAL_PORT = 50000;

const key = (ip: string, port: number): string => `${ip}|${port}`;

/** A machine with addresses. Create it with `Simulator.host()`. */
export class Host implements NetNode {
  /** Exact counters, for assertions. */
  readonly counters: HostCounters = { noListener: 0, sendFailed: 0 };
  private readonly interfaces: Interface[] = [];
  private readonly bindings = new Map<string, Attachment>();
  private readonly nextPort = new Map<string, number>();

  constructor(
    private readonly ctx: SimContext,
    readonly name: string,
  ) {}

  /** The host's IP addresses (canonical text), in the order they were added. */
  get ips(): readonly string[] {
    return this.interfaces.map((i) => i.address);
  }

  /**
   * Adds an address on `network` (e.g. an IPv6 address on the public network for a host that
   * is otherwise behind a NAT).
   * @throws {Error} for invalid IP text or an address already in use on that network.
   */
  addAddress(ip: string, network: Network): void {
    const address = canonicalIp(ip);
    const family = ipFamily(ip);
    if (address === undefined || family === undefined) {
      throw new Error(`host ${this.name}: "${ip}" is not an IP address`);
    }
    if (this.interfaces.some((i) => i.address === address)) {
      throw new Error(`host ${this.name} already has ${address}`);
    }
    network.addNode(address, this);
    this.interfaces.push({ address, family, network });
  }

  /**
   * Binds `port` (or the next free port from {@link FIRST_EPHEMERAL_PORT}, counted per address) on `ip` (or on every
   * address of the host) for `owner`. @internal — use `Attachment.bind()`.
   */
  bind(owner: Attachment, ip?: string, port?: number): TransportAddress[] {
    let targets = this.interfaces;
    if (ip !== undefined) {
      const address = canonicalIp(ip);
      targets = this.interfaces.filter((i) => i.address === address);
      if (targets.length === 0) throw new Error(`host ${this.name} has no address ${ip}`);
    }
    if (targets.length === 0) throw new Error(`host ${this.name} has no address to bind`);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port <= 65535)) {
      throw new RangeError(`host ${this.name}: invalid port ${port}`);
    }
    const bound: TransportAddress[] = [];
    for (const iface of targets) {
      const p = port ?? this.freePort(iface.address);
      if (this.bindings.has(key(iface.address, p))) {
        throw new Error(`host ${this.name}: ${iface.address} port ${p} is already bound`);
      }
      this.bindings.set(key(iface.address, p), owner);
      bound.push({ family: iface.family, address: iface.address, port: p });
    }
    return bound;
  }

  /** Releases a bound address. @internal */
  unbind(address: TransportAddress): void {
    this.bindings.delete(key(address.address, address.port));
  }

  /** Sends a datagram an attached endpoint produced. @internal */
  transmit(owner: Attachment, datagram: SimDatagram): void {
    const { local, remote } = datagram;
    if (this.bindings.get(key(local.address, local.port)) !== owner) {
      const mine = owner.addresses.map(formatTransportAddress).join(", ") || "none";
      throw new Error(
        `sim: endpoint "${owner.name}" sent from ${formatTransportAddress(local)}, which it has not bound (bound: ${mine})`,
      );
    }
    if (remote.family !== local.family) {
      this.counters.sendFailed++;
      this.ctx.trace(() => `${this.name} cannot send ${local.family} to ${remote.family}`);
      return;
    }
    const iface = this.interfaces.find((i) => i.address === local.address)!;
    iface.network.send(this, { src: local, dst: remote, data: datagram.data.slice() });
  }

  /** A packet arrived for one of this host's addresses. */
  receive(packet: Packet): void {
    const owner = this.bindings.get(key(packet.dst.address, packet.dst.port));
    if (owner === undefined) {
      this.counters.noListener++;
      this.ctx.trace(() => `${this.name} no listener on ${formatTransportAddress(packet.dst)}`);
      return;
    }
    owner.deliver(packet);
  }

  private freePort(ip: string): number {
    for (let port = this.nextPort.get(ip) ?? FIRST_EPHEMERAL_PORT; port <= 65535; port++) {
      if (!this.bindings.has(key(ip, port))) {
        this.nextPort.set(ip, port + 1);
        return port;
      }
    }
    throw new Error(`host ${this.name}: no free port left on ${ip}`);
  }
}
