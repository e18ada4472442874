// One bot of bench/scale.ts, in its own process: an @xmpp/client logged in to the bench's
// Prosody with the jingle-ice plugin (from dist/), driven by the parent over IPC. It accepts
// every incoming session, opens and ends sessions on command, and measures itself: RSS, heap,
// open file descriptors (/proc/self/fd), UDP sockets and the plugin's stats(), after a GC.
//
// Started by bench/scale.ts only (node --expose-gc --import tsx bench/scale-bot.ts '<json>').
import { readdirSync } from "node:fs";
import type * as Package from "../src/index.js";
import { connectClient, type XmppServer } from "../test/support/xmpp-server.js";

/** What the parent passes in argv[2]. */
export interface BotConfig {
  readonly service: string;
  readonly domain: string;
  readonly user: string;
  readonly password: string;
  readonly resource: string;
  readonly dtls: boolean;
  /** Raised session limits (all three of SessionLimits). */
  readonly limit: number;
}

/** A bot's measurement of itself. */
export interface BotSample {
  readonly rss: number;
  readonly heapUsed: number;
  /** V8 heap committed (what the heap costs in RSS). */
  readonly heapTotal: number;
  /** Memory of ArrayBuffers and other objects outside the V8 heap. */
  readonly external: number;
  readonly fds: number;
  readonly udp: number;
  readonly sessions: number;
  readonly active: number;
}

/** Commands from the parent; each is answered with `{ id, result }` or `{ id, error }`. */
export type BotCommand =
  | { readonly id: number; readonly cmd: "measure" }
  | {
      readonly id: number;
      readonly cmd: "open";
      readonly to: string;
      readonly count: number;
      readonly concurrency: number;
    }
  | {
      readonly id: number;
      readonly cmd: "wait";
      readonly active: number;
      readonly sessions: number;
      readonly timeoutMs: number;
    }
  | { readonly id: number; readonly cmd: "close" }
  | {
      readonly id: number;
      readonly cmd: "cycles";
      readonly to: string;
      readonly count: number;
      readonly concurrency: number;
      readonly samples: number;
    }
  | { readonly id: number; readonly cmd: "exit" };

/** A command without its id (what the parent passes to Bot.call). */
export type BotRequest = BotCommand extends infer C
  ? C extends unknown
    ? Omit<C, "id">
    : never
  : never;

const config = JSON.parse(process.argv[2] ?? "{}") as BotConfig;
const pkg = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof Package;
const server = {
  kind: "prosody",
  service: config.service,
  domain: config.domain,
  credentials: () => ({ username: config.user, password: config.password }),
  log: () => "(the bench's Prosody log is in the parent)",
} as unknown as XmppServer;
const xmpp = await connectClient(server, config.user, config.resource, { timeoutMs: 30_000 });
const jingle = pkg.jingleIceUdp(xmpp as never, {
  ice: { addresses: ["127.0.0.1"] },
  dtls: config.dtls,
  limits: {
    maxSessions: config.limit,
    maxPendingSessions: config.limit,
    maxSessionsPerPeer: config.limit,
  },
  setupTimeoutMs: 600_000,
  iqTimeoutMs: 120_000,
});
const errors = new Map<string, number>();
jingle.on("error", (error) => {
  const key = error.message.slice(0, 80);
  errors.set(key, (errors.get(key) ?? 0) + 1);
});
const ours = new Set<Package.JingleSession>();
let acceptFailures = 0;
jingle.on("incoming", (session) => {
  session.accept().catch(() => acceptFailures++);
});

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(): Promise<BotSample> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const memory = process.memoryUsage();
  const stats = jingle.stats();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    fds: readdirSync("/proc/self/fd").length,
    udp: process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length,
    sessions: stats.sessions,
    active: stats.active,
  };
}

/** Runs `task` `count` times with at most `concurrency` at once; resolves with the failures. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  let failures = 0;
  const firstErrors: string[] = [];
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      try {
        await task(i);
      } catch (error) {
        failures++;
        if (firstErrors.length < 3) firstErrors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { failures, firstErrors };
}

async function open(to: string, count: number, concurrency: number) {
  const t0 = performance.now();
  const result = await pool(count, concurrency, async () => {
    const session = jingle.initiate(to);
    ours.add(session);
    session.once("terminated", () => ours.delete(session));
    await session.connect();
  });
  return { ms: performance.now() - t0, ...result };
}

async function waitFor(active: number, sessions: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = jingle.stats();
    if (stats.active === active && stats.sessions === sessions) return stats;
    if (performance.now() > deadline)
      throw new Error(
        `stats ${JSON.stringify(stats)} after ${timeoutMs} ms, wanted ${active}/${sessions}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function cycles(to: string, count: number, concurrency: number, samples: number) {
  const every = Math.max(1, Math.floor(count / samples));
  const taken: (BotSample & { readonly cycles: number })[] = [{ cycles: 0, ...(await measure()) }];
  const t0 = performance.now();
  let done = 0;
  let failures = 0;
  for (let start = 0; start < count; start += every) {
    const slice = Math.min(every, count - start);
    const result = await pool(slice, concurrency, async () => {
      const session = jingle.initiate(to);
      await session.connect();
      await session.terminate("success");
    });
    failures += result.failures;
    done += slice;
    await waitFor(0, 0, 30_000);
    taken.push({ cycles: done, ...(await measure()) });
  }
  return { ms: performance.now() - t0, failures, samples: taken };
}

process.on("message", (message: BotCommand) => {
  const run = async (): Promise<unknown> => {
    switch (message.cmd) {
      case "measure":
        return { ...(await measure()), errors: Object.fromEntries(errors), acceptFailures };
      case "open":
        return open(message.to, message.count, message.concurrency);
      case "wait":
        return waitFor(message.active, message.sessions, message.timeoutMs);
      case "close":
        await Promise.all([...ours].map((s) => s.terminate("success")));
        return jingle.stats();
      case "cycles":
        return cycles(message.to, message.count, message.concurrency, message.samples);
      case "exit":
        await jingle.close();
        await xmpp.stop().catch(() => undefined);
        setImmediate(() => process.exit(0));
        return true;
    }
  };
  run().then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.send?.({ id: 0, result: { jid: String(xmpp.jid) } });
