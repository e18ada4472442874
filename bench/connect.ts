// Connect-time and throughput benchmark, on 127.0.0.1 only.
//
// 1. Connect time, host ↔ host: for each stack (jingle-ice, libnice with regular and with
//    aggressive nomination, aioice), RUNS pairs of fresh peer processes (the `jingle-ice peer`
//    protocol; test/interop/ has the libnice and aioice peers). Each peer gathers first; then, at
//    t0, the harness hands both their peer's credentials, every candidate and end-of-candidates,
//    and measures until both have reported `connected`. So the figure is "both connected, from
//    credentials exchanged", gathering excluded, the same for every stack. It also shows the
//    larger of the two peers' own `connect_ms`.
// 2. The same, relay-only through a real coturn on 127.0.0.1 (started here; each peer allocates a
//    relayed candidate and offers nothing else).
// 3. Datagram throughput through a DatagramChannel against a raw node:dgram socket pair, in this
//    process (bench/support/throughput.ts), and through a relay-only channel via that coturn.
//
// Our peer and channel run from dist/ (the built package, as users run it): `npm run bench:connect`
// builds first. Tune with BENCH_RUNS (default 20), BENCH_SECONDS (throughput, default 1),
// BENCH_ROUNDS (throughput, default 3), BENCH_SIZE (bytes, default 1000).
import { existsSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import {
  REPO_ROOT,
  peerCommand,
  requirePeers,
  spawnPeer,
  type Peer,
  type PeerEvent,
  type PeerKind,
  type PeerOptions,
} from "../test/interop/harness.js";
import { startCoturn, type Coturn } from "../test/support/coturn.js";
import { median, numberFromEnv } from "./support/measure.js";
import { compareThroughput } from "./support/throughput.js";

const RUNS = Math.round(numberFromEnv("BENCH_RUNS", 20));
const SECONDS = numberFromEnv("BENCH_SECONDS", 1);
const ROUNDS = Math.round(numberFromEnv("BENCH_ROUNDS", 3));
const SIZE = Math.round(numberFromEnv("BENCH_SIZE", 1000));
const CONNECT_TARGET_MS = 5;
const RELAY_CONNECT_TARGET_MS = 15;
const THROUGHPUT_TARGET = 0.9;
const distBin = join(REPO_ROOT, "dist/cli/bin.js");

interface Stack {
  readonly label: string;
  readonly kind: PeerKind;
  readonly options: PeerOptions;
  /** Relay-only through the benchmark's coturn. */
  readonly relay?: boolean;
}

const stacks: readonly Stack[] = [
  { label: "jingle-ice", kind: "jingle-ice", options: {} },
  { label: "libnice (aggressive)", kind: "libnice", options: { nomination: "aggressive" } },
  { label: "libnice (regular)", kind: "libnice", options: { nomination: "regular" } },
  { label: "aioice", kind: "aioice", options: {} },
  { label: "jingle-ice relay-only", kind: "jingle-ice", options: {}, relay: true },
  {
    label: "libnice relay-only (aggressive)",
    kind: "libnice",
    options: { nomination: "aggressive" },
    relay: true,
  },
  { label: "aioice relay-only", kind: "aioice", options: {}, relay: true },
];

const USERS = ["bench-a", "bench-b"] as const;
let coturn: Coturn | undefined;

/** The peer's argv; ours from dist/ rather than through tsx. */
function argvFor(stack: Stack, role: "controlling" | "controlled"): string[] {
  const user = USERS[role === "controlling" ? 0 : 1];
  const relay: PeerOptions =
    stack.relay === true && coturn !== undefined
      ? {
          relayOnly: true,
          turn: {
            server: `127.0.0.1:${coturn.port}`,
            user,
            pass: `${user}-pass`,
            transport: "udp",
          },
        }
      : {};
  const argv = peerCommand(stack.kind, role, { ...stack.options, ...relay });
  if (stack.kind === "jingle-ice") argv.splice(0, argv.indexOf("peer"), process.execPath, distBin);
  return argv;
}

interface Gathered {
  readonly credentials: Extract<PeerEvent, { ev: "local-credentials" }>;
  readonly candidates: Extract<PeerEvent, { ev: "local-candidate" }>["candidate"][];
}

async function gather(peer: Peer): Promise<Gathered> {
  await peer.waitForEvent("gathering-done", 15_000);
  let credentials: Gathered["credentials"] | undefined;
  const candidates: Gathered["candidates"] = [];
  for (const event of peer.events) {
    if (event.ev === "local-credentials") credentials = event;
    if (event.ev === "local-candidate") candidates.push(event.candidate);
  }
  if (credentials === undefined)
    throw new Error(`${peer.name}: no local-credentials before gathering-done`);
  return { credentials, candidates };
}

function deliver(to: Peer, from: Gathered): void {
  to.send({ cmd: "remote-credentials", ufrag: from.credentials.ufrag, pwd: from.credentials.pwd });
  for (const candidate of from.candidates) to.send({ cmd: "remote-candidate", candidate });
  to.send({ cmd: "end-of-candidates" });
}

/** One run: returns [harness ms from t0 to both connected, max of the peers' connect_ms]. */
async function connectOnce(stack: Stack): Promise<[number, number]> {
  const a = spawnPeer(argvFor(stack, "controlling"), `${stack.label}/controlling`);
  const b = spawnPeer(argvFor(stack, "controlled"), `${stack.label}/controlled`);
  try {
    const [ga, gb] = await Promise.all([gather(a), gather(b)]);
    const fromA = a.events.length;
    const fromB = b.events.length;
    const t0 = performance.now();
    deliver(a, gb);
    deliver(b, ga);
    const [ca, cb] = await Promise.all([
      a.waitForEvent("connected", 15_000, () => true, { fromIndex: fromA }),
      b.waitForEvent("connected", 15_000, () => true, { fromIndex: fromB }),
    ]);
    return [performance.now() - t0, Math.max(ca.connect_ms, cb.connect_ms)];
  } catch (error) {
    throw new Error(`${stack.label}: ${(error as Error).message}\n${a.report()}\n${b.report()}`);
  } finally {
    await Promise.all([a.quit(), b.quit()]);
  }
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

async function main(): Promise<void> {
  if (!existsSync(distBin))
    throw new Error("bench/connect.ts needs the build: run `npm run build` first");
  await requirePeers(["libnice", "aioice"]);
  coturn = await startCoturn({
    auth: {
      kind: "long-term",
      realm: "bench.test",
      users: Object.fromEntries(USERS.map((u) => [u, `${u}-pass`])),
    },
  });
  try {
    await run(coturn);
  } finally {
    await coturn.stop();
  }
}

async function run(turn: Coturn): Promise<void> {
  console.log("Connect time and throughput benchmark on 127.0.0.1 (bench/connect.ts)");
  console.log(`node ${process.version}, cpu: ${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}`);
  console.log(
    `load average: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ")}`,
  );
  console.log(`${RUNS} runs per stack, host ↔ host; fresh processes each run\n`);

  const results = new Map<string, { wall: number[]; peer: number[] }>();
  for (const stack of stacks) results.set(stack.label, { wall: [], peer: [] });
  // Interleave the stacks run by run so background noise hits all of them alike.
  for (let run = 0; run < RUNS; run++) {
    for (const stack of stacks) {
      const [wall, peer] = await connectOnce(stack);
      results.get(stack.label)!.wall.push(wall);
      results.get(stack.label)!.peer.push(peer);
    }
  }
  const ours = median(results.get("jingle-ice")!.wall);
  const oursRelay = median(results.get("jingle-ice relay-only")!.wall);
  console.log(
    "| stack | median ms, both connected (harness) | min–max | median max(connect_ms) | × jingle-ice |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const stack of stacks) {
    const { wall, peer } = results.get(stack.label)!;
    const m = median(wall);
    const base = stack.relay === true ? oursRelay : ours;
    console.log(
      `| ${stack.label} | ${fmt(m, 2)} | ${fmt(Math.min(...wall), 2)}–${fmt(Math.max(...wall), 2)} | ${fmt(median(peer), 2)} | ${fmt(m / base, 1)}× |`,
    );
  }
  console.log(
    ours <= CONNECT_TARGET_MS
      ? `\nconnect target met: jingle-ice median ${fmt(ours, 2)} ms ≤ ${CONNECT_TARGET_MS} ms`
      : `\nCONNECT TARGET MISSED: jingle-ice median ${fmt(ours, 2)} ms > ${CONNECT_TARGET_MS} ms`,
  );

  console.log(
    oursRelay <= RELAY_CONNECT_TARGET_MS
      ? `relay-only connect target met: jingle-ice median ${fmt(oursRelay, 2)} ms ≤ ${RELAY_CONNECT_TARGET_MS} ms`
      : `RELAY-ONLY CONNECT TARGET MISSED: jingle-ice median ${fmt(oursRelay, 2)} ms > ${RELAY_CONNECT_TARGET_MS} ms`,
  );

  console.log(`\nThroughput, ${SIZE}-byte datagrams, ${ROUNDS} rounds of ${SECONDS} s, window 32:`);
  const relay = {
    urls: `turn:127.0.0.1:${turn.port}`,
    port: turn.port,
    users: [
      { username: USERS[0], password: `${USERS[0]}-pass` },
      { username: USERS[1], password: `${USERS[1]}-pass` },
    ],
  } as const;
  const { raw, channel, relayed, rawRelayed } = await compareThroughput(
    SIZE,
    SECONDS,
    ROUNDS,
    32,
    relay,
  );
  const rawMedian = median(raw.map((r) => r.datagramsPerSecond));
  const channelMedian = median(channel.map((r) => r.datagramsPerSecond));
  console.log("| path | median datagrams/s | median Mbit/s |");
  console.log("| --- | ---: | ---: |");
  console.log(
    `| raw node:dgram | ${fmt(rawMedian, 0)} | ${fmt(median(raw.map((r) => r.megabitsPerSecond)))} |`,
  );
  console.log(
    `| jingle-ice DatagramChannel | ${fmt(channelMedian, 0)} | ${fmt(median(channel.map((r) => r.megabitsPerSecond)))} |`,
  );
  const relayedMedian = median(relayed.map((r) => r.datagramsPerSecond));
  const rawRelayedMedian = median(rawRelayed.map((r) => r.datagramsPerSecond));
  console.log(
    `| raw node:dgram + bare TurnClient, ChannelData via coturn | ${fmt(rawRelayedMedian, 0)} | ${fmt(median(rawRelayed.map((r) => r.megabitsPerSecond)))} |`,
  );
  console.log(
    `| jingle-ice DatagramChannel, relay-only via coturn | ${fmt(relayedMedian, 0)} | ${fmt(median(relayed.map((r) => r.megabitsPerSecond)))} |`,
  );
  const ratio = channelMedian / rawMedian;
  console.log(
    ratio >= THROUGHPUT_TARGET
      ? `\nthroughput target met: channel / raw = ${fmt(ratio, 2)} ≥ ${THROUGHPUT_TARGET}`
      : `\nTHROUGHPUT TARGET MISSED: channel / raw = ${fmt(ratio, 2)} < ${THROUGHPUT_TARGET}`,
  );
  console.log(
    `relayed channel / raw relayed through the same coturn = ${fmt(relayedMedian / rawRelayedMedian, 2)}; ` +
      `relayed / direct raw = ${fmt(relayedMedian / rawMedian, 2)}`,
  );
}

await main();
