/**
 * The Node driver: runs one {@link IceAgent} on real UDP sockets. It binds the sockets, resolves
 * STUN and TURN server names, feeds datagrams and timeouts in, performs what the agent drains
 * (datagrams, and TCP/TLS streams to TURN servers), keeps exactly one timer, and emits events
 * only after the agent is drained (docs/architecture.md), so a listener that calls `send()` never runs
 * inside a half-drained engine.
 */
import { EventEmitter } from "node:events";
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { IceAgent } from "../ice/agent.js";
import type { RemoteCandidateInput } from "../ice/candidate.js";
import type { StunServerError } from "../ice/errors.js";
import type {
  AgentEvent,
  AgentOptions,
  AgentStats,
  Candidate,
  CandidatePairInfo,
  IceRole,
  IceState,
  Transmit,
} from "../ice/types.js";
import { warmUpIce } from "../ice/warm-up.js";
import type { TurnError } from "../turn/errors.js";
import {
  resolveStunServers,
  resolveTurnServers,
  type StunServerOption,
  type TurnServerOption,
} from "./ice-servers.js";
import { selectAddresses, type AddressSelection } from "./interfaces.js";
import { cryptoRng } from "./rng.js";
import { bindUdp, RemoteNames, SocketTable, type PortRange } from "./sockets.js";
import { TurnStreams } from "./turn-streams.js";

/** Options of {@link IceConnection.create}: the agent's, plus where to bind. */
export interface IceConnectionOptions
  extends Omit<AgentOptions, "rng" | "stunServers" | "turnServers">, AddressSelection {
  /** TURN servers, as RFC 7065 URIs or structured; host names are resolved. No default server. */
  readonly turnServers?: readonly TurnServerOption[];
  /** @default cryptoRng */
  readonly rng?: Rng;
  /** STUN servers as `host:port`, structured, or addresses (names are resolved). No default server. */
  readonly stunServers?: readonly StunServerOption[];
  /** Local ports to bind, inclusive. @default any port the OS picks */
  readonly portRange?: PortRange;
  /**
   * Before the first connection of the process, connect two agents in memory once so that V8
   * has compiled the hot paths: a few ms spent here instead of during the first connectivity
   * checks (see `warmUpIce`). @default true
   */
  readonly warmUp?: boolean;
}

let warmedUp = false;

/** Events of an {@link IceConnection}, with their listener arguments. */
export interface IceConnectionEvents {
  "local-candidate": [candidate: Candidate];
  "gathering-complete": [];
  state: [component: number, state: IceState];
  "agent-state": [state: IceState];
  "selected-pair": [pair: CandidatePairInfo];
  data: [component: number, data: Uint8Array];
  role: [role: IceRole];
  "local-credentials": [credentials: { ufrag: string; pwd: string }];
  "stun-server-error": [server: TransportAddress, error: StunServerError];
  "turn-error": [server: TransportAddress, error: TurnError];
  error: [error: Error];
}

/** A running ICE agent on UDP sockets. Create it with {@link IceConnection.create}. */
export class IceConnection extends EventEmitter<IceConnectionEvents> {
  /** The sans-IO agent (read-only use: its state and stats). */
  readonly agent: IceAgent;
  private readonly sockets = new SocketTable();
  private readonly remoteNames = new RemoteNames();
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closing: Promise<void> | undefined;
  /** Per component, the function a DatagramChannel registered to receive its data directly. */
  private readonly receivers = new Map<number, (data: Uint8Array) => void>();
  private readonly streams = new TurnStreams({
    data: (stream, chunk) =>
      this.input(() => this.agent.handleStreamData(this.now(), stream, chunk)),
    closed: (stream, cause) => {
      if (this.closing === undefined)
        this.input(() => this.agent.handleStreamClosed(this.now(), stream, cause));
    },
  });

  private constructor(agent: IceAgent) {
    super();
    this.agent = agent;
  }

  /** Binds one socket per selected local address and component, and resolves the servers. */
  static async create(options: IceConnectionOptions): Promise<IceConnection> {
    const stunServers = await resolveStunServers(options.stunServers ?? []);
    const turnServers = await resolveTurnServers(options.turnServers ?? []);
    if (!warmedUp && options.warmUp !== false) {
      warmedUp = true;
      warmUpIce();
    }
    const agent = new IceAgent({
      ...options,
      rng: options.rng ?? cryptoRng,
      stunServers,
      turnServers,
    });
    const connection = new IceConnection(agent);
    const components = options.components ?? 1;
    const addresses = selectAddresses(options);
    try {
      for (let component = 1; component <= components; component++) {
        for (const local of addresses) {
          const socket = await bindUdp(local.family, local.address, options.portRange);
          const port = socket.address().port;
          const address: TransportAddress = { family: local.family, address: local.address, port };
          connection.sockets.add(address, socket);
          socket.on("message", (data, remote) => connection.receive(address, data, remote));
          socket.on("error", (error) => connection.emit("error", error));
          agent.addHostAddress(connection.now(), component, address);
        }
      }
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  /**
   * Registers the receiver of `component`'s datagrams (used by {@link DatagramChannel}; one per
   * component). Returns a function that unregisters it.
   */
  attachReceiver(component: number, receive: (data: Uint8Array) => void): () => void {
    if (this.receivers.has(component))
      throw new Error(`component ${component} already has a channel`);
    this.receivers.set(component, receive);
    return () => {
      if (this.receivers.get(component) === receive) this.receivers.delete(component);
    };
  }

  /** Milliseconds on the driver's monotonic clock. */
  now(): number {
    return performance.now() - this.started;
  }

  /** Our ufrag and password. */
  get localCredentials(): { readonly ufrag: string; readonly pwd: string } {
    return this.agent.localCredentials;
  }

  /** Starts gathering: host candidates now, server-reflexive ones as servers answer. */
  startGathering(): void {
    this.input(() => this.agent.startGathering(this.now()));
  }

  setRemoteCredentials(ufrag: string, pwd: string): void {
    this.input(() => this.agent.setRemoteCredentials(this.now(), ufrag, pwd));
  }

  /** Returns false when the candidate is ignored (see `IceAgent.addRemoteCandidate`). */
  addRemoteCandidate(candidate: RemoteCandidateInput): boolean {
    return this.input(() => this.agent.addRemoteCandidate(this.now(), candidate));
  }

  endOfRemoteCandidates(): void {
    this.input(() => this.agent.endOfRemoteCandidates(this.now()));
  }

  setRole(role: IceRole): void {
    this.input(() => this.agent.setRole(this.now(), role));
  }

  /** ICE restart: new credentials (see the `local-credentials` event). */
  restart(): void {
    this.input(() => this.agent.restart(this.now()));
  }

  /** Sends a datagram on `component`; false when no validated pair exists yet. */
  send(component: number, data: Uint8Array): boolean {
    const sent = this.agent.send(this.now(), component, data);
    this.flush();
    return sent;
  }

  /** The selected pair of `component`, if any. */
  selectedPair(component = 1): CandidatePairInfo | undefined {
    return this.agent.selectedPair(component);
  }

  /** Agent counters. */
  stats(): AgentStats {
    return this.agent.stats();
  }

  /** Stops the agent and releases every socket, stream and the timer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.input(() => this.agent.close(this.now()));
      clearTimeout(this.timer);
      this.timer = undefined;
      // Let the last datagrams (TURN deallocations) leave before the sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      this.streams.endAll();
      await this.sockets.closeAll();
    })();
    return this.closing;
  }

  private receive(
    local: TransportAddress,
    data: Buffer,
    remote: { address: string; port: number },
  ): void {
    const from = this.remoteNames.parse(remote);
    if (from === undefined) return;
    this.agent.handleDatagram(this.now(), { local, remote: from, data });
    this.flush();
  }

  /** Runs one input, then {@link flush}. */
  private input<T>(apply: () => T): T {
    const result = apply();
    this.flush();
    return result;
  }

  /**
   * Drains the agent: takes its events, performs its transmits in order, re-arms the timer,
   * then emits the events (so no listener runs inside a half-drained agent).
   */
  private flush(): void {
    const events: AgentEvent[] = [];
    for (let event; (event = this.agent.pollEvent());) events.push(event);
    for (let transmit; (transmit = this.agent.pollTransmit());) this.perform(transmit);
    this.arm();
    for (const event of events) this.dispatch(event);
  }

  /** One transmit: a datagram, or a stream to a TURN server opened, written or closed. */
  private perform(transmit: Transmit): void {
    switch (transmit.type) {
      case "datagram":
        // Send errors arrive as the socket's "error" event.
        this.sockets
          .at(transmit.local)
          ?.send(transmit.data, transmit.remote.port, transmit.remote.address);
        break;
      case "stream-open":
        this.streams.open(transmit.stream, transmit.local, transmit.server);
        break;
      case "stream-data":
        this.streams.write(transmit.stream, transmit.data);
        break;
      case "stream-close":
        this.streams.end(transmit.stream);
        break;
    }
  }

  /** Keeps exactly one timer, at the agent's deadline. */
  private arm(): void {
    const at = this.agent.pollTimeout();
    if (at === this.timerAt && this.timer !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.input(() => this.agent.handleTimeout(this.now()));
      },
      Math.max(0, at - this.now()),
    );
  }

  private dispatch(event: AgentEvent): void {
    switch (event.type) {
      case "local-candidate":
        this.emit("local-candidate", event.candidate);
        break;
      case "gathering-complete":
        this.emit("gathering-complete");
        break;
      case "state":
        this.emit("state", event.component, event.state);
        break;
      case "agent-state":
        this.emit("agent-state", event.state);
        break;
      case "selected-pair":
        this.emit("selected-pair", {
          component: event.component,
          local: event.local,
          remote: event.remote,
        });
        break;
      case "data": {
        // A channel gets its datagrams without a trip through the event emitter (the data path).
        this.receivers.get(event.component)?.(event.data);
        if (this.listenerCount("data") > 0) this.emit("data", event.component, event.data);
        break;
      }
      case "role":
        this.emit("role", event.role);
        break;
      case "local-credentials":
        this.emit("local-credentials", { ufrag: event.ufrag, pwd: event.pwd });
        break;
      case "stun-server-error":
        this.emit("stun-server-error", event.server, event.error);
        break;
      case "turn-error":
        this.emit("turn-error", event.server, event.error);
        break;
    }
  }
}
