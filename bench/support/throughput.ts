// Datagram throughput through a jingle-ice DatagramChannel versus a raw node:dgram socket pair,
// both on 127.0.0.1 in this process. A sender keeps `window` datagrams in flight: it sends a
// burst, and sends the next one each time the receiver got one, so the kernel's socket buffer
// never overflows and both paths do the same work per datagram. Used by bench/connect.ts.
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import type * as Package from "../../src/index.js";
import type * as TurnLayer from "../../src/turn/index.js";

/** One throughput figure. */
export interface Throughput {
  readonly datagramsPerSecond: number;
  readonly megabitsPerSecond: number;
}

/** A one-way datagram path: `send` from one end, `onMessage` at the other. */
export interface Path {
  send(data: Uint8Array): void;
  onMessage(listener: () => void): void;
  close(): Promise<void>;
}

/** Keeps `window` datagrams in flight on `path` for `seconds` and returns the rate. */
export async function measurePath(
  path: Path,
  size: number,
  seconds: number,
  window: number,
): Promise<Throughput> {
  const payload = new Uint8Array(size).fill(0x61);
  let received = 0;
  let sent = 0;
  let stopAt = Infinity;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  stopAt = started + seconds * 1000;
  path.onMessage(() => {
    received++;
    if (performance.now() < stopAt) {
      path.send(payload);
      sent++;
    } else if (received === sent) done();
  });
  for (let i = 0; i < window; i++) {
    path.send(payload);
    sent++;
  }
  // A lost datagram would stall the window; end the run at the deadline plus a grace period.
  const guard = setTimeout(done, seconds * 1000 + 1000);
  await finished;
  clearTimeout(guard);
  const elapsed = (performance.now() - started) / 1000;
  return {
    datagramsPerSecond: received / elapsed,
    megabitsPerSecond: (received * size * 8) / elapsed / 1e6,
  };
}

async function rawPath(): Promise<Path> {
  const bindOne = async (): Promise<Socket> => {
    const socket = createSocket("udp4");
    socket.bind(0, "127.0.0.1");
    await once(socket, "listening");
    return socket;
  };
  const a = await bindOne();
  const b = await bindOne();
  const port = b.address().port;
  return {
    send: (data) => a.send(data, port, "127.0.0.1"),
    onMessage: (listener) => b.on("message", listener),
    close: async () => {
      a.close();
      b.close();
    },
  };
}

/**
 * The relayed baseline: raw node:dgram sockets that speak TURN themselves — each allocates with
 * a bare TurnClient (no ICE), installs a permission and binds a channel for the other's relayed
 * address, then sends ChannelData — so the datagrams cross the same coturn with the least
 * possible work around them.
 */
async function rawRelayPath(relay: RelaySetup, port: number): Promise<Path> {
  const pkg = (await import(
    new URL("../../dist/index.js", import.meta.url).href
  )) as typeof Package;
  const turn = (await import(
    new URL("../../dist/turn/index.js", import.meta.url).href
  )) as typeof TurnLayer;
  const server = { family: "IPv4" as const, address: "127.0.0.1", port };
  const ends = await Promise.all(
    relay.users.map(async (user) => {
      const socket = createSocket("udp4");
      socket.bind(0, "127.0.0.1");
      await once(socket, "listening");
      const client = new turn.TurnClient({
        server,
        username: user.username,
        password: user.password,
        rng: pkg.cryptoRng,
      });
      const listeners: ((data: Uint8Array) => void)[] = [];
      let allocated: () => void = () => {};
      const ready = new Promise<void>((resolve) => (allocated = resolve));
      const pump = (): void => {
        for (let out; (out = client.pollTransmit());) socket.send(out, server.port, server.address);
        for (let event; (event = client.pollEvent());) {
          if (event.type === "allocated") allocated();
          else if (event.type === "data") for (const l of listeners) l(event.data);
        }
      };
      socket.on("message", (data) => {
        client.handleMessage(performance.now(), data);
        pump();
      });
      client.start(performance.now());
      pump();
      await ready;
      return { socket, client, pump, listeners };
    }),
  );
  const [a, b] = ends as [(typeof ends)[0], (typeof ends)[0]];
  // Permissions and channels both ways, then wait for the channels to be bound.
  for (let i = 0; i < 3; i++) {
    a.client.send(performance.now(), b.client.relayed!, new Uint8Array(1));
    b.client.send(performance.now(), a.client.relayed!, new Uint8Array(1));
    a.pump();
    b.pump();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    send: (data) => {
      a.client.send(0, b.client.relayed!, data);
      a.pump();
    },
    onMessage: (listener) => b.listeners.push(() => listener()),
    close: async () => {
      for (const end of [a, b]) {
        end.client.close(performance.now());
        end.pump();
      }
      await new Promise((resolve) => setImmediate(resolve));
      a.socket.close();
      b.socket.close();
    },
  };
}

/** TURN settings for a relay-only channel (both ends allocate on the same server). */
export interface RelaySetup {
  readonly urls: string;
  /** The server's UDP port on 127.0.0.1 (for the raw relayed baseline). */
  readonly port: number;
  readonly users: readonly [
    { username: string; password: string },
    { username: string; password: string },
  ];
}

// The channel is measured as users run it: the compiled JavaScript in dist/ (npm run build).
async function channelPath(relay?: RelaySetup): Promise<Path> {
  const driver = (await import(
    new URL("../../dist/index.js", import.meta.url).href
  )) as typeof Package;
  const turn = (i: 0 | 1) =>
    relay === undefined
      ? {}
      : { relayOnly: true, turnServers: [{ urls: relay.urls, ...relay.users[i] }] };
  const a = await driver.IceConnection.create({
    role: "controlling",
    addresses: ["127.0.0.1"],
    ...turn(0),
  });
  const b = await driver.IceConnection.create({
    role: "controlled",
    addresses: ["127.0.0.1"],
    ...turn(1),
  });
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(driver.toRemoteCandidateInput(c)));
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
  const problems: string[] = [];
  for (const side of [a, b])
    side.on("turn-error", (_server, error) => problems.push(error.message));
  const ready = Promise.all([once(a, "selected-pair"), once(b, "selected-pair")]);
  a.startGathering();
  b.startGathering();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the channel did not connect in 10 s ${JSON.stringify(problems)}`)),
      10_000,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const sender = new driver.DatagramChannel(a);
  const receiver = new driver.DatagramChannel(b);
  return {
    send: (data) => void sender.send(data),
    onMessage: (listener) => receiver.on("message", listener),
    close: async () => {
      await sender.close();
      await receiver.close();
    },
  };
}

/**
 * Measures raw dgram and the channel alternately, `rounds` times each. With `relay`, the
 * channel is relay-only through that TURN server (and a third series, `relayed`, is measured).
 */
export async function compareThroughput(
  size: number,
  seconds: number,
  rounds: number,
  window = 32,
  relay?: RelaySetup,
): Promise<{
  raw: Throughput[];
  channel: Throughput[];
  relayed: Throughput[];
  rawRelayed: Throughput[];
}> {
  const raw: Throughput[] = [];
  const channel: Throughput[] = [];
  const relayed: Throughput[] = [];
  const rawRelayed: Throughput[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [make, into] of round % 2 === 0
      ? ([
          [rawPath, raw],
          [() => channelPath(), channel],
        ] as const)
      : ([
          [() => channelPath(), channel],
          [rawPath, raw],
        ] as const)) {
      const path = await make();
      into.push(await measurePath(path, size, seconds, window));
      await path.close();
    }
    if (relay !== undefined) {
      const path = await channelPath(relay);
      relayed.push(await measurePath(path, size, seconds, window));
      await path.close();
      const bare = await rawRelayPath(relay, relay.port);
      rawRelayed.push(await measurePath(bare, size, seconds, window));
      await bare.close();
    }
  }
  return { raw, channel, relayed, rawRelayed };
}
