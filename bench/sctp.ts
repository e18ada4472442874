// SCTP benchmark: our sans-IO association (src/sctp/, driven by src/node/sctp-association.ts)
// against werift-sctp 0.0.11 (an aiortc port; a dev dependency used only here), in the same run.
//
// Both run over the same in-memory transport pair (test/support/memory-transport.ts): a datagram
// sent by one end is emitted at the other on a later turn of the event loop (setImmediate), so
// each stack pays for its own timers, promises and packet handling, and nothing for a network.
//
// - setup: from creating both endpoints to both reporting the association established (both
//   sides start at once, as WebRTC peers do). Median of BENCH_SETUP_ROUNDS runs.
// - bulk: BENCH_MIB MiB (default 16) in 16 KiB messages, ordered and reliable, on one stream,
//   from the first send to the last byte received, with at most 4 MiB queued by the sender
//   (our bufferedAmount / werift's pending send() promises). Median of BENCH_ROUNDS runs.
// - ours, sans-IO loop: the same bulk transfer with the two state machines driven directly in
//   one synchronous loop (no event loop, no timers): the protocol code alone.
//
// - CRC32c: our slicing-by-8 CRC32c against the one-table loop it is tested against, on
//   1200-byte packets, with node:zlib's crc32 (the IEEE polynomial, unusable for SCTP) for scale.
// - hostile packets: three packets with a valid CRC32c unless said otherwise (a wrong checksum,
//   a chunk claiming length 0, a chunk of an unknown type with the "report" bits) handed to a
//   fresh endpoint of each stack; werift-sctp runs in a child process (killed after 3 s) so that
//   a crash or a hang shows as such.
//
// Every received byte is checked against what was sent. The exit status stays 0 when a target
// is missed: this is a benchmark, not a test.
//
// Run: npm run bench:sctp     Tune: BENCH_MIB, BENCH_ROUNDS (default 3), BENCH_SETUP_ROUNDS (20)
import { spawnSync } from "node:child_process";
import os from "node:os";
import { crc32 } from "node:zlib";
import { SCTP } from "werift-sctp";
import type * as AssociationModule from "../src/node/sctp-association.js";
import type * as CoreModule from "../src/sctp/association.js";
import type * as RngModule from "../src/common/rng.js";
import type * as CrcModule from "../src/sctp/crc32c.js";
import type * as PacketModule from "../src/sctp/packet.js";
import { memoryTransportPair, type MemoryTransport } from "../test/support/memory-transport.js";
import { measure, median, numberFromEnv, warmUp, type Batch } from "./support/measure.js";

// Measured as users get it: the compiled JavaScript in dist/ (npm run build).
async function load<T>(path: string): Promise<T> {
  return (await import(new URL(`../dist/${path}`, import.meta.url).href).catch((error: unknown) => {
    console.error(`bench/sctp.ts needs the build: run \`npm run build\` first (${String(error)})`);
    process.exit(1);
  })) as T;
}
const { SctpAssociation } = await load<typeof AssociationModule>("node/sctp-association.js");
const { Association } = await load<typeof CoreModule>("sctp/association.js");
const { seededRng } = await load<typeof RngModule>("common/rng.js");

const mib = numberFromEnv("BENCH_MIB", 16);
const rounds = Math.round(numberFromEnv("BENCH_ROUNDS", 3));
const setupRounds = Math.round(numberFromEnv("BENCH_SETUP_ROUNDS", 20));
const MESSAGE = 16 * 1024;
const total = Math.round(mib * 1024 * 1024);
const count = Math.ceil(total / MESSAGE);
const QUEUED = 4 * 1024 * 1024;

/** Message `i`: its index in the first 4 bytes, then a pattern, so loss or reordering shows. */
function message(i: number): Uint8Array {
  const data = new Uint8Array(MESSAGE);
  new DataView(data.buffer).setUint32(0, i);
  for (let j = 4; j < MESSAGE; j++) data[j] = (i + j) & 0xff;
  return data;
}
const messages = Array.from({ length: Math.min(count, 64) }, (_, i) => message(i));
const messageAt = (i: number): Uint8Array => messages[i % messages.length]!;

/** Checks message `i` arrived intact and in order. */
function check(expected: number, data: Uint8Array): void {
  const want = messageAt(expected);
  if (data.length !== want.length || Buffer.compare(data, want) !== 0) {
    throw new Error(`message ${expected} arrived damaged or out of order`);
  }
}

// ---- ours, through the Node driver ----

async function oursConnected(): Promise<
  [AssociationModule.SctpAssociation, AssociationModule.SctpAssociation, number]
> {
  const [ta, tb] = memoryTransportPair();
  const started = performance.now();
  const a = new SctpAssociation(ta, { role: "client" });
  const b = new SctpAssociation(tb, { role: "server" });
  await Promise.all([
    new Promise((r) => a.once("open", () => r(0))),
    new Promise((r) => b.once("open", () => r(0))),
  ]);
  return [a, b, performance.now() - started];
}

async function oursBulk(): Promise<number> {
  const [a, b] = await oursConnected();
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  b.on("datachannel", (channel) =>
    channel.on("message", (data) => {
      check(received, data as Uint8Array);
      if (++received === count) done();
    }),
  );
  const channel = a.createDataChannel("bulk");
  channel.bufferedAmountLowThreshold = QUEUED / 2;
  await new Promise((resolve) => channel.once("open", () => resolve(0)));
  let sent = 0;
  const started = performance.now();
  const pump = (): void => {
    while (sent < count && channel.bufferedAmount < QUEUED) channel.send(messageAt(sent++));
  };
  channel.on("bufferedamountlow", pump);
  pump();
  await finished;
  const elapsed = performance.now() - started;
  a.abort();
  b.abort();
  return elapsed;
}

// ---- ours, sans-IO loop ----

function oursLoop(): number {
  const a = new Association({ rng: seededRng(1) });
  const b = new Association({ rng: seededRng(2) });
  let received = 0;
  const exchange = (now: number): boolean => {
    let moved = false;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      for (let p = from.pollTransmit(); p !== undefined; p = from.pollTransmit()) {
        to.handlePacket(now, p);
        moved = true;
      }
    }
    for (let e = b.pollEvent(); e !== undefined; e = b.pollEvent()) {
      if (e.type === "message") check(received++, e.data);
    }
    while (a.pollEvent() !== undefined);
    return moved;
  };
  a.connect(0);
  b.connect(0);
  while (exchange(0));
  let sent = 0;
  const started = performance.now();
  while (received < count) {
    const now = performance.now() - started;
    while (sent < count && a.bufferedAmount(1) < QUEUED) a.send(now, 1, 53, messageAt(sent++));
    if (!exchange(now)) {
      const due = earliestDue();
      if (due !== undefined) {
        a.handleTimeout(due);
        b.handleTimeout(due);
      }
    }
  }
  function earliestDue(): number | undefined {
    const d = [a.pollTimeout(), b.pollTimeout()].filter((x): x is number => x !== undefined);
    return d.length === 0 ? undefined : Math.min(...d);
  }
  return performance.now() - started;
}

// ---- werift-sctp ----

interface WeriftTransport {
  onData?: (buf: Buffer) => void;
  send: (buf: Buffer) => Promise<void>;
  close: () => void;
}

function weriftTransport(t: MemoryTransport): WeriftTransport {
  const adapter: WeriftTransport = {
    send: async (buf) => {
      t.send(buf);
    },
    close: () => t.close(),
  };
  t.on("message", (data) =>
    adapter.onData?.(Buffer.from(data.buffer, data.byteOffset, data.length)),
  );
  return adapter;
}

async function weriftConnected(): Promise<[SCTP, SCTP, number]> {
  const [ta, tb] = memoryTransportPair();
  const started = performance.now();
  const client = SCTP.client(weriftTransport(ta));
  const server = SCTP.server(weriftTransport(tb));
  const up = (s: SCTP): Promise<void> =>
    s.state === "connected"
      ? Promise.resolve()
      : s.stateChanged.connected.asPromise().then(() => undefined);
  const both = Promise.all([up(client), up(server)]);
  await Promise.all([client.start(5000), server.start(5000)]);
  await both;
  return [client, server, performance.now() - started];
}

async function weriftBulk(): Promise<number> {
  const [client, server] = await weriftConnected();
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  server.onReceive.subscribe((_stream: number, _ppid: number, data: Buffer) => {
    check(received, data);
    if (++received === count) done();
  });
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(client.send(1, 53, Buffer.from(messageAt(i))));
    if (pending.length * MESSAGE >= QUEUED) await pending.shift();
  }
  await finished;
  const elapsed = performance.now() - started;
  await Promise.all([client.abort(), server.abort()]).catch(() => undefined);
  return elapsed;
}

// ---- hostile packets ----

const { encodePacket } = await load<typeof PacketModule>("sctp/packet.js");
const { crc32c, crc32cBytewise } = await load<typeof CrcModule>("sctp/crc32c.js");

/** A packet to port 5000 with tag 0 and `body` as its chunks, checksum set. */
function rawPacket(body: number[]): Uint8Array {
  const bytes = new Uint8Array(12 + body.length);
  bytes.set([0x13, 0x88, 0x13, 0x88], 0);
  bytes.set(body, 12);
  const crc = crc32c(bytes);
  bytes.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], 8);
  return bytes;
}
const hostile: [string, Uint8Array][] = [
  [
    "wrong checksum",
    (() => {
      const p = encodePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: 0 }, [
        { type: 11, reflected: false },
      ]);
      p[12]! ^= 1;
      return p;
    })(),
  ],
  ["chunk length 0", rawPacket([11, 0, 0, 0])],
  ["unknown chunk type 0x40", rawPacket([0x40, 0, 0, 4])],
];

function weriftOnHostile(bytes: Uint8Array): string {
  const script = `
    import { SCTP } from "werift-sctp";
    const transport = { send: async () => {}, close: () => {} };
    const server = SCTP.server(transport);
    server.start(5000);
    transport.onData(Buffer.from(process.argv[1], "hex"));
    setTimeout(() => process.exit(0), 300);`;
  const run = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script, Buffer.from(bytes).toString("hex")],
    {
      cwd: new URL("..", import.meta.url),
      timeout: 3000,
      encoding: "utf8",
    },
  );
  if (run.error !== undefined || run.signal !== null) return "hung (killed after 3 s)";
  if (run.status !== 0)
    return `crashed: ${/Error: ([^\n]*)/.exec(run.stderr)?.[1] ?? `exit ${run.status}`}`;
  return "survived";
}

function oursOnHostile(bytes: Uint8Array): string {
  const association = new Association({ rng: seededRng(3) });
  association.handlePacket(0, bytes);
  const stats = association.stats();
  const counted = (
    ["droppedChecksum", "droppedMalformed", "droppedVerificationTag"] as const
  ).filter((k) => stats[k] > 0);
  return `dropped, counted (${counted.join(", ")})`;
}

// ---- CRC32c ----

function crcRate(fn: (bytes: Uint8Array) => number): number {
  const packet = Uint8Array.from({ length: 1200 }, (_, i) => (i * 7) & 0xff);
  const batch: Batch = (n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x ^= fn(packet);
    return x;
  };
  warmUp(batch, 20_000);
  return (measure(batch, 0.5).opsPerSecond * 1200) / 1024 / 1024;
}

// ---- run ----

const setupOurs: number[] = [];
const setupWerift: number[] = [];
for (let i = 0; i < setupRounds; i++) {
  const [a, b, ms] = await oursConnected();
  setupOurs.push(ms);
  a.abort();
  b.abort();
  const [c, s, wms] = await weriftConnected();
  setupWerift.push(wms);
  await Promise.all([c.abort(), s.abort()]).catch(() => undefined);
}
const bulkOurs: number[] = [];
const bulkWerift: number[] = [];
const bulkLoop: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate the order so background noise hits both.
  if (i % 2 === 0) {
    bulkOurs.push(await oursBulk());
    bulkWerift.push(await weriftBulk());
  } else {
    bulkWerift.push(await weriftBulk());
    bulkOurs.push(await oursBulk());
  }
  bulkLoop.push(oursLoop());
}

const rate = (ms: number): string => `${(total / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s`;
console.log(
  `SCTP in memory — Node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}`,
);
console.log(
  `bulk: ${mib} MiB in ${MESSAGE / 1024} KiB messages, ordered reliable, ${rounds} rounds (median)\n`,
);
const rows: [string, string, string][] = [
  ["association setup (median ms)", median(setupOurs).toFixed(1), median(setupWerift).toFixed(1)],
  [`bulk ${mib} MiB (median ms)`, median(bulkOurs).toFixed(0), median(bulkWerift).toFixed(0)],
  ["bulk throughput", rate(median(bulkOurs)), rate(median(bulkWerift))],
  [
    "bulk, sans-IO loop (ours only)",
    `${median(bulkLoop).toFixed(0)} ms, ${rate(median(bulkLoop))}`,
    "—",
  ],
];
const widths = [34, 26, 14];
const line = (cells: readonly string[]): string =>
  cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
console.log(line(["case", "jingle-ice", "werift-sctp"]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const row of rows) console.log(line(row));
console.log(
  `\nCRC32c on 1200-byte packets: slicing-by-8 ${crcRate((b) => crc32c(b)).toFixed(0)} MiB/s, ` +
    `one table ${crcRate((b) => crc32cBytewise(b)).toFixed(0)} MiB/s ` +
    `(node:zlib crc32, IEEE polynomial: ${crcRate((b) => crc32(b)).toFixed(0)} MiB/s)`,
);
console.log("\nhostile packet to a fresh endpoint:");
const hostileWidths = [26, 40, 40];
const hostileLine = (cells: readonly string[]): string =>
  cells.map((c, i) => c.padEnd(hostileWidths[i]!)).join(" | ");
console.log(hostileLine(["packet", "jingle-ice", "werift-sctp"]));
console.log(hostileWidths.map((w) => "-".repeat(w)).join("-|-"));
for (const [name, bytes] of hostile)
  console.log(hostileLine([name, oursOnHostile(bytes), weriftOnHostile(bytes)]));
const ratio = median(bulkWerift) / median(bulkOurs);
console.log(
  `\nbulk: ours is ${ratio.toFixed(1)}× werift-sctp's speed${ratio >= 1 ? "" : " (TARGET MISSED: at least 1×)"}`,
);
process.exit(0);
