// Many concurrent Jingle sessions between two bot processes through a real Prosody on 127.0.0.1
// (started here): each bot is a child process with one @xmpp/client and the plugin
// (bench/scale-bot.ts). Baseline in the same run: each bot idle (logged in, plugin loaded, no
// session). Figures:
//   1. N sessions opened (at most --concurrency setting up at once): time until all are connected;
//   2. at peak, each bot's RSS, heap, open file descriptors and UDP sockets, and the per-session
//      increase over its baseline;
//   3. all terminated: back to baseline?
//   4. K open/close cycles (--cycles, at most --cycle-concurrency at once), sampled 10 times:
//      RSS, heap and descriptors must not grow.
// The plugin's session limits are raised to N (they default to 256 / 64 pending / 8 per peer).
//
//   npm run bench:scale -- --sessions 100
//   npm run bench:scale -- --sessions 1000 --cycles 10000 [--dtls] [--concurrency 50]
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import { startProsody } from "../test/support/prosody.js";
import type { BotConfig, BotRequest, BotSample } from "./scale-bot.js";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100" },
    concurrency: { type: "string", default: "50" },
    cycles: { type: "string", default: "10000" },
    "cycle-concurrency": { type: "string", default: "20" },
    dtls: { type: "boolean", default: false },
  },
});
const positive = (name: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be an integer ≥ 0`);
  return n;
};
const SESSIONS = positive("sessions", values.sessions);
const CONCURRENCY = Math.max(1, positive("concurrency", values.concurrency));
const CYCLES = positive("cycles", values.cycles);
const CYCLE_CONCURRENCY = Math.max(1, positive("cycle-concurrency", values["cycle-concurrency"]));
const DTLS = values.dtls;
const TARGET_RSS_PER_SESSION = 40 * 1024;

type Reply = { id: number; result?: unknown; error?: string };

/** A bot process and a promise-based call into it. */
class Bot {
  private next = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  readonly ready: Promise<{ jid: string }>;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.waiting.set(0, (reply) =>
        reply.error ? reject(new Error(reply.error)) : resolve(reply.result as { jid: string }),
      );
      child.once("exit", (code) =>
        reject(new Error(`${name} exited (${code}) before it was ready`)),
      );
    });
    child.on("message", (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.(reply);
    });
  }
  call<T>(command: BotRequest): Promise<T> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) =>
        reply.error === undefined
          ? resolve(reply.result as T)
          : reject(new Error(`${this.name}: ${reply.error}`)),
      );
      this.child.send({ id, ...command });
    });
  }
}

const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const prosody = await startProsody({ users: { alice: "a-pass", bob: "b-pass" } });
const bots: Bot[] = [];
try {
  const start = (user: string, password: string): Bot => {
    const config: BotConfig = {
      service: prosody.service,
      domain: prosody.domain,
      user,
      password,
      resource: "scale",
      dtls: DTLS,
      limit: Math.max(SESSIONS, CYCLE_CONCURRENCY) + 16,
    };
    const child = fork(new URL("./scale-bot.ts", import.meta.url), [JSON.stringify(config)], {
      execArgv: ["--expose-gc", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const bot = new Bot(user === "alice" ? "initiator" : "responder", child);
    bots.push(bot);
    return bot;
  };
  const initiator = start("alice", "a-pass");
  const responder = start("bob", "b-pass");
  const [, { jid: responderJid }] = await Promise.all([initiator.ready, responder.ready]);
  const both = <T>(command: BotRequest) =>
    Promise.all([initiator.call<T>(command), responder.call<T>(command)]);

  console.log(
    "Concurrent Jingle sessions between two bot processes through Prosody on 127.0.0.1 (bench/scale.ts)",
  );
  console.log(
    `node ${process.version}, cpu: ${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}, ` +
      `${SESSIONS} sessions (${CONCURRENCY} setting up at once), ${CYCLES} cycles ` +
      `(${CYCLE_CONCURRENCY} at once), ${DTLS ? "DTLS" : "plain (no DTLS)"}\n`,
  );

  // Baseline: both bots idle. A first session warms each process up (modules, JIT, certificate).
  await initiator.call({ cmd: "open", to: responderJid, count: 2, concurrency: 2 });
  await initiator.call({ cmd: "close" });
  await both({ cmd: "wait", active: 0, sessions: 0, timeoutMs: 30_000 });
  await sleep(500);
  const [baseI, baseR] = await both<BotSample>({ cmd: "measure" });

  const opened = await initiator.call<{ ms: number; failures: number; firstErrors: string[] }>({
    cmd: "open",
    to: responderJid,
    count: SESSIONS,
    concurrency: CONCURRENCY,
  });
  const connected = SESSIONS - opened.failures;
  await responder
    .call({ cmd: "wait", active: connected, sessions: connected, timeoutMs: 120_000 })
    .catch((e: unknown) => console.log(String(e)));
  const [peakI, peakR] = await both<BotSample>({ cmd: "measure" });

  await initiator.call({ cmd: "close" });
  await both({ cmd: "wait", active: 0, sessions: 0, timeoutMs: 120_000 });
  await sleep(1000);
  const [afterI, afterR] = await both<BotSample>({ cmd: "measure" });

  const row = (figure: string, i: string, r: string, base: string) =>
    console.log(`| ${figure} | ${i} | ${r} | ${base} |`);
  console.log(
    `| figure | initiator bot | responder bot | baseline (idle bot: initiator / responder) |`,
  );
  console.log("| --- | ---: | ---: | ---: |");
  row(
    `${SESSIONS} sessions: all connected`,
    `${connected}/${SESSIONS} in ${(opened.ms / 1000).toFixed(1)} s`,
    `${peakR.active} active`,
    "0 / 0 sessions",
  );
  row("RSS at peak", MB(peakI.rss), MB(peakR.rss), `${MB(baseI.rss)} / ${MB(baseR.rss)}`);
  const perSession = (peak: number, base: number) =>
    connected === 0 ? NaN : (peak - base) / connected;
  row(
    "RSS per open session",
    KB(perSession(peakI.rss, baseI.rss)),
    KB(perSession(peakR.rss, baseR.rss)),
    `target ≤ ${KB(TARGET_RSS_PER_SESSION)}`,
  );
  row(
    "heap at peak",
    MB(peakI.heapUsed),
    MB(peakR.heapUsed),
    `${MB(baseI.heapUsed)} / ${MB(baseR.heapUsed)}`,
  );
  row(
    "heap per open session",
    KB(perSession(peakI.heapUsed, baseI.heapUsed)),
    KB(perSession(peakR.heapUsed, baseR.heapUsed)),
    "",
  );
  row(
    "heap committed at peak",
    MB(peakI.heapTotal),
    MB(peakR.heapTotal),
    `${MB(baseI.heapTotal)} / ${MB(baseR.heapTotal)}`,
  );
  row(
    "heap committed per open session",
    KB(perSession(peakI.heapTotal, baseI.heapTotal)),
    KB(perSession(peakR.heapTotal, baseR.heapTotal)),
    "",
  );
  row(
    "external (buffers) per open session",
    KB(perSession(peakI.external, baseI.external)),
    KB(perSession(peakR.external, baseR.external)),
    `${MB(baseI.external)} / ${MB(baseR.external)}`,
  );
  row("open fds at peak", `${peakI.fds}`, `${peakR.fds}`, `${baseI.fds} / ${baseR.fds}`);
  row(
    "fds per open session",
    perSession(peakI.fds, baseI.fds).toFixed(2),
    perSession(peakR.fds, baseR.fds).toFixed(2),
    "",
  );
  row("UDP sockets at peak", `${peakI.udp}`, `${peakR.udp}`, `${baseI.udp} / ${baseR.udp}`);
  row("all terminated: fds", `${afterI.fds}`, `${afterR.fds}`, `${baseI.fds} / ${baseR.fds}`);
  row(
    "all terminated: UDP sockets",
    `${afterI.udp}`,
    `${afterR.udp}`,
    `${baseI.udp} / ${baseR.udp}`,
  );
  row(
    "all terminated: heap",
    MB(afterI.heapUsed),
    MB(afterR.heapUsed),
    `${MB(baseI.heapUsed)} / ${MB(baseR.heapUsed)}`,
  );
  row("all terminated: RSS", MB(afterI.rss), MB(afterR.rss), `${MB(baseI.rss)} / ${MB(baseR.rss)}`);
  if (opened.failures > 0)
    console.log(`\n${opened.failures} sessions failed: ${opened.firstErrors.join("; ")}`);

  if (CYCLES > 0) {
    const [cyclesResult, cycleR] = await Promise.all([
      initiator.call<{ ms: number; failures: number; samples: (BotSample & { cycles: number })[] }>(
        {
          cmd: "cycles",
          to: responderJid,
          count: CYCLES,
          concurrency: CYCLE_CONCURRENCY,
          samples: 10,
        },
      ),
      Promise.resolve(undefined),
    ]);
    void cycleR;
    await responder.call({ cmd: "wait", active: 0, sessions: 0, timeoutMs: 60_000 });
    const endR = await responder.call<BotSample>({ cmd: "measure" });
    const { samples } = cyclesResult;
    console.log(
      `\n${CYCLES} open/close cycles (${CYCLE_CONCURRENCY} at once) in ${(cyclesResult.ms / 1000).toFixed(1)} s, ` +
        `${cyclesResult.failures} failed; initiator bot after each tenth (baseline: the first row, before any cycle):\n`,
    );
    console.log("| cycles | RSS | heap | fds | UDP sockets | sessions |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const s of samples)
      console.log(
        `| ${s.cycles} | ${MB(s.rss)} | ${MB(s.heapUsed)} | ${s.fds} | ${s.udp} | ${s.sessions} |`,
      );
    const first = samples[1] ?? samples[0]!;
    const last = samples.at(-1)!;
    console.log(
      `\ngrowth from the first tenth to the end: RSS ${MB(last.rss - first.rss)}, heap ${MB(last.heapUsed - first.heapUsed)}, fds ${last.fds - first.fds}` +
        `; responder bot at the end: RSS ${MB(endR.rss)}, heap ${MB(endR.heapUsed)}, fds ${endR.fds} (baseline ${MB(baseR.rss)}, ${MB(baseR.heapUsed)}, ${baseR.fds})`,
    );
  }
  const [errI, errR] = await both<{ errors: Record<string, number>; acceptFailures: number }>({
    cmd: "measure",
  });
  for (const [name, e] of [
    ["initiator", errI],
    ["responder", errR],
  ] as const) {
    if (Object.keys(e.errors).length > 0 || e.acceptFailures > 0)
      console.log(
        `${name} reported: ${JSON.stringify(e.errors)}, accept failures ${e.acceptFailures}`,
      );
  }
  const perI = perSession(peakI.rss, baseI.rss);
  const perR = perSession(peakR.rss, baseR.rss);
  const worst = Math.max(perI, perR);
  console.log(
    worst <= TARGET_RSS_PER_SESSION
      ? `\ntarget met: ≤ ${KB(TARGET_RSS_PER_SESSION)} RSS per open session (worst bot ${KB(worst)})`
      : `\nTARGET MISSED: ${KB(worst)} RSS per open session > ${KB(TARGET_RSS_PER_SESSION)}`,
  );
} finally {
  await Promise.all(bots.map((b) => b.call({ cmd: "exit" }).catch(() => undefined)));
  await sleep(200);
  for (const b of bots) if (b.child.exitCode === null) b.child.kill();
  await prosody.stop();
}
