/**
 * The shapes shared by the simulator's parts: the datagrams its endpoints exchange, the packets
 * its networks carry and the context every part is built with. The endpoints themselves follow
 * the project's one sans-IO contract (`DatagramSansIo` in src/common/sans-io.ts).
 */
import type { Datagram, DatagramSansIo } from "../../src/common/sans-io.js";
import type { TransportAddress } from "../../src/common/address.js";
import type { Rng } from "../../src/common/rng.js";
import type { Clock } from "./clock.js";
import type { Network } from "./network.js";

/** A datagram as an endpoint sees it: `local` is its own bound address, `remote` the peer. */
export type SimDatagram = Datagram;

/**
 * What an endpoint may ask the simulator to send: a datagram, plain or tagged
 * `type: "datagram"` like the ICE agent's transmits. The simulated network carries nothing else
 * (an agent asking for a TCP stream to a TURN server makes the run fail).
 */
export type SimTransmit = Datagram | { readonly type: string };

/** Any sans-IO machine the simulator can drive. */
export type SimMachine = DatagramSansIo<SimTransmit, unknown>;

/** An IP packet on a virtual network: UDP source, destination and payload. */
export interface Packet {
  readonly src: TransportAddress;
  readonly dst: TransportAddress;
  readonly data: Uint8Array;
}

/** Anything with an address on a network: a host or a NAT's public side. */
export interface NetNode {
  readonly name: string;
  /** A packet for this node arrived over `via`. */
  receive(packet: Packet, via: Network): void;
}

/** What the simulator hands to each of its parts. */
export interface SimContext {
  readonly clock: Clock;
  /** A deterministic random stream for `label` (the same label always gives the same stream). */
  rng(label: string): Rng;
  /** Records a trace line when tracing is on; `line` is only called then. */
  trace(line: () => string): void;
  /** How often one endpoint may be woken at the same instant before it counts as stuck. */
  readonly maxWakeupsPerInstant: number;
}
