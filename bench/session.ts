// Jingle session setup time through a real Prosody on 127.0.0.1 (started here, Nagle off):
// from initiate() until the channel is open on both sides, RUNS sessions (default 50) between
// two logged-in bots, median and p95. Baseline in the same run: the XMPP round trip of an IQ
// between the same two bots (XEP-0199 ping to the full JID), the floor of any signalling.
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
const [alice, bob] = await Promise.all([
  connectClient(prosody, "alice", "bench"),
  connectClient(prosody, "bob", "bench"),
]);
try {
  console.log("Jingle session setup through Prosody on 127.0.0.1 (bench/session.ts)");
  console.log(
    `node ${process.version}, cpu: ${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}, ${RUNS} sessions\n`,
  );
  const options = { ice: { addresses: ["127.0.0.1"] } };
  const aliceJingle = pkg.jingleIceUdp(alice, options);
  const bobJingle = pkg.jingleIceUdp(bob, options);
  bob.iqCallee.get("urn:xmpp:ping", "ping", () => true);

  const pings: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await alice.iqCaller.request(
      xml("iq", { type: "get", to: String(bob.jid) }, xml("ping", { xmlns: "urn:xmpp:ping" })),
    );
    pings.push(performance.now() - t0);
  }

  const setups: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const accepted = once(bobJingle, "incoming").then(async ([session]) =>
      (session as Package.JingleSession).accept(),
    );
    const t0 = performance.now();
    const session = aliceJingle.initiate(String(bob.jid));
    const [channel] = await Promise.all([session.connect(), accepted]);
    const elapsed = performance.now() - t0;
    if (i >= 3) setups.push(elapsed); // the first sessions warm up the process
    void channel;
    await session.terminate("success");
  }

  console.log("| measure | median ms | p95 ms |");
  console.log("| --- | ---: | ---: |");
  console.log(
    `| XMPP IQ round trip between the bots (baseline) | ${median(pings).toFixed(2)} | ${percentile(pings, 95).toFixed(2)} |`,
  );
  console.log(
    `| initiate() to channel open on both sides | ${median(setups).toFixed(2)} | ${percentile(setups, 95).toFixed(2)} |`,
  );
  const m = median(setups);
  console.log(
    m <= TARGET_MS
      ? `\ntarget met: median ${m.toFixed(2)} ms ≤ ${TARGET_MS} ms`
      : `\nTARGET MISSED: median ${m.toFixed(2)} ms > ${TARGET_MS} ms`,
  );
} finally {
  await Promise.all([alice.stop(), bob.stop()]).catch(() => undefined);
  await prosody.stop();
}
