// File-transfer benchmark: XEP-0234 over a data channel, ours ↔ ours against libwebrtc ↔
// libwebrtc moving the same file in the same message size, in the same run; and a memory mode.
//
// Throughput (default mode), for each flavour — Conversations (4096-byte messages) and StanzaJS
// (16 KiB) — BENCH_RUNS rounds (default 3, median), the two stacks alternating:
// - ours: two plugin instances (`jingleIceUdp` + `fileTransferApplication`, from dist/) in this
//   process, signalling through the in-memory XMPP stand-in of the plugin tests
//   (test/plugin/fake-xmpp.ts; no server), real ICE, DTLS and SCTP over UDP on 127.0.0.1.
//   `alice.sendFile()` → `bob.incomingFile(session).receive({ dir })`; the receiver's `result`
//   resolves once the file is verified (sha-1 and sha-256 computed on both sides, as every
//   transfer does) and renamed into place. Its SHA-256 is then checked again here, untimed.
//   With BENCH_OURS=processes: two processes instead (bench/file-transfer-peer.ts), each a plugin
//   logged in to a real Prosody on 127.0.0.1 that this script starts — a bot and a client each
//   on its own thread, as they run.
// - libwebrtc: bench/file-transfer-wrtc-run.ts in a network namespace this script creates (lo
//   and a veth pair both inside, no route out; packets to the namespace's own address go
//   through its lo) and removes. Must run as root.
// Both are timed from the start (sendFile / the first RTCPeerConnection) and from the sender's
// data channel `open`, until the received file is on disk and its hash checked.
//
// Memory (`--memory`): one BENCH_MEMORY_MIB (default 1024) transfer ours ↔ ours of a sparse file
// made in a temporary directory (deleted after), sampling this process's RSS and V8 heap every
// 250 ms. Sender and receiver share this process (the fake XMPP is in-memory), so the figures
// cover both ends. "flat" means peak − start stays under BENCH_MEMORY_BOUND_MIB (default 64).
//
// Run: npm run bench:file                       (throughput; root)
//      BENCH_OURS=processes npm run bench:file (ours in two processes through Prosody; root)
//      npm run bench:file -- --memory           (1 GiB memory run; no root needed)
// Tune: BENCH_MIB (default 64), BENCH_RUNS (3), BENCH_FLAVOURS (conversations,stanzajs),
//       BENCH_ONLY (ours | libwebrtc), BENCH_MEMORY_MIB, BENCH_MEMORY_BOUND_MIB,
//       BENCH_MEMORY_FLAVOUR (stanzajs), BENCH_DIST (a build directory instead of dist/),
//       BENCH_WRTC_WINDOW_MIB (libwebrtc's outstanding-bytes bound, default 1).
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Package from "../src/index.js";
import { FakeNetwork } from "../test/plugin/fake-xmpp.js";
import { createLoneNamespace } from "../test/support/lone-namespace.js";
import { requireNetns } from "../test/support/netns.js";
import { median, numberFromEnv } from "./support/measure.js";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startProsody } from "../test/support/prosody.js";
import type { XmppServer } from "../test/support/xmpp-server.js";

// Measured as users get it: the compiled JavaScript in dist/ (npm run build), or in the build
// directory BENCH_DIST names (to compare two builds: copy dist/ aside, change, rebuild).
const dist = process.env["BENCH_DIST"] ?? fileURLToPath(new URL("../dist", import.meta.url));
const pkg = (await import(pathToFileURL(join(dist, "index.js")).href).catch((error: unknown) => {
  console.error(`bench/file-transfer.ts needs the build: run \`npm run build\` (${String(error)})`);
  process.exit(1);
})) as typeof Package;

const MIB = 1024 * 1024;
const FLAVOURS = {
  conversations: { variant: "webrtc-datachannel", chunk: 4096 },
  stanzajs: { variant: "sctpmap", chunk: 16 * 1024 },
} as const;
type Flavour = keyof typeof FLAVOURS;
const ALICE = "alice@bench.test/bot";
const BOB = "bob@bench.test/bot";

interface Times {
  readonly fromStart: number;
  readonly fromOpen: number;
}

/** SHA-256 (hex) of a file, read from disk. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}

/** One transfer of `path` ours ↔ ours; the received file is checked and deleted. */
async function ours(flavour: Flavour, path: string, sha256: string, inbox: string): Promise<Times> {
  const network = new FakeNetwork();
  const options = {
    ice: { addresses: ["127.0.0.1"] },
    applications: [pkg.fileTransferApplication()],
  };
  const alice = pkg.jingleIceUdp(network.client(ALICE), options);
  const bob = pkg.jingleIceUdp(network.client(BOB), options);
  const incoming = new Promise<Package.IncomingFile>((resolve) =>
    bob.on("incoming", (session) => resolve(bob.incomingFile(session)!)),
  );
  const t0 = performance.now();
  const sent = await alice.sendFile(BOB, path, { sctpVariant: FLAVOURS[flavour].variant });
  let tOpen = NaN;
  const create = sent.session.createDataChannel.bind(sent.session);
  sent.session.createDataChannel = (label, init) => {
    const channel = create(label, init);
    channel.once("open", () => (tOpen = performance.now()));
    return channel;
  };
  const received = (await incoming).receive({ dir: inbox });
  const got = await received.result;
  const end = performance.now();
  const out = await sent.result;
  if (got.reason.condition !== "success" || out.reason.condition !== "success" || !got.path)
    throw new Error(`ours: ended ${got.reason.condition} / ${out.reason.condition}`);
  if ((await sha256Of(got.path)) !== sha256) throw new Error("ours: SHA-256 mismatch on disk");
  await rm(got.path);
  await alice.close();
  await bob.close();
  return { fromStart: end - t0, fromOpen: end - tOpen };
}

/**
 * One transfer of `path` ours ↔ ours in two processes (BENCH_OURS=processes), each a plugin
 * logged in to `prosody` (bench/file-transfer-peer.ts), as a bot and a client run: times from
 * the sender's channel `open` (and from its `sendFile`) to the receiver's verified file.
 */
async function oursProcesses(
  prosody: XmppServer,
  flavour: Flavour,
  path: string,
  sha256: string,
  inbox: string,
): Promise<Times> {
  const peer = fileURLToPath(new URL("./file-transfer-peer.ts", import.meta.url));
  const start = (args: string[]) => {
    const child = spawn(process.execPath, ["--import", "tsx", peer, ...args], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout });
    const next = (ev: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        lines.on("line", (line) => {
          const msg = JSON.parse(line) as Record<string, unknown>;
          if (msg["ev"] === ev) resolve(msg);
        });
        child.once("exit", (code) => reject(new Error(`${args[0]} exited ${code}`)));
      });
    return { child, next };
  };
  const jid = (user: string) => prosody.jid(user);
  const receiver = start(["receive", prosody.service, jid("bob"), "bob-pw", inbox]);
  const received = receiver.next("done");
  const online = (await receiver.next("online"))["jid"] as string;
  const sender = start([
    "send",
    prosody.service,
    jid("alice"),
    "alice-pw",
    online,
    path,
    FLAVOURS[flavour].variant,
  ]);
  await sender.next("online");
  const sent = sender.next("done");
  sender.child.stdin!.write("go\n");
  const [got, out] = await Promise.all([received, sent]);
  if (got["reason"] !== "success" || out["reason"] !== "success" || typeof got["path"] !== "string")
    throw new Error(`ours (processes): ended ${String(got["reason"])} / ${String(out["reason"])}`);
  if ((await sha256Of(got["path"])) !== sha256) throw new Error("ours: SHA-256 mismatch on disk");
  await rm(got["path"]);
  const end = got["at"] as number;
  return { fromStart: end - (out["start"] as number), fromOpen: end - (out["open"] as number) };
}

/** A file of `bytes` random bytes in `dir`, and its SHA-256 (hex). */
async function randomFile(dir: string, bytes: number): Promise<{ path: string; sha256: string }> {
  const path = join(dir, `random-${bytes}.bin`);
  const file = await open(path, "w");
  const hash = createHash("sha256");
  for (let done = 0; done < bytes; done += MIB) {
    const block = randomBytes(Math.min(MIB, bytes - done));
    hash.update(block);
    await file.write(block);
  }
  await file.close();
  return { path, sha256: hash.digest("hex") };
}

async function throughput(): Promise<void> {
  const mib = numberFromEnv("BENCH_MIB", 64);
  const runs = Math.round(numberFromEnv("BENCH_RUNS", 3));
  const only = process.env["BENCH_ONLY"];
  const flavours = (process.env["BENCH_FLAVOURS"] ?? "conversations,stanzajs")
    .split(",")
    .map((f) => f.trim()) as Flavour[];
  for (const f of flavours) if (!(f in FLAVOURS)) throw new Error(`unknown flavour ${f}`);
  const bytes = Math.round(mib * MIB);
  const dir = await mkdtemp(join(tmpdir(), "jingle-bench-file-"));
  const ns =
    only === "ours" ? undefined : (await requireNetns(), await createLoneNamespace("jice-ft"));
  const runner = fileURLToPath(new URL("./file-transfer-wrtc-run.ts", import.meta.url));
  const results = new Map<Flavour, { ours: Times[]; libwebrtc: Times[] }>();
  // BENCH_OURS=processes: ours as two processes through a real Prosody (a bot and a client).
  const prosody =
    process.env["BENCH_OURS"] === "processes"
      ? await startProsody({ users: { alice: "alice-pw", bob: "bob-pw" } })
      : undefined;
  const oursOnce = (flavour: Flavour, path: string, sha256: string, inbox: string) =>
    prosody === undefined
      ? ours(flavour, path, sha256, inbox)
      : oursProcesses(prosody, flavour, path, sha256, inbox);
  try {
    const { path, sha256 } = await randomFile(dir, bytes);
    const inbox = join(dir, "in");
    await mkdir(inbox);
    const libwebrtc = async (flavour: Flavour): Promise<Times> => {
      const stdout = await ns!.exec(
        [
          process.execPath,
          "--import",
          "tsx",
          runner,
          path,
          String(FLAVOURS[flavour].chunk),
          sha256,
          join(dir, "wrtc-out.bin"),
          "1",
        ],
        600_000,
      );
      return (JSON.parse(stdout.trim().split("\n").pop()!) as { runs: Times[] }).runs[0]!;
    };
    for (const flavour of flavours) {
      const r = { ours: [] as Times[], libwebrtc: [] as Times[] };
      results.set(flavour, r);
      if (only !== "libwebrtc") await oursOnce(flavour, path, sha256, inbox); // warm-up, not counted
      for (let round = 0; round < runs; round++) {
        const order =
          round % 2 === 0 ? (["ours", "libwebrtc"] as const) : (["libwebrtc", "ours"] as const);
        for (const stack of order) {
          if (only !== undefined && only !== stack) continue;
          const t =
            stack === "ours"
              ? await oursOnce(flavour, path, sha256, inbox)
              : await libwebrtc(flavour);
          r[stack].push(t);
          console.error(
            `${flavour} ${stack} round ${round + 1}: ${rate(bytes, t.fromOpen)} MB/s from open, ${t.fromOpen.toFixed(0)} ms`,
          );
        }
      }
    }
  } finally {
    await prosody?.stop();
    await ns?.destroy();
    await rm(dir, { recursive: true, force: true });
  }

  console.log(`\nours: ${dist}`);
  console.log(
    `File transfer on loopback — ${mib} MiB random file, ${runs} runs (median), Node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}`,
  );
  console.log(
    "MB/s = 10^6 bytes per second; time until the received file is on disk and its hash checked.\n",
  );
  console.log(
    "| flavour (message size) | ours MB/s from open | libwebrtc MB/s from open | ratio | ours ms from start | libwebrtc ms from start | ours MB/s from start | libwebrtc MB/s from start |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [flavour, r] of results) {
    const o = r.ours.length > 0 ? median(r.ours.map((t) => t.fromOpen)) : NaN;
    const w = r.libwebrtc.length > 0 ? median(r.libwebrtc.map((t) => t.fromOpen)) : NaN;
    const os_ = r.ours.length > 0 ? median(r.ours.map((t) => t.fromStart)) : NaN;
    const ws = r.libwebrtc.length > 0 ? median(r.libwebrtc.map((t) => t.fromStart)) : NaN;
    console.log(
      `| ${flavour} (${FLAVOURS[flavour].chunk} B) | ${rate(bytes, o)} | ${rate(bytes, w)} | ${(w / o).toFixed(2)}× | ${os_.toFixed(0)} | ${ws.toFixed(0)} | ${rate(bytes, os_)} | ${rate(bytes, ws)} |`,
    );
  }
  for (const [flavour, r] of results) {
    if (r.ours.length === 0 || r.libwebrtc.length === 0) continue;
    const ratio =
      median(r.libwebrtc.map((t) => t.fromOpen)) / median(r.ours.map((t) => t.fromOpen));
    console.log(
      `${flavour}: ours / libwebrtc = ${ratio.toFixed(2)}× (target ≥ 1.0×): ${ratio >= 1 ? "met" : "NOT met"}`,
    );
  }
}

function rate(bytes: number, ms: number): string {
  return Number.isFinite(ms) ? (bytes / 1e6 / (ms / 1000)).toFixed(1) : "—";
}

async function memory(): Promise<void> {
  const mib = numberFromEnv("BENCH_MEMORY_MIB", 1024);
  const bound = numberFromEnv("BENCH_MEMORY_BOUND_MIB", 64);
  const flavour = (process.env["BENCH_MEMORY_FLAVOUR"] ?? "stanzajs") as Flavour;
  if (!(flavour in FLAVOURS)) throw new Error(`unknown flavour ${flavour}`);
  const bytes = Math.round(mib * MIB);
  const dir = await mkdtemp(join(tmpdir(), "jingle-bench-file-"));
  try {
    // A sparse file: nothing to write, reads return zeros; the received copy is written in full.
    const path = join(dir, "sparse.bin");
    await writeFile(path, "");
    await truncate(path, bytes);
    const sha256 = await sha256Of(path);
    const inbox = join(dir, "in");
    await mkdir(inbox);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const samples: { rss: number; heap: number }[] = [];
    const sample = (): void => {
      const m = process.memoryUsage();
      samples.push({ rss: m.rss, heap: m.heapUsed });
    };
    sample();
    const timer = setInterval(sample, 250);
    const t = await ours(flavour, path, sha256, inbox);
    clearInterval(timer);
    sample();
    const start = samples[0]!;
    const end = samples[samples.length - 1]!;
    const peakRss = Math.max(...samples.map((s) => s.rss));
    const peakHeap = Math.max(...samples.map((s) => s.heap));
    const m = (n: number): string => (n / MIB).toFixed(1);
    console.log(
      `\nMemory: ${mib} MiB ours ↔ ours (${flavour}, sparse file), one process holding sender and receiver, ${samples.length} samples every 250 ms (gc before start: ${gc ? "yes" : "no"})`,
    );
    console.log(
      `transfer: ${(t.fromOpen / 1000).toFixed(1)} s from open, ${rate(bytes, t.fromOpen)} MB/s\n`,
    );
    console.log("| | start MiB | peak MiB | end MiB | peak − start MiB |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    console.log(
      `| RSS | ${m(start.rss)} | ${m(peakRss)} | ${m(end.rss)} | ${m(peakRss - start.rss)} |`,
    );
    console.log(
      `| V8 heap used | ${m(start.heap)} | ${m(peakHeap)} | ${m(end.heap)} | ${m(peakHeap - start.heap)} |`,
    );
    // The trend: the highest sample of each tenth of the run.
    const tenths = Array.from({ length: 10 }, (_, i) =>
      samples.slice(
        Math.floor((i * samples.length) / 10),
        Math.max(Math.floor(((i + 1) * samples.length) / 10), 1),
      ),
    ).filter((slice) => slice.length > 0);
    console.log(
      `\nRSS MiB, highest per tenth of the run: ${tenths.map((slice) => m(Math.max(...slice.map((x) => x.rss)))).join(" ")}`,
    );
    console.log(
      `heap MiB, highest per tenth of the run: ${tenths.map((slice) => m(Math.max(...slice.map((x) => x.heap)))).join(" ")}`,
    );
    const flat = peakRss - start.rss < bound * MIB && peakHeap - start.heap < bound * MIB;
    console.log(
      `\nmemory ${flat ? "flat" : "NOT flat"}: peak − start ${flat ? "stays under" : "exceeds"} ${bound} MiB for ${flat ? "both RSS and heap" : "RSS or heap"}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--memory")) await memory();
else await throughput();
process.exit(0);
