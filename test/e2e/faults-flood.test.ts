// Fault (issue 10): a flood of 10 000 Jingle IQs through a real Prosody against a bot (this
// process's plugin) with one legitimate session to a `jingle-ice answer` process. The flood comes
// from a second xmpp.js client in a process of its own (flood-client.ts): transport-info for a
// garbage sid, transport-info for the real session's sid with junk candidates (from a JID that
// is not the session's peer), and malformed <jingle/>. Every flood IQ gets an error reply, the
// plugin holds nothing for them (stats(), buffered candidates), and the legitimate session keeps
// exchanging datagrams throughout. The bot's memory is logged, never asserted; nothing here
// asserts on time.
// Prosody's c2s rate limits live in mod_limits, which the throwaway Prosody does not load
// (test/support/prosody.ts): the whole flood goes through.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { jingleIceUdp, type XmppClient } from "../../src/plugin/index.js";
import { REPO_ROOT } from "../interop/harness.js";
import { JsonLinesProcess, stopAllProcesses } from "../support/json-lines.js";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";
import { clientPool } from "../support/xmpp-server.js";
import { sendText, serveDatagrams, startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;
/** The flood may take minutes on a loaded machine; this is a deadline, not a measurement. */
const FLOOD_WAIT_MS = 240_000;
const FLOOD = 10_000;
/** IQs in flight at once (each waits for its error reply before the next goes). */
const WINDOW = 200;
const ice = { addresses: ["127.0.0.1"] };

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** This process's RSS and heap after a full garbage collection (for the log only). */
function memory(): string {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const { rss, heapUsed } = process.memoryUsage();
  return `RSS ${mib(rss)}, heap ${mib(heapUsed)}`;
}

describe("fault: a flood of Jingle IQs against a bot with one session", () => {
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
    const botXmpp = await clients.login(server, "bot", "bot");
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
    const flooder = new JsonLinesProcess(
      "flood-client",
      [process.execPath, "--import", "tsx", "test/e2e/flood-client.ts"],
      {
        FLOOD_SERVICE: server.service,
        FLOOD_DOMAIN: server.domain,
        FLOOD_USER: "flooder",
        FLOOD_PASSWORD: server.credentials("flooder").password,
        FLOOD_TO: botXmpp.jid!.toString(),
        FLOOD_SID: session.sid,
        FLOOD_COUNT: String(FLOOD),
        FLOOD_WINDOW: String(WINDOW),
      },
      REPO_ROOT,
    );
    await flooder.waitFor("online", WAIT_MS);
    let flooding = true;
    const done = flooder.waitFor("done", FLOOD_WAIT_MS).finally(() => (flooding = false));
    // The legitimate session meanwhile: one ping at a time, each answered, 20 ms apart.
    let n = 1;
    while (flooding) {
      await ping(n++);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const summary = await done;
    await ping(n++);
    const afterFlood = memory();

    t.diagnostic(
      `flood replies ${JSON.stringify(summary["conditions"])}, results ${String(summary["results"])}; ` +
        `${pongs} pings answered meanwhile; the bot's process before: ${before}; after: ${afterFlood}`,
    );
    assert.equal(summary["results"], 0, "no flood IQ is acknowledged");
    // i % 3 == 0: garbage sid, 1: the real sid from a stranger (both unknown-session), 2: malformed.
    assert.deepEqual(summary["conditions"], {
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
    assert.equal(await flooder.exitCode(WAIT_MS), 0, flooder.report());
  });
});
