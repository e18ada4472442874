/**
 * The narrow interfaces the agent's parts hand each other instead of the agent itself: a way out
 * for bytes, and a way in for what arrived on one of our sockets.
 */
import type { TransportAddress } from "../common/address.js";
import type { LocalCandidate } from "./candidate.js";

/** Sends from one of our sockets: a host socket, or a relayed address through its allocation. */
export interface Sender {
  /** False when it cannot be sent (the relay behind `local` is gone, or refused that peer). */
  send(now: number, local: TransportAddress, remote: TransportAddress, data: Uint8Array): boolean;
}

/** What became of a datagram given to a {@link Receiver}. */
export type Reception =
  /** A STUN message of ICE's, handled: the agent has work to do now. */
  | "stun"
  /** Application data from a validated source, handed to the application. */
  | "data"
  /** Dropped and counted. */
  | "dropped"
  /** Not ICE's (STUN of another method): left to the caller. */
  | "foreign";

/** Takes what arrived on one of our sockets (directly, or relayed by TURN) from `remote`. */
export interface Receiver {
  receive(
    now: number,
    socket: LocalCandidate,
    remote: TransportAddress,
    data: Uint8Array,
  ): Reception;
}
