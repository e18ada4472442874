/**
 * Gathering (RFC 8445 §5.1.1): our candidates are announced once it starts; server-reflexive
 * candidates come from the STUN servers (each bounded by `stunServerTimeoutMs`), relayed ones
 * from the TURN allocations (see `Router`); `gathering-complete` follows once every server
 * answered, failed or timed out (RFC 8838 §8.2).
 */
import type { TransportAddress } from "../common/address.js";
import type { Deadline, Outbox } from "../common/sans-io.js";
import type { DecodedStunMessage } from "../stun/message.js";
import type { ReflexiveGatherer } from "./reflexive.js";
import type { CandidateRegistry } from "./registry.js";
import type { AgentEvent, Transmit } from "./types.js";

/** Our gathering: owns whether it started and finished, and the STUN server queries. */
export class Gathering {
  private startedValue = false;
  private doneValue = false;

  constructor(
    private readonly reflexive: ReflexiveGatherer,
    private readonly stunServers: readonly TransportAddress[],
    private readonly relayOnly: boolean,
    private readonly registry: CandidateRegistry,
    private readonly relays: { readonly gathering: boolean },
    private readonly events: Outbox<AgentEvent>,
    private readonly transmits: Outbox<Transmit>,
  ) {}

  get started(): boolean {
    return this.startedValue;
  }

  /** Every server answered, failed or timed out (and `gathering-complete` was sent). */
  get done(): boolean {
    return this.doneValue;
  }

  /**
   * Announces our candidates and asks every STUN server, in parallel, for the server-reflexive
   * address of each host socket of its family (none with the relay-only policy).
   */
  start(now: number): void {
    this.startedValue = true;
    this.registry.announceSockets();
    if (this.relayOnly) return;
    const hosts = this.registry.sockets.filter((s) => s.candidate.type === "host");
    this.reflexive.start(now, hosts, this.stunServers);
    this.drain();
  }

  /** Retransmissions and deadlines of the STUN server queries. */
  handleTimeout(now: number): void {
    this.reflexive.handleTimeout(now);
    this.drain();
  }

  /** A response to one of our STUN server queries? Then it is consumed (true). */
  handleResponse(now: number, message: DecodedStunMessage): boolean {
    if (!this.reflexive.handleResponse(now, message)) return false;
    this.drain();
    return true;
  }

  /** Sends `gathering-complete` once nothing is pending any more. */
  checkDone(): void {
    if (this.doneValue || !this.startedValue || this.relays.gathering || this.reflexive.gathering)
      return;
    this.doneValue = true;
    this.events.push({ type: "gathering-complete" });
  }

  /** After an ICE restart's candidates: gathering is complete again, if it was. */
  announceDoneAgain(): void {
    if (this.doneValue) this.events.push({ type: "gathering-complete" });
  }

  deadline(): Deadline {
    return this.reflexive.pollTimeout();
  }

  /** Binding requests sent to STUN servers, retransmissions included. */
  get requestsSent(): number {
    return this.reflexive.requestsSent;
  }

  /** Server-reflexive candidates and STUN server errors from the gatherer. */
  private drain(): void {
    for (let t; (t = this.reflexive.pollTransmit());) this.transmits.push(t);
    let changed = false;
    for (let event; (event = this.reflexive.pollEvent());) {
      changed = true;
      if (event.type === "mapped")
        this.registry.addServerReflexive(event.host, event.mapped, event.server);
      else
        this.events.push({ type: "stun-server-error", server: event.server, error: event.error });
    }
    if (changed) this.checkDone();
  }
}
