// Fault (issue 10): a flood of 10 000 Jingle transport-info IQs through a real Prosody against a
// bot (this process's plugin) with one legitimate session to a `jingle-ice answer` process. Every
// flood IQ gets an error reply, the plugin holds nothing for them (stats(), buffered
// candidates), and the legitimate session keeps exchanging datagrams throughout. RSS is
// reported, never asserted; nothing here asserts on time.
// Prosody's c2s rate limits live in mod_limits, which the throwaway Prosody does not load
// (test/support/prosody.ts): the whole flood goes through.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import type { Jingle } from "../../src/jingle/model.js";
import { NS_JINGLE } from "../../src/jingle/model.js";
import { jingleIceUdp, type XmppClient } from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { stopAllProcesses } from "../support/json-lines.js";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";
import { clientPool } from "../support/xmpp-server.js";
import { sendText, serveDatagrams, startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;
const FLOOD = 10_000;
/** IQs in flight at once (each waits for its error reply before the next goes). */
const WINDOW = 200;
const ice = { addresses: ["127.0.0.1"] };

/** A transport-info for `sid` carrying `count` junk candidates (a port 0, a bogus type…). */
function junkTransportInfo(sid: string, count: number): Jingle {
  return {
    action: "transport-info",
    sid,
    contents: [
      {
        creator: "initiator",
        name: "datagram",
        transport: {
          kind: "ice-udp",
          ufrag: "junk",
          pwd: "junk-password-0123456789",
          candidates: Array.from({ length: count }, (_, i) => ({
            component: 1,
            foundation: `f${i}`,
            ip: "127.0.0.1",
            port: 1 + i,
            priority: 1 + i,
            protocol: "udp" as const,
            type: "host" as const,
          })),
          gatheringComplete: false,
          skipped: [],
        },
      },
    ],
  };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** RSS and heap after a full garbage collection (for the log only). */
function memory(): string {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const { rss, heapUsed } = process.memoryUsage();
  return `RSS ${mib(rss)}, heap ${mib(heapUsed)}`;
}

describe("fault: a flood of transport-info IQs against a bot with one session", () => {
  const clients = clientPool();
  let server: Prosody | undefined;
  after(async () => {
    await clients.stopAll();
    await stopAllProcesses();
    await server?.stop();
  });

  it("answers every flood IQ with an error, holds nothing for them, and the legitimate session keeps carrying datagrams", async (t) => {
    await requireProsody();
    server = await startProsody({
      users: { bot: "bot-pw", answerer: "answerer-pw", flooder: "flooder-pw" },
    });
    const answer = startJingleCli(server, "answerer", [
      "answer",
      "--once",
      "--allow",
      server.jid("bot"),
    ]);
    await answer.waitFor("online", WAIT_MS);
    const [botXmpp, flooder] = await Promise.all([
      clients.login(server, "bot", "bot"),
      clients.login(server, "flooder", "x"),
    ]);
    const bot = jingleIceUdp(botXmpp as unknown as XmppClient, { ice });
    const errors: Error[] = [];
    bot.on("error", (error) => errors.push(error));
    const session = bot.initiate(`${server.jid("answerer")}/cli`);
    const channel = await session.connect();
    const served = serveDatagrams(channel);
    let pongs = 0;
    const ping = async (n: number): Promise<void> => {
      sendText(channel, `ping ${n}`);
      await served.receive(`pong ${n}`, WAIT_MS);
      pongs++;
    };
    await ping(0);

    const before = memory();
    const to = botXmpp.jid!.toString();
    const payloads = [
      toXmpp(buildJingle(junkTransportInfo("no-such-session", 1))), // a garbage sid
      toXmpp(buildJingle(junkTransportInfo(session.sid, 20))), // the real sid, not its peer
      // Malformed: a <jingle/> without sid nor action.
      xml("jingle", { xmlns: NS_JINGLE }),
    ];
    const conditions = new Map<string, number>();
    let results = 0;
    let next = 0;
    const sender = async (): Promise<void> => {
      for (let i = next++; i < FLOOD; i = next++) {
        const payload = payloads[i % payloads.length]!;
        try {
          await flooder.iqCaller.request(xml("iq", { type: "set", to }, payload), 120_000);
          results++;
        } catch (error) {
          const condition = (error as { condition?: string }).condition ?? String(error);
          conditions.set(condition, (conditions.get(condition) ?? 0) + 1);
        }
      }
    };
    let flooding = true;
    const flood = Promise.all(Array.from({ length: WINDOW }, sender)).finally(
      () => (flooding = false),
    );
    // The legitimate session meanwhile: one ping at a time, each answered, 20 ms apart.
    let n = 1;
    while (flooding) {
      await ping(n++);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await flood;
    await ping(n++);
    const afterFlood = memory();

    t.diagnostic(
      `flood replies: ${JSON.stringify(Object.fromEntries(conditions))}, results ${results}; ` +
        `${pongs} pings answered; before: ${before}; after: ${afterFlood} ` +
        `(this process: the bot and the flooding client)`,
    );
    assert.equal(results, 0, "no flood IQ is acknowledged");
    assert.deepEqual(Object.fromEntries(conditions), {
      "item-not-found": Math.ceil(FLOOD / 3) + Math.ceil((FLOOD - 1) / 3),
      "bad-request": Math.floor(FLOOD / 3),
    });
    assert.ok(pongs >= 3, `the session carried datagrams during the flood (${pongs} pongs)`);
    assert.deepEqual(bot.stats(), { sessions: 1, pending: 0, active: 1 });
    assert.equal(session.bufferedCandidates, 0);
    assert.equal(session.state, "active");
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
    );
    await session.terminate("success");
    assert.equal((await answer.waitFor("terminated", WAIT_MS))["reason"], "success");
  });
});
