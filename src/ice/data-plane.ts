/**
 * Application data (RFC 8445 §12): sent over the selected pair (before nomination, over the best
 * valid pair; after an ICE restart, over the old selected pair until a new one is selected), and
 * accepted only from remote addresses a check validated on that socket — never to or from an
 * address no check validated.
 */
import type { TransportAddress } from "../common/address.js";
import type { Outbox } from "../common/sans-io.js";
import type { LocalCandidate } from "./candidate.js";
import type { Components } from "./components.js";
import type { AgentCounters } from "./counters.js";
import type { Nomination } from "./nomination.js";
import type { CandidatePair } from "./pair.js";
import type { Sender } from "./ports.js";
import type { ComponentStates } from "./states.js";
import type { AgentEvent } from "./types.js";

/** Application data in and out; owns the validated remote addresses per socket. */
export class DataPlane {
  /** Remote addresses a check validated, per local socket base: IP → port → component. */
  private readonly validated = new Map<TransportAddress, Map<string, Map<number, number>>>();

  constructor(
    private readonly components: Components,
    private readonly states: ComponentStates,
    private readonly nomination: Nomination,
    private readonly sender: Sender,
    private readonly counters: AgentCounters,
    private readonly events: Outbox<AgentEvent>,
  ) {}

  /** Lets data from the pair's remote address in on its local socket. */
  validate(pair: CandidatePair): void {
    let byIp = this.validated.get(pair.local.base);
    if (byIp === undefined) this.validated.set(pair.local.base, (byIp = new Map()));
    let byPort = byIp.get(pair.remote.address.address);
    if (byPort === undefined) byIp.set(pair.remote.address.address, (byPort = new Map()));
    byPort.set(pair.remote.address.port, pair.component);
  }

  /** Forgets every validated address (ICE restart; the kept pairs are validated again). */
  clear(): void {
    this.validated.clear();
  }

  /** Data that arrived on `socket` from `remote`: for the application, or dropped. */
  receive(socket: LocalCandidate, remote: TransportAddress, data: Uint8Array): boolean {
    const component = this.validated.get(socket.base)?.get(remote.address)?.get(remote.port);
    if (component === undefined) return !this.counters.drop("unvalidated-source");
    this.counters.values.dataReceived++;
    this.counters.values.bytesReceived += data.length;
    this.events.push({ type: "data", component, data });
    return true;
  }

  /** See `IceAgent.send`. */
  send(now: number, component: number, data: Uint8Array): boolean {
    const record = this.components.get(component);
    if (record === undefined || this.states.of(component) === "failed") return false;
    const pair = record.selected ?? this.nomination.bestValid(component) ?? record.previous;
    if (pair === undefined) {
      this.counters.drop("no-valid-pair");
      return false;
    }
    this.counters.values.dataSent++;
    this.counters.values.bytesSent += data.length;
    return this.sender.send(now, pair.local.base, pair.remote.address, data);
  }
}
