/**
 * Where our bytes go and where TURN's come from: what the agent sends from a relayed candidate
 * goes through its allocation, everything else straight out of the host socket; datagrams from
 * a TURN server and the TCP/TLS streams to it go to the relays, and what the relays report is
 * acted on at once — new relayed and server-reflexive candidates, failures, and the peer's
 * relayed datagrams, which go straight to the agent's receiver.
 */
import type { TransportAddress } from "../common/address.js";
import type { Deadline, Outbox } from "../common/sans-io.js";
import type { LocalCandidate } from "./candidate.js";
import { sameAddress } from "./candidate.js";
import type { CheckList } from "./checklist.js";
import type { Gathering } from "./gathering.js";
import type { Receiver, Sender } from "./ports.js";
import type { CandidateRegistry } from "./registry.js";
import type { Relays } from "./relays.js";

/** What the router uses of the relays (a narrow view, so it can be tested alone). */
export type RelayPort = Pick<
  Relays,
  | "isRelayed"
  | "send"
  | "start"
  | "handleDatagram"
  | "handleStreamData"
  | "handleStreamClosed"
  | "handleTimeout"
  | "close"
  | "pollTransmit"
  | "pollEvent"
  | "pollTimeout"
  | "stats"
>;
import type { AgentEvent, RelayStats, Transmit } from "./types.js";

/** Routes our bytes out (host or relay) and the relays' reports in. */
export class Router implements Sender {
  constructor(
    private readonly relays: RelayPort,
    private readonly relayOnly: boolean,
    private readonly registry: CandidateRegistry,
    private readonly gathering: Gathering,
    private readonly checklist: CheckList,
    private readonly receiver: Receiver,
    private readonly events: Outbox<AgentEvent>,
    private readonly transmits: Outbox<Transmit>,
  ) {}

  /** Sends from `local`: directly, or through the TURN allocation when it is a relayed address. */
  send(now: number, local: TransportAddress, remote: TransportAddress, data: Uint8Array): boolean {
    if (this.relays.isRelayed(local)) {
      const sent = this.relays.send(now, local, remote, data);
      this.drain(now);
      return sent;
    }
    this.transmits.push({ type: "datagram", local, remote, data });
    return true;
  }

  /** Starts an allocation on every TURN server for every host socket of its family. */
  startRelays(now: number, sockets: readonly LocalCandidate[]): void {
    this.relays.start(now, sockets);
    this.drain(now);
  }

  /** A datagram on a host socket: true when it came from one of our TURN servers. */
  handleServerDatagram(
    now: number,
    local: TransportAddress,
    remote: TransportAddress,
    data: Uint8Array,
  ): boolean {
    const handled = this.relays.handleDatagram(now, local, remote, data);
    if (handled) this.drain(now);
    return handled;
  }

  handleStreamData(now: number, stream: number, data: Uint8Array): void {
    this.relays.handleStreamData(now, stream, data);
    this.drain(now);
  }

  handleStreamClosed(now: number, stream: number, cause: Error | undefined): void {
    this.relays.handleStreamClosed(now, stream, cause);
    this.drain(now);
  }

  handleTimeout(now: number): void {
    this.relays.handleTimeout(now);
    this.drain(now);
  }

  /** RFC 8656 §7.3: deallocates (Refresh with LIFETIME 0); those are the last transmits. */
  close(now: number): void {
    this.relays.close(now);
    this.drain(now);
  }

  deadline(): Deadline {
    return this.relays.pollTimeout();
  }

  stats(): RelayStats[] {
    return this.relays.stats();
  }

  /** Takes the relays' transmits and acts on their events. */
  private drain(now: number): void {
    for (let transmit; (transmit = this.relays.pollTransmit());) this.transmits.push(transmit);
    for (let event; (event = this.relays.pollEvent());) {
      switch (event.type) {
        case "allocated": {
          const component = event.socket.candidate.component;
          if (!this.relayOnly)
            this.registry.addServerReflexive(event.socket, event.mapped, event.server);
          this.registry.addRelayed(component, event.relayed, event.mapped, event.server);
          this.gathering.checkDone();
          break;
        }
        case "failed":
          this.events.push({ type: "turn-error", server: event.server, error: event.error });
          if (event.relayed !== undefined) this.registry.dropRelayed(event.relayed);
          this.gathering.checkDone();
          break;
        case "data": {
          const socket = this.registry.socketFor(event.relayed);
          if (socket !== undefined) this.receiver.receive(now, socket, event.peer, event.data);
          break;
        }
        case "permission-failed":
          // RFC 8656 §9.1: the server will not relay to that peer; its pairs on this relay fail.
          for (const pair of this.checklist.pairs) {
            if (
              sameAddress(pair.local.base, event.relayed) &&
              pair.remote.address.address === event.peer.address
            )
              pair.state = "failed";
          }
          break;
      }
    }
  }
}
