/**
 * Two ICE agents in a simulated topology, with a signalling channel between them: the building
 * block of the scenario tests in test/sim/scenarios/. Each side is either a public host on the
 * internet or a host behind its own NAT; a STUN server sits on the internet.
 *
 * Signalling is modelled as a reliable channel with a fixed delay: credentials, trickled
 * candidates and end-of-candidates go through it. An ICE restart is new credentials from one
 * side, which the other side's agent answers by restarting too (RFC 8445 §9).
 */
import type { TransportAddress } from "../../src/common/address.js";
import { IceAgent } from "../../src/ice/agent.js";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";
import type {
  AgentEvent,
  AgentOptions,
  Candidate,
  CandidatePairInfo,
  IceRole,
  IceState,
} from "../../src/ice/types.js";
import { turnServerAt } from "../../src/turn/server.js";
import type { Attachment } from "./attachment.js";
import type { Nat, NatBehavior } from "./nat.js";
import type { LinkConditions, Network } from "./network.js";
import { Simulator } from "./simulator.js";
import { SimStunServer } from "./stun-server.js";
import { SimTurnServer } from "./turn-server.js";

/** One side of a scenario. */
export interface SideOptions {
  readonly role: IceRole;
  /** Behind a NAT with these behaviours; omitted: a public host on the internet. */
  readonly nat?: {
    readonly mapping: NatBehavior;
    readonly filtering: NatBehavior;
    readonly hairpin?: boolean;
  };
  /** Query the scenario's STUN server. @default true */
  readonly stun?: boolean;
  /** Extra agent options. */
  readonly agent?: Partial<
    Omit<AgentOptions, "rng" | "role" | "stunServers" | "turnServers" | "components">
  >;
  /** STUN servers queried before the scenario's own (e.g. one that never answers). */
  readonly extraStunServers?: readonly TransportAddress[];
  /** Allocate on the scenario's TURN server (as user `a` or `b`, password `<name>-pass`). */
  readonly turn?: boolean;
  /** Use this TURN password instead (e.g. a wrong one). */
  readonly turnPassword?: string;
}

/** Options of an {@link IceScenario}. */
export interface ScenarioOptions {
  readonly seed: number;
  readonly a: SideOptions;
  readonly b: SideOptions;
  /** Conditions of the internet link. @default latency 10 ms */
  readonly internet?: Partial<LinkConditions>;
  /** Conditions of each NAT's private link. @default latency 1 ms */
  readonly lan?: Partial<LinkConditions>;
  /** One-way delay of the signalling channel. @default 20 */
  readonly signallingDelay?: number;
  /** Components per agent, each on its own port (5000, 5001, …). @default 1 */
  readonly components?: number;
  /** Put a TURN server (SimTurnServer) on the internet at 198.51.100.2:3478. @default false */
  readonly turnServer?: boolean;
}

/** What the scenario saw of one side. */
export class ScenarioSide {
  /** Every event the agent emitted, with the virtual time. */
  readonly events: { readonly at: number; readonly event: AgentEvent }[] = [];
  /** Data received, as text. */
  readonly received: string[] = [];
  attachment!: Attachment;
  nat: Nat | undefined;
  /** Forward trickled candidates to the peer (turn off to hold them back). */
  trickle = true;
  /** Candidates held back while `trickle` was off. */
  readonly held: Candidate[] = [];

  constructor(
    readonly name: string,
    readonly agent: IceAgent,
  ) {}

  /** The virtual time at which the component (or the agent) first reached `state`. */
  timeOf(state: IceState, component?: number): number | undefined {
    for (const { at, event } of this.events) {
      if (component === undefined && event.type === "agent-state" && event.state === state)
        return at;
      if (
        component !== undefined &&
        event.type === "state" &&
        event.component === component &&
        event.state === state
      )
        return at;
    }
    return undefined;
  }

  /** Every selected-pair event, in order. */
  get selections(): CandidatePairInfo[] {
    return this.events.flatMap(({ event }) =>
      event.type === "selected-pair"
        ? [{ component: event.component, local: event.local, remote: event.remote }]
        : [],
    );
  }

  /** Sends text on component 1 (through the simulator's input loop). */
  send(text: string, component = 1): boolean {
    return this.attachment.input((now) =>
      this.agent.send(now, component, new TextEncoder().encode(text)),
    );
  }
}

/** Two agents, a topology and a signalling channel. Call {@link start}, then `sim.run(...)`. */
export class IceScenario {
  readonly sim: Simulator;
  readonly internet: Network;
  readonly a: ScenarioSide;
  readonly b: ScenarioSide;
  readonly stunServer: SimStunServer;
  readonly stunAddress: TransportAddress;
  /** The TURN server, when `turnServer` is set. */
  readonly turnServer: SimTurnServer | undefined;
  /** Its attachment (detach it to make the server vanish). */
  readonly turnAttachment: Attachment | undefined;
  private readonly delay: number;
  private readonly components: number;

  constructor(readonly options: ScenarioOptions) {
    this.sim = new Simulator({ seed: options.seed });
    this.internet = this.sim.network("internet", { latency: 10, ...options.internet });
    this.delay = options.signallingDelay ?? 20;
    this.components = options.components ?? 1;
    this.stunServer = new SimStunServer();
    const stunHost = this.sim.host("stun", { ip: "198.51.100.1", on: this.internet });
    this.stunAddress = this.sim.attach(stunHost, this.stunServer, [{ port: 3478 }]).addresses[0]!;
    if (options.turnServer === true) {
      this.turnServer = new SimTurnServer({
        rng: this.sim.rng("turn"),
        users: { a: "a-pass", b: "b-pass" },
      });
      const turnHost = this.sim.host("turn", { ip: "198.51.100.2", on: this.internet });
      this.turnAttachment = this.sim.attach(turnHost, this.turnServer, [{ port: 3478 }]);
      this.turnServer.useAttachment(this.turnAttachment);
    } else {
      this.turnServer = undefined;
      this.turnAttachment = undefined;
    }
    this.a = this.makeSide("a", options.a, 1);
    this.b = this.makeSide("b", options.b, 2);
  }

  private makeSide(name: string, options: SideOptions, index: number): ScenarioSide {
    const agent = new IceAgent({
      role: options.role,
      rng: this.sim.rng(name),
      stunServers: [
        ...(options.extraStunServers ?? []),
        ...(options.stun === false ? [] : [this.stunAddress]),
      ],
      turnServers:
        options.turn === true && this.turnServer !== undefined
          ? [
              turnServerAt(this.turnServer.address, {
                username: name,
                password: options.turnPassword ?? `${name}-pass`,
              }),
            ]
          : [],
      components: this.components,
      ...options.agent,
    });
    const side = new ScenarioSide(name, agent);
    let on = this.internet;
    let ip = `203.0.113.${index * 10}`;
    if (options.nat !== undefined) {
      side.nat = this.sim.nat(`nat-${name}`, {
        on: this.internet,
        publicIp: `203.0.113.${index}`,
        mapping: options.nat.mapping,
        filtering: options.nat.filtering,
        hairpin: options.nat.hairpin ?? false,
        lan: { latency: 1, ...this.options.lan },
      });
      on = side.nat.lan;
      ip = `10.0.${index}.2`;
    }
    const host = this.sim.host(name, { ip, on });
    const ports = Array.from({ length: this.components }, (_, i) => ({ port: 5000 + i }));
    side.attachment = this.sim.attach(host, agent, ports, {
      name,
      onDrained: (now) => this.drainEvents(side, now),
    });
    return side;
  }

  private peerOf(side: ScenarioSide): ScenarioSide {
    return side === this.a ? this.b : this.a;
  }

  /** Runs `fn` on `side`'s agent after the signalling delay. */
  private signal(to: ScenarioSide, fn: (now: number) => void): void {
    this.sim.after(this.delay, () => to.attachment.input(fn));
  }

  private drainEvents(side: ScenarioSide, now: number): void {
    const peer = this.peerOf(side);
    for (let event; (event = side.agent.pollEvent());) {
      side.events.push({ at: now, event });
      if (event.type === "local-candidate") {
        if (side.trickle)
          this.signal(peer, (t) =>
            peer.agent.addRemoteCandidate(t, toRemoteCandidateInput(event.candidate)),
          );
        else side.held.push(event.candidate);
      } else if (event.type === "gathering-complete") {
        if (side.trickle) this.signal(peer, (t) => peer.agent.endOfRemoteCandidates(t));
      } else if (event.type === "local-credentials") {
        // A restart's new credentials; the peer's agent answers a change with its own restart.
        const { ufrag, pwd } = event;
        this.signal(peer, (t) => peer.agent.setRemoteCredentials(t, ufrag, pwd));
      } else if (event.type === "data") {
        side.received.push(new TextDecoder().decode(event.data));
      }
    }
  }

  /** Binds, exchanges credentials through signalling and starts gathering on both sides. */
  start(): void {
    for (const side of [this.a, this.b]) {
      const peer = this.peerOf(side);
      const { ufrag, pwd } = side.agent.localCredentials;
      this.signal(peer, (t) => peer.agent.setRemoteCredentials(t, ufrag, pwd));
      side.attachment.input((now) => {
        // One port per component: 5000 for component 1, 5001 for component 2, …
        for (const address of side.attachment.addresses)
          side.agent.addHostAddress(now, address.port - 4999, address);
        side.agent.startGathering(now);
      });
    }
  }

  /** Sends the candidates `side` held back (trickle off), then end-of-candidates. */
  releaseHeld(side: ScenarioSide): void {
    const peer = this.peerOf(side);
    const held = side.held.splice(0);
    this.signal(peer, (t) => {
      for (const candidate of held)
        peer.agent.addRemoteCandidate(t, toRemoteCandidateInput(candidate));
      peer.agent.endOfRemoteCandidates(t);
    });
  }

  /** ICE restart started by `side`; the peer answers it with a restart of its own. */
  restart(side: ScenarioSide): void {
    side.attachment.input((now) => side.agent.restart(now));
  }

  /** Runs until both agents are in one of `states`, or `maxTime`; returns the virtual time. */
  runUntilBoth(states: readonly IceState[], maxTime: number): number {
    return this.sim.run({
      until: () => states.includes(this.a.agent.state()) && states.includes(this.b.agent.state()),
      maxTime,
    });
  }
}
