// DTLS benchmark: ICE + DTLS connect time against libwebrtc, and encrypted throughput against
// our plaintext channel, both measured in this run.
//
// 1. Time to the first application datagram, ours↔ours vs libwebrtc↔libwebrtc
//    (bench/dtls-connect-run.ts explains exactly what each figure spans). libwebrtc gathers on
//    every interface, so both stacks run in a network namespace this script creates (lo and a
//    veth pair, no route out) and removes: the script must run as root.
// 2. Throughput on 127.0.0.1: datagrams through DtlsChannel (AES-128-GCM) over a
//    DatagramChannel vs the same DatagramChannel in plaintext, `window` datagrams in flight
//    (bench/support/throughput.ts). Target: encrypted ≥ 0.6× plaintext.
//
// Our code runs from dist/ (`npm run bench:dtls` builds first). Tune with BENCH_RUNS (connects
// per stack, default 10), BENCH_SECONDS (default 1), BENCH_ROUNDS (default 3), BENCH_SIZE
// (bytes, default 1000).
import { createCipheriv, createDecipheriv, createSecretKey } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type * as Package from "../src/index.js";
import { createLoneNamespace, LONE_ADDRESS } from "../test/support/lone-namespace.js";
import { requireNetns } from "../test/support/netns.js";
import { median, numberFromEnv } from "./support/measure.js";
import { measurePath, type Path, type Throughput } from "./support/throughput.js";

const RUNS = Math.round(numberFromEnv("BENCH_RUNS", 10));
const SECONDS = numberFromEnv("BENCH_SECONDS", 1);
const ROUNDS = Math.round(numberFromEnv("BENCH_ROUNDS", 3));
const SIZE = Math.round(numberFromEnv("BENCH_SIZE", 1000));
const THROUGHPUT_TARGET = 0.6;
const pkg = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof Package;

async function connectTimes(): Promise<{ ours: Times[]; libwebrtc: Times[] }> {
  await requireNetns();
  const ns = await createLoneNamespace("jice-bench");
  try {
    const runner = fileURLToPath(new URL("./dtls-connect-run.ts", import.meta.url));
    const out = await ns.exec(
      [process.execPath, "--import", "tsx", runner, LONE_ADDRESS, String(RUNS)],
      300_000,
    );
    return JSON.parse(out.trim().split("\n").pop()!) as { ours: Times[]; libwebrtc: Times[] };
  } finally {
    await ns.destroy();
  }
}

interface Times {
  connected: number;
  first: number;
}

/** A connected ICE pair on 127.0.0.1 with a DatagramChannel each. */
async function channels(): Promise<[Package.DatagramChannel, Package.DatagramChannel]> {
  const a = await pkg.IceConnection.create({ role: "controlling", addresses: ["127.0.0.1"] });
  const b = await pkg.IceConnection.create({ role: "controlled", addresses: ["127.0.0.1"] });
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(pkg.toRemoteCandidateInput(c)));
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
  const ready = Promise.all([once(a, "selected-pair"), once(b, "selected-pair")]);
  a.startGathering();
  b.startGathering();
  await ready;
  return [new pkg.DatagramChannel(a), new pkg.DatagramChannel(b)];
}

async function plainPath(): Promise<Path> {
  const [a, b] = await channels();
  return {
    send: (data) => void a.send(data),
    onMessage: (listener) => b.on("message", listener),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

async function dtlsPath(): Promise<Path> {
  const [a, b] = await channels();
  const ca = pkg.generateCertificate();
  const cb = pkg.generateCertificate();
  const client = pkg.DtlsChannel.create(a, {
    role: "client",
    certificate: ca,
    remoteFingerprint: cb.fingerprint,
  });
  const server = pkg.DtlsChannel.create(b, {
    role: "server",
    certificate: cb,
    remoteFingerprint: ca.fingerprint,
  });
  await Promise.all([client.ready, server.ready]);
  return {
    send: (data) => void client.send(data),
    onMessage: (listener) => server.on("message", listener),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

async function throughput(): Promise<{ plain: Throughput[]; dtls: Throughput[] }> {
  const plain: Throughput[] = [];
  const dtls: Throughput[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order =
      round % 2 === 0
        ? ([
            [plainPath, plain],
            [dtlsPath, dtls],
          ] as const)
        : ([
            [dtlsPath, dtls],
            [plainPath, plain],
          ] as const);
    for (const [make, into] of order) {
      const path = await make();
      into.push(await measurePath(path, SIZE, SECONDS, 32));
      await path.close();
    }
  }
  return { plain, dtls };
}

/**
 * The floor of the encrypted path's cost: node:crypto alone sealing and opening one record of
 * SIZE bytes with AES-128-GCM (a cipher object each way per record, as the channel needs).
 */
function gcmRecordsPerSecond(): number {
  const key = createSecretKey(new Uint8Array(16));
  const nonce = new Uint8Array(12);
  const aad = new Uint8Array(13);
  const payload = new Uint8Array(SIZE);
  const tag = { authTagLength: 16 } as const;
  const once_ = (): number => {
    const c = createCipheriv("aes-128-gcm", key, nonce, tag);
    c.setAAD(aad);
    const sealed = c.update(payload);
    c.final();
    const d = createDecipheriv("aes-128-gcm", key, nonce, tag);
    d.setAAD(aad);
    d.setAuthTag(c.getAuthTag());
    const opened = d.update(sealed);
    d.final();
    return opened.length;
  };
  for (let i = 0; i < 2000; i++) once_();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < SECONDS * 1000) for (let i = 0; i < 100; i++, n++) once_();
    rates.push(n / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const connect = await connectTimes();
const rates = await throughput();

console.log(
  `\nICE + DTLS on a namespace's veth address, ${RUNS} connections each (median, ms from the first API call):`,
);
console.log("| stack | ICE + DTLS connected | first application datagram received |");
console.log("| --- | --- | --- |");
const row = (label: string, times: Times[], note = ""): void =>
  console.log(
    `| ${label} | ${fmt(median(times.map((t) => t.connected)))} | ${fmt(median(times.map((t) => t.first)))}${note} |`,
  );
row("jingle-ice ↔ jingle-ice (DtlsChannel)", connect.ours);
row("libwebrtc ↔ libwebrtc (RTCPeerConnection)", connect.libwebrtc, " (data channel: + SCTP)");

const plain = median(rates.plain.map((r) => r.datagramsPerSecond));
const enc = median(rates.dtls.map((r) => r.datagramsPerSecond));
console.log(
  `\nThroughput on 127.0.0.1, ${SIZE}-byte datagrams, 32 in flight, ${ROUNDS} rounds of ${SECONDS} s (median):`,
);
console.log("| path | datagrams/s | Mbit/s |");
console.log("| --- | --- | --- |");
console.log(
  `| DatagramChannel (plaintext, baseline) | ${fmt(plain, 0)} | ${fmt(median(rates.plain.map((r) => r.megabitsPerSecond)))} |`,
);
console.log(
  `| DtlsChannel (AES-128-GCM) | ${fmt(enc, 0)} | ${fmt(median(rates.dtls.map((r) => r.megabitsPerSecond)))} |`,
);
console.log(
  `| node:crypto alone: AES-128-GCM seal + open of one record (no I/O) | ${fmt(gcmRecordsPerSecond(), 0)} | — |`,
);
const ratio = enc / plain;
console.log(
  `\nencrypted / plaintext = ${fmt(ratio, 2)}× (target ≥ ${THROUGHPUT_TARGET}×): ${ratio >= THROUGHPUT_TARGET ? "met" : "NOT met"}`,
);
process.exit(0);
