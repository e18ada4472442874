// Jingle session setup time through a real Prosody on 127.0.0.1 (started here, Nagle off):
// from initiate() until the channel is open on both sides, RUNS sessions (default 50) between
// two logged-in bots, median and p95. Baseline in the same run: the XMPP round trip of an IQ
// between the same two bots (XEP-0199 ping to the full JID), the floor of any signalling.
// Two pairs of bots run interleaved, session by session: one with DTLS (the default: ICE, then
// the DTLS handshake, XEP-0320) and one plaintext (`dtls: false`: ICE only).
//
//   npm run bench:session          (BENCH_RUNS to change the number of sessions)
import { once } from "node:events";
import os from "node:os";
import { xml } from "@xmpp/xml";
import type * as Package from "../src/index.js";
import { connectClient, startProsody } from "../test/support/prosody.js";
import { median, numberFromEnv } from "./support/measure.js";

const RUNS = Math.round(numberFromEnv("BENCH_RUNS", 50));
const TARGET_MS = 30;
const pkg = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof Package;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const prosody = await startProsody({ users: { alice: "a-pass", bob: "b-pass" } });
const [alice, bob, alicePlain, bobPlain] = await Promise.all([
  connectClient(prosody, "alice", "bench"),
  connectClient(prosody, "bob", "bench"),
  connectClient(prosody, "alice", "plain"),
  connectClient(prosody, "bob", "plain"),
]);
try {
  console.log("Jingle session setup through Prosody on 127.0.0.1 (bench/session.ts)");
  console.log(
    `node ${process.version}, cpu: ${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}, ${RUNS} sessions\n`,
  );
  const options = { ice: { addresses: ["127.0.0.1"] } };
  const pairs = [
    { label: "DTLS (default)", setups: [] as number[], alice, bob, dtls: true },
    {
      label: "plaintext (`dtls: false`)",
      setups: [] as number[],
      alice: alicePlain,
      bob: bobPlain,
      dtls: false,
    },
  ].map((pair) => ({
    ...pair,
    aliceJingle: pkg.jingleIceUdp(pair.alice, { ...options, dtls: pair.dtls }),
    bobJingle: pkg.jingleIceUdp(pair.bob, { ...options, dtls: pair.dtls }),
  }));
  bob.iqCallee.get("urn:xmpp:ping", "ping", () => true);

  const pings: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await alice.iqCaller.request(
      xml("iq", { type: "get", to: String(bob.jid) }, xml("ping", { xmlns: "urn:xmpp:ping" })),
    );
    pings.push(performance.now() - t0);
  }

  for (let i = 0; i < RUNS + 3; i++) {
    for (const pair of pairs) {
      const accepted = once(pair.bobJingle, "incoming").then(async ([session]) =>
        (session as Package.JingleSession).accept(),
      );
      const t0 = performance.now();
      const session = pair.aliceJingle.initiate(String(pair.bob.jid));
      await Promise.all([session.connect(), accepted]);
      const elapsed = performance.now() - t0;
      if (i >= 3) pair.setups.push(elapsed); // the first sessions warm up the process
      await session.terminate("success");
    }
  }

  console.log("| measure | median ms | p95 ms |");
  console.log("| --- | ---: | ---: |");
  console.log(
    `| XMPP IQ round trip between the bots (baseline) | ${median(pings).toFixed(2)} | ${percentile(pings, 95).toFixed(2)} |`,
  );
  for (const { label, setups } of pairs)
    console.log(
      `| initiate() to channel open on both sides, ${label} | ${median(setups).toFixed(2)} | ${percentile(setups, 95).toFixed(2)} |`,
    );
  console.log();
  for (const { label, setups } of pairs) {
    const m = median(setups);
    console.log(
      m <= TARGET_MS
        ? `target met, ${label}: median ${m.toFixed(2)} ms ≤ ${TARGET_MS} ms`
        : `TARGET MISSED, ${label}: median ${m.toFixed(2)} ms > ${TARGET_MS} ms`,
    );
  }
} finally {
  await Promise.all([alice, bob, alicePlain, bobPlain].map((c) => c.stop())).catch(() => undefined);
  await prosody.stop();
}
