/**
 * The shapes shared by the simulator's parts: the sans-IO endpoint contract it drives
 * (DESIGN.md §2), the packets its networks carry and the context every part is built with.
 */
import type { TransportAddress } from "../../src/common/address.js";
import type { Rng } from "../../src/common/rng.js";
import type { Clock } from "./clock.js";
import type { Network } from "./network.js";

/** A datagram as an endpoint sees it: `local` is its own bound address, `remote` the peer. */
export interface SimDatagram {
  readonly local: TransportAddress;
  readonly remote: TransportAddress;
  readonly data: Uint8Array;
}

/**
 * A sans-IO endpoint the simulator drives (the ICE agent, a STUN server, a probe…). After every
 * input the simulator drains {@link pollTransmit} until it returns undefined, then arms exactly
 * one timer at {@link pollTimeout}.
 */
export interface SimEndpoint {
  /** A datagram arrived on `datagram.local`; returns false when it is not for this endpoint. */
  handleDatagram(now: number, datagram: SimDatagram): boolean;
  /** The deadline from {@link pollTimeout} has come (or passed). */
  handleTimeout(now: number): void;
  /** The next datagram to send from one of the endpoint's bound addresses, or undefined. */
  pollTransmit(): SimDatagram | undefined;
  /** Absolute virtual ms of the next wake-up, or undefined when nothing is scheduled. */
  pollTimeout(): number | undefined;
}

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
