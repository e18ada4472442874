/**
 * Shared pieces of the TURN client tests: a simulator endpoint that owns one {@link TurnClient}
 * (its datagrams go to the client's current server from the endpoint's bound address), an echo
 * peer on the internet, and a world with a {@link SimTurnServer} on 198.51.100.2:3478 and two
 * peers, all on one "internet" with 10 ms one-way latency (a round trip is 20 ms).
 */
import type { TransportAddress } from "../../src/common/address.js";
import { sameAddress } from "../../src/ice/candidate.js";
import { StunMethod, decodeStunMessage } from "../../src/stun/index.js";
import {
  TurnClient,
  type TurnClientEvent,
  type TurnClientOptions,
  zeroTurnClientStats,
} from "../../src/turn/client.js";
import type { Attachment } from "../sim/attachment.js";
import type { Network } from "../sim/network.js";
import { Simulator } from "../sim/simulator.js";
import {
  SimTurnServer,
  zeroTurnServerCounters,
  type TurnServerOptions,
} from "../sim/turn-server.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import type { SimDatagram } from "../sim/types.js";

export const v4 = (address: string, port: number): TransportAddress => ({
  family: "IPv4",
  address,
  port,
});

export const SERVER = v4("198.51.100.2", 3478);
/** The first relayed port the server binds on its host. */
export const RELAY = v4("198.51.100.2", 50000);
export const PEER = v4("203.0.113.9", 5000);
export const OTHER_PEER = v4("203.0.113.10", 5000);
export const CLIENT = v4("192.0.2.10", 4000);

/** Names for what the client sends: the STUN method (and class when not a request) or ChannelData. */
const methodNames = new Map<number, string>(
  Object.entries(StunMethod).map(([name, code]) => [code, name]),
);
export function describeMessage(bytes: Uint8Array): string {
  const first = bytes[0] ?? 0;
  if (first >= 0x40 && first <= 0x4f) return "ChannelData";
  const message = decodeStunMessage(bytes);
  const name = methodNames.get(message.method) ?? `0x${message.method.toString(16)}`;
  return message.class === "request" ? name : `${name} ${message.class}`;
}

/** A simulator endpoint around one TurnClient; events are kept with the virtual time. */
export class TurnEndpoint implements DatagramSansIo<SimDatagram, never> {
  readonly client: TurnClient;
  /** Every event, with the virtual time it was drained. */
  readonly events: { readonly at: number; readonly event: TurnClientEvent }[] = [];
  /** Every message sent to a server, in order. */
  readonly sent: {
    readonly at: number;
    readonly to: TransportAddress;
    readonly data: Uint8Array;
  }[] = [];
  private local: TransportAddress | undefined;

  constructor(
    private readonly sim: Simulator,
    options: TurnClientOptions,
  ) {
    this.client = new TurnClient(options);
  }

  useAttachment(attachment: Attachment): void {
    this.local = attachment.addresses[0];
  }

  /** The kinds of the messages sent so far (see {@link describeMessage}). */
  sentKinds(): string[] {
    return this.sent.map((s) => describeMessage(s.data));
  }

  /** Event types so far. */
  eventTypes(): string[] {
    return this.events.map((e) => e.event.type);
  }

  /** The first event of `type`, typed. */
  event<T extends TurnClientEvent["type"]>(
    type: T,
  ): { at: number; event: Extract<TurnClientEvent, { type: T }> } | undefined {
    const found = this.events.find((e) => e.event.type === type);
    return found as { at: number; event: Extract<TurnClientEvent, { type: T }> } | undefined;
  }

  handleDatagram(now: number, datagram: SimDatagram): boolean {
    if (!sameAddress(datagram.remote, this.client.server)) return false;
    const handled = this.client.handleMessage(now, datagram.data);
    this.drainEvents();
    return handled;
  }

  handleTimeout(now: number): void {
    this.client.handleTimeout(now);
    this.drainEvents();
  }

  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimDatagram | undefined {
    this.drainEvents();
    const data = this.client.pollTransmit();
    if (data === undefined) return undefined;
    if (this.local === undefined) throw new Error("TurnEndpoint: call useAttachment() first");
    const to = this.client.server;
    this.sent.push({ at: this.sim.now, to, data });
    return { local: this.local, remote: to, data };
  }

  pollTimeout(): number | undefined {
    this.drainEvents();
    return this.client.pollTimeout();
  }

  private drainEvents(): void {
    for (let event; (event = this.client.pollEvent());) {
      this.events.push({ at: this.sim.now, event });
    }
  }
}

/** A peer on the internet: records what arrives and, when `echo` is on, sends it back. */
export class EchoPeer implements DatagramSansIo<SimDatagram, never> {
  readonly received: {
    readonly at: number;
    readonly from: TransportAddress;
    readonly text: string;
  }[] = [];
  private readonly outbox: SimDatagram[] = [];

  constructor(public echo = true) {}

  send(local: TransportAddress, remote: TransportAddress, text: string): void {
    this.outbox.push({ local, remote, data: new TextEncoder().encode(text) });
  }

  handleDatagram(now: number, datagram: SimDatagram): boolean {
    this.received.push({
      at: now,
      from: datagram.remote,
      text: new TextDecoder().decode(datagram.data),
    });
    if (this.echo) {
      this.outbox.push({ local: datagram.local, remote: datagram.remote, data: datagram.data });
    }
    return true;
  }

  handleTimeout(): void {}

  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimDatagram | undefined {
    return this.outbox.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** The "data" events of an endpoint as `peer-ip:port text`. */
export function dataOf(ep: TurnEndpoint): string[] {
  return ep.events.flatMap(({ event }) =>
    event.type === "data" ? [`${event.peer.address}:${event.peer.port} ${text(event.data)}`] : [],
  );
}

/** A world: simulator, internet, TURN server, two echo peers, and TURN clients on demand. */
export function world(
  options: Partial<TurnServerOptions> = {},
  seed = 1,
): {
  sim: Simulator;
  internet: Network;
  server: SimTurnServer;
  serverAtt: Attachment;
  peer: EchoPeer;
  peerAtt: Attachment;
  other: EchoPeer;
  otherAtt: Attachment;
  client: (
    extra?: Partial<TurnClientOptions>,
    at?: TransportAddress,
  ) => { ep: TurnEndpoint; att: Attachment };
  turnServer: (ip: string, extra?: Partial<TurnServerOptions>) => SimTurnServer;
} {
  const sim = new Simulator({ seed });
  const internet = sim.network("internet", { latency: 10 });
  const turnServer = (ip: string, extra: Partial<TurnServerOptions> = {}): SimTurnServer => {
    const server = new SimTurnServer({
      rng: sim.rng(`turn-${ip}`),
      users: { alice: "alice-pw", bob: "bob-pw" },
      ...extra,
    });
    const att = sim.attach(sim.host(`turn-${ip}`, { ip, on: internet }), server, [{ port: 3478 }]);
    server.useAttachment(att);
    return server;
  };
  const server = new SimTurnServer({
    rng: sim.rng("turn"),
    users: { alice: "alice-pw", bob: "bob-pw" },
    ...options,
  });
  const serverAtt = sim.attach(sim.host("turn", { ip: SERVER.address, on: internet }), server, [
    { port: SERVER.port },
  ]);
  server.useAttachment(serverAtt);
  const peer = new EchoPeer();
  const peerAtt = sim.attach(sim.host("peer", { ip: PEER.address, on: internet }), peer, [
    { port: PEER.port },
  ]);
  const other = new EchoPeer();
  const otherAtt = sim.attach(sim.host("other", { ip: OTHER_PEER.address, on: internet }), other, [
    { port: OTHER_PEER.port },
  ]);
  const hosts = new Map<string, ReturnType<typeof sim.host>>();
  const client = (extra: Partial<TurnClientOptions> = {}, at = CLIENT) => {
    let host = hosts.get(at.address);
    if (host === undefined) {
      host = sim.host(`client-${at.address}`, { ip: at.address, on: internet });
      hosts.set(at.address, host);
    }
    const ep = new TurnEndpoint(sim, {
      server: SERVER,
      username: "alice",
      password: "alice-pw",
      rng: sim.rng(`client-${at.address}-${at.port}`),
      ...extra,
    });
    const att = sim.attach(host, ep, [{ port: at.port }]);
    ep.useAttachment(att);
    return { ep, att };
  };
  return { sim, internet, server, serverAtt, peer, peerAtt, other, otherAtt, client, turnServer };
}

/** A started client, run until it allocated (or failed), with 100 ms to settle. */
export function allocated(
  w: ReturnType<typeof world>,
  extra: Partial<TurnClientOptions> = {},
  at = CLIENT,
): { ep: TurnEndpoint; att: Attachment } {
  const c = w.client(extra, at);
  c.att.input((now) => c.ep.client.start(now));
  w.sim.run({ maxTime: w.sim.now + 100 });
  return c;
}

/** Client counters, all zero: tests spread what they expect over it and compare exactly. */
export const zeroStats = zeroTurnClientStats;

/** Server counters, all zero. */
export const zeroCounters = zeroTurnServerCounters;
