/**
 * The agent's TURN side (RFC 8445 §5.1.1.2 with RFC 8656): one {@link TurnClient} per TURN
 * server and host socket of the server's family, over UDP (the host socket itself) or over a
 * TCP/TLS stream that the driver opens when asked (a `stream-open` transmit). It routes what the
 * agent sends from a relayed candidate through the right allocation, and reports what the
 * allocations receive. A sans-IO machine of its own (`src/common/sans-io.ts`): its transmits are
 * the agent's, its events are for the agent.
 */
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { earliest, Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { StunDecodeError } from "../stun/errors.js";
import { streamFrameLength } from "../turn/channel-data.js";
import { TurnClient } from "../turn/client.js";
import { TurnError } from "../turn/errors.js";
import { sameAddress, type LocalCandidate } from "./candidate.js";
import type { ResolvedTurnServer } from "../turn/server.js";
import type { RelayStats, Transmit } from "./types.js";

/** What the relays tell the agent. */
export type RelayEvent =
  | {
      readonly type: "allocated";
      readonly socket: LocalCandidate;
      readonly relayed: TransportAddress;
      readonly mapped: TransportAddress;
      readonly server: TransportAddress;
    }
  | {
      readonly type: "failed";
      readonly server: TransportAddress;
      readonly relayed: TransportAddress | undefined;
      readonly error: TurnError;
    }
  | {
      readonly type: "data";
      readonly relayed: TransportAddress;
      readonly peer: TransportAddress;
      readonly data: Uint8Array;
    }
  | {
      readonly type: "permission-failed";
      readonly relayed: TransportAddress;
      readonly peer: TransportAddress;
      readonly error: TurnError;
    };

interface Relay {
  readonly client: TurnClient;
  readonly socket: LocalCandidate;
  readonly config: ResolvedTurnServer;
  readonly deadline: number;
  /** For TCP/TLS: the driver's stream id and the bytes not yet framed. */
  readonly stream: number | undefined;
  buffer: Uint8Array;
  settled: boolean;
}

/** One TURN client per server and host socket; owns the allocations and their streams. */
export class Relays implements SansIo<Transmit, RelayEvent> {
  private readonly relays: Relay[] = [];
  private readonly transmits = new Outbox<Transmit>();
  private readonly events = new Outbox<RelayEvent>();
  private nextStream = 1;

  constructor(
    private readonly servers: readonly ResolvedTurnServer[],
    private readonly rng: Rng,
    private readonly timeoutMs: number,
  ) {}

  /** Starts an allocation on every server for every host socket of its family. */
  start(now: number, sockets: readonly LocalCandidate[]): void {
    for (const socket of sockets) {
      if (socket.candidate.type !== "host") continue;
      for (const config of this.servers) {
        if (config.address.family !== socket.base.family) continue;
        const { transport } = config;
        const client = new TurnClient({
          server: config.address,
          transport,
          username: config.username,
          password: config.password,
          rng: this.rng,
        });
        const stream = transport === "udp" ? undefined : this.nextStream++;
        const relay: Relay = {
          client,
          socket,
          config,
          deadline: now + this.timeoutMs,
          stream,
          buffer: new Uint8Array(0),
          settled: false,
        };
        this.relays.push(relay);
        if (stream !== undefined)
          this.transmits.push({ type: "stream-open", stream, local: socket.base, server: config });
        client.start(now);
        this.collect(now, relay);
      }
    }
  }

  /** True while some allocation is neither done nor failed nor past its deadline. */
  get gathering(): boolean {
    return this.relays.some((r) => !r.settled);
  }

  /** The relay whose relayed address is `local`, if any. */
  private byRelayed(local: TransportAddress): Relay | undefined {
    return this.relays.find(
      (r) => r.client.relayed !== undefined && sameAddress(r.client.relayed, local),
    );
  }

  /** True when `local` is one of our relayed addresses. */
  isRelayed(local: TransportAddress): boolean {
    return this.relays.length > 0 && this.byRelayed(local) !== undefined;
  }

  /** Sends `data` from the relayed address `local` to `remote`; false when that relay is gone. */
  send(now: number, local: TransportAddress, remote: TransportAddress, data: Uint8Array): boolean {
    const relay = this.byRelayed(local);
    if (relay === undefined) return false;
    const sent = relay.client.send(now, remote, data);
    this.collect(now, relay);
    return sent;
  }

  /** A UDP datagram on a host socket: true when it came from one of our TURN servers. */
  handleDatagram(
    now: number,
    local: TransportAddress,
    remote: TransportAddress,
    data: Uint8Array,
  ): boolean {
    const relay = this.relays.find(
      (r) =>
        r.stream === undefined &&
        sameAddress(r.socket.base, local) &&
        sameAddress(r.client.server, remote),
    );
    if (relay === undefined) return false;
    const handled = relay.client.handleMessage(now, data);
    this.collect(now, relay);
    return handled;
  }

  /** Bytes from a TCP/TLS stream to a TURN server: reassembled into frames (RFC 8656 §12.5). */
  handleStreamData(now: number, stream: number, chunk: Uint8Array): void {
    const relay = this.relays.find((r) => r.stream === stream);
    if (relay === undefined) return;
    const buffer = new Uint8Array(relay.buffer.length + chunk.length);
    buffer.set(relay.buffer);
    buffer.set(chunk, relay.buffer.length);
    let offset = 0;
    try {
      for (;;) {
        const length = streamFrameLength(buffer.subarray(offset));
        if (length === undefined || offset + length > buffer.length) break;
        relay.client.handleMessage(now, buffer.subarray(offset, offset + length));
        offset += length;
      }
    } catch (error) {
      if (!(error instanceof StunDecodeError)) throw error;
      // Not TURN framing: the stream is unusable.
      relay.buffer = new Uint8Array(0);
      this.fail(
        now,
        relay,
        new TurnError("transport", 0, `stream framing: ${error.message}`, {
          errorName: "BadFraming",
          cause: error,
        }),
      );
      return;
    }
    relay.buffer = buffer.slice(offset);
    this.collect(now, relay);
  }

  /** The driver's stream to a TURN server closed or failed (`cause`: the socket's error). */
  handleStreamClosed(now: number, stream: number, cause?: Error): void {
    const relay = this.relays.find((r) => r.stream === stream);
    if (relay === undefined || relay.client.state === "closed") return;
    const reason = `connection closed: ${cause?.message ?? "closed by the server"}`;
    this.fail(
      now,
      relay,
      new TurnError("transport", 0, reason, { errorName: "ConnectionClosed", cause }),
    );
  }

  handleTimeout(now: number): void {
    for (const relay of this.relays) {
      relay.client.handleTimeout(now);
      if (!relay.settled && now >= relay.deadline && relay.client.state === "allocating") {
        const reason = `no allocation within ${this.timeoutMs} ms`;
        this.fail(now, relay, new TurnError("allocate", 0, reason));
      }
      this.collect(now, relay);
    }
  }

  pollTimeout(): Deadline {
    let next: Deadline;
    for (const relay of this.relays) {
      next = earliest(next, relay.client.pollTimeout());
      if (!relay.settled) next = earliest(next, relay.deadline);
    }
    return next;
  }

  /** Deallocates everything (the Refresh requests come out of {@link pollTransmit}). */
  close(now: number): void {
    for (const relay of this.relays) {
      relay.client.close(now);
      this.collect(now, relay);
      if (relay.stream !== undefined)
        this.transmits.push({ type: "stream-close", stream: relay.stream });
    }
  }

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): RelayEvent | undefined {
    return this.events.shift();
  }

  stats(): RelayStats[] {
    return this.relays.map((r) => ({
      server: r.client.server,
      transport: r.config.transport,
      state: r.client.state,
      ...r.client.stats(),
    }));
  }

  private fail(now: number, relay: Relay, error: TurnError): void {
    // What the client already produced (data that arrived before the failure) comes first.
    this.collect(now, relay);
    const relayed = relay.client.relayed;
    relay.client.close(now);
    relay.settled = true;
    this.events.push({ type: "failed", server: relay.client.server, relayed, error });
    this.collect(now, relay);
  }

  /** Moves a client's transmits and events into ours. */
  private collect(now: number, relay: Relay): void {
    const { client } = relay;
    for (let data; (data = client.pollTransmit());) {
      this.transmits.push(
        relay.stream === undefined
          ? { type: "datagram", local: relay.socket.base, remote: client.server, data }
          : { type: "stream-data", stream: relay.stream, data },
      );
    }
    for (let event; (event = client.pollEvent());) {
      switch (event.type) {
        case "allocated":
          relay.settled = true;
          this.events.push({
            type: "allocated",
            socket: relay.socket,
            relayed: event.relayed,
            mapped: event.mapped,
            server: client.server,
          });
          break;
        case "failed":
          relay.settled = true;
          this.events.push({
            type: "failed",
            server: client.server,
            relayed: client.relayed,
            error: event.error,
          });
          break;
        case "data":
          this.events.push({
            type: "data",
            relayed: client.relayed!,
            peer: event.peer,
            data: event.data,
          });
          break;
        case "permission-failed":
          this.events.push({
            type: "permission-failed",
            relayed: client.relayed!,
            peer: event.peer,
            error: event.error,
          });
          break;
        case "redirected":
          if (relay.stream !== undefined) {
            // The stream is connected to the first server; following the redirect would need a
            // new connection, which this version does not open.
            const { address, port } = event.server;
            const reason = `redirected to ${address}:${port}, not followed over ${relay.config.transport}`;
            this.fail(now, relay, new TurnError("allocate", 300, reason));
          }
          break;
        case "closed":
          break;
      }
    }
  }
}
