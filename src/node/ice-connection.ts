/**
 * The Node driver: runs one {@link IceAgent} on real UDP sockets. It binds the sockets, resolves
 * STUN server names, feeds datagrams and timeouts in, sends what the agent drains, keeps exactly
 * one timer, and emits events only after the agent is drained (DESIGN.md §2), so a listener that
 * calls `send()` never runs inside a half-drained engine.
 */
import { createSocket, type Socket } from "node:dgram";
import { connect as connectTcp, type Socket as TcpSocket } from "node:net";
import { connect as connectTls } from "node:tls";
import { lookup } from "node:dns/promises";
import { EventEmitter } from "node:events";
import { canonicalIp, ipFamily, type TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { IceAgent } from "../ice/agent.js";
import { warmUpIce } from "../ice/warm-up.js";
import type { RemoteCandidateInput } from "../ice/candidate.js";
import type {
  AgentEvent,
  AgentOptions,
  AgentStats,
  CandidatePairInfo,
  IceRole,
  IceState,
  Transmit,
  TurnServer,
} from "../ice/types.js";
import type { StunServerError } from "../ice/errors.js";
import type { TurnError } from "../turn/errors.js";
import { parseTurnUri } from "../turn/uri.js";
import { SocketBindError } from "./errors.js";
import { selectAddresses, type AddressSelection } from "./interfaces.js";
import { cryptoRng } from "./rng.js";

/** A TURN server as `IceConnection` takes it (like WebRTC's RTCIceServer). */
export interface TurnServerConfig {
  /** RFC 7065 URIs, e.g. `turn:turn.example.org?transport=tcp` or `turns:turn.example.org`. */
  readonly urls: string | readonly string[];
  readonly username: string;
  readonly password: string;
  /** CA certificates (PEM) to verify a `turns:` server with, instead of the system's. */
  readonly ca?: string | readonly string[];
}

/** Options of {@link IceConnection.create}: the agent's, plus where to bind. */
export interface IceConnectionOptions
  extends Omit<AgentOptions, "rng" | "stunServers" | "turnServers">, AddressSelection {
  /** TURN servers; host names are resolved. No default server. */
  readonly turnServers?: readonly TurnServerConfig[];
  /** @default cryptoRng */
  readonly rng?: Rng;
  /** STUN servers as `host:port` (names are resolved) or addresses. No default server. */
  readonly stunServers?: readonly (string | TransportAddress)[];
  /** Local ports to bind, inclusive. @default any port the OS picks */
  readonly portRange?: { readonly min: number; readonly max: number };
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
  "local-candidate": [candidate: Extract<AgentEvent, { type: "local-candidate" }>["candidate"]];
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
  /** Sockets by the very address objects handed to the agent (transmits carry them back). */
  private readonly sockets = new Map<TransportAddress, Socket>();
  /** rinfo.address text → canonical remote address parts, so each datagram skips the parsing. */
  private readonly remoteNames = new Map<
    string,
    { family: "IPv4" | "IPv6"; address: string } | null
  >();
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closing: Promise<void> | undefined;
  /** Per component, the function a DatagramChannel registered to receive its data directly. */
  private readonly receivers = new Map<number, (data: Uint8Array) => void>();
  /** TCP/TLS streams to TURN servers, by the agent's stream id. */
  private readonly streams = new Map<number, TcpSocket>();
  /** TLS settings per TURN server address (`address|port`). */
  private readonly tlsSettings = new Map<
    string,
    { servername: string; ca: string[] | undefined }
  >();

  private constructor(agent: IceAgent) {
    super();
    this.agent = agent;
  }

  /** Binds one socket per selected local address and component, and resolves STUN servers. */
  static async create(options: IceConnectionOptions): Promise<IceConnection> {
    const stunServers = await Promise.all((options.stunServers ?? []).map(resolveServer));
    const turn = await resolveTurnServers(options.turnServers ?? []);
    if (!warmedUp && options.warmUp !== false) {
      warmedUp = true;
      warmUpIce();
    }
    const agent = new IceAgent({
      ...options,
      rng: options.rng ?? cryptoRng,
      stunServers: stunServers.flat(),
      turnServers: turn.map((t) => t.server),
    });
    const connection = new IceConnection(agent);
    for (const t of turn) {
      if (t.tls !== undefined)
        connection.tlsSettings.set(`${t.server.server.address}|${t.server.server.port}`, t.tls);
    }
    const components = options.components ?? 1;
    const addresses = selectAddresses(options);
    try {
      for (let component = 1; component <= components; component++) {
        for (const local of addresses) {
          const socket = await bind(local.family, local.address, options.portRange);
          const port = socket.address().port;
          const address: TransportAddress = { family: local.family, address: local.address, port };
          connection.sockets.set(address, socket);
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

  /** Stops the agent and releases every socket and the timer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.input(() => this.agent.close(this.now()));
      clearTimeout(this.timer);
      this.timer = undefined;
      // Let the last datagrams (TURN deallocations) leave before the sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      for (const stream of this.streams.values()) stream.end();
      await Promise.all(
        [...this.sockets.values()].map(
          (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
        ),
      );
      this.sockets.clear();
    })();
    return this.closing;
  }

  private receive(
    local: TransportAddress,
    data: Buffer,
    remote: { address: string; port: number },
  ): void {
    let name = this.remoteNames.get(remote.address);
    if (name === undefined) {
      const address = canonicalIp(remote.address);
      const family = address === undefined ? undefined : ipFamily(address);
      name = address === undefined || family === undefined ? null : { family, address };
      if (this.remoteNames.size >= 1024) this.remoteNames.clear();
      this.remoteNames.set(remote.address, name);
    }
    if (name === null) return;
    const from: TransportAddress = {
      family: name.family,
      address: name.address,
      port: remote.port,
    };
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
      case "datagram": {
        const socket = this.sockets.get(transmit.local) ?? this.socketAt(transmit.local);
        // Send errors arrive as the socket's "error" event.
        socket?.send(transmit.data, transmit.remote.port, transmit.remote.address);
        break;
      }
      case "stream-open":
        this.openStream(transmit.stream, transmit.transport, transmit.server, transmit.local);
        break;
      case "stream-data":
        this.streams.get(transmit.stream)?.write(transmit.data);
        break;
      case "stream-close":
        this.streams.get(transmit.stream)?.end();
        break;
    }
  }

  /** Opens a TCP or TLS connection to a TURN server for the agent (RFC 8656 §3.1, RFC 7065). */
  private openStream(
    id: number,
    transport: "tcp" | "tls",
    server: TransportAddress,
    local: TransportAddress,
  ): void {
    const options = { host: server.address, port: server.port, localAddress: local.address };
    const tls = this.tlsSettings.get(`${server.address}|${server.port}`);
    // SNI carries host names only (RFC 6066 §3); an IP literal is checked against the
    // certificate's IP SANs by Node without it.
    const servername =
      tls !== undefined && ipFamily(tls.servername) === undefined ? tls.servername : undefined;
    const socket =
      transport === "tls"
        ? connectTls({
            ...options,
            ...(servername === undefined ? {} : { servername }),
            ...(tls?.ca ? { ca: tls.ca } : {}),
          })
        : connectTcp(options);
    socket.setNoDelay(true);
    this.streams.set(id, socket);
    socket.on("data", (chunk: Buffer) => {
      this.agent.handleStreamData(this.now(), id, chunk);
      this.flush();
    });
    let cause: Error | undefined;
    socket.on("error", (error) => {
      cause = error;
    });
    socket.on("close", () => {
      this.streams.delete(id);
      if (this.closing !== undefined) return;
      this.agent.handleStreamClosed(this.now(), id, cause);
      this.flush();
    });
  }

  private socketAt(local: TransportAddress): Socket | undefined {
    for (const [address, socket] of this.sockets) {
      if (address.port === local.port && address.address === local.address) return socket;
    }
    return undefined;
  }

  private arm(): void {
    const at = this.agent.pollTimeout() ?? Infinity;
    if (at === this.timerAt && this.timer !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
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

async function resolveServer(server: string | TransportAddress): Promise<TransportAddress[]> {
  if (typeof server !== "string") return [server];
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(server);
  if (match === null) throw new TypeError(`STUN server must be host:port, got ${server}`);
  const host = match[1]!;
  const port = Number(match[2]);
  const literal = ipFamily(host);
  if (literal !== undefined) return [{ family: literal, address: canonicalIp(host)!, port }];
  const results = await lookup(host, { all: true });
  return results.map((r) => ({
    family: r.family === 6 ? "IPv6" : "IPv4",
    address: canonicalIp(r.address)!,
    port,
  }));
}

async function bind(
  family: "IPv4" | "IPv6",
  address: string,
  range: { readonly min: number; readonly max: number } | undefined,
): Promise<Socket> {
  const ports =
    range === undefined
      ? [0]
      : Array.from({ length: range.max - range.min + 1 }, (_, i) => range.min + i);
  let lastError: unknown;
  for (const port of ports) {
    const socket = createSocket({
      type: family === "IPv6" ? "udp6" : "udp4",
      ipv6Only: family === "IPv6",
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ address, port, exclusive: true }, () => {
          socket.off("error", reject);
          resolve();
        });
      });
      return socket;
    } catch (error) {
      lastError = error;
      socket.close();
    }
  }
  throw new SocketBindError(address, range ? `ports ${range.min}-${range.max}` : "any port", {
    cause: lastError,
  });
}

interface ResolvedTurn {
  readonly server: TurnServer;
  readonly tls: { servername: string; ca: string[] | undefined } | undefined;
}

/** Parses the URIs and resolves host names: one agent TurnServer per URI and address. */
async function resolveTurnServers(configs: readonly TurnServerConfig[]): Promise<ResolvedTurn[]> {
  const resolved: ResolvedTurn[] = [];
  for (const config of configs) {
    for (const url of typeof config.urls === "string" ? [config.urls] : config.urls) {
      const uri = parseTurnUri(url);
      for (const server of await resolveServer(`[${uri.host}]:${uri.port}`)) {
        resolved.push({
          server: {
            server,
            transport: uri.transport,
            username: config.username,
            password: config.password,
          },
          tls:
            uri.transport === "tls"
              ? {
                  servername: uri.host,
                  ca: config.ca === undefined ? undefined : [config.ca].flat(),
                }
              : undefined,
        });
      }
    }
  }
  return resolved;
}
