// Fault (issue 10): the XMPP server dies mid-session (docs/plugin.md, "Faults"). Prosody is
// SIGKILLed under an open session between this process (the plugin, as alice) and a
// `jingle-ice answer` process: the ICE/DTLS channel keeps carrying datagrams while the XMPP
// connection is down; once Prosody is back (the same config, port and accounts) both clients
// reconnect and signalling resumes (a session-info ping, an ICE restart, a session-terminate);
// if it never comes back, the sessions end with connectivity-error after `offlineTimeoutMs`.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { jingleIceUdp, type XmppClient } from "../../src/plugin/index.js";
import type { Reason } from "../../src/jingle/model.js";
import { stopAllProcesses } from "../support/json-lines.js";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";
import { clientPool, type XmppTestClient } from "../support/xmpp-server.js";
import { sendText, serveDatagrams, startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;
const ice = { addresses: ["127.0.0.1"] };
const decoder = new TextDecoder();

/** Resolves once `client` emits `event` (within WAIT_MS). */
function statusEvent(client: XmppTestClient, event: "disconnect" | "online"): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${event}" within ${WAIT_MS} ms`)),
      WAIT_MS,
    );
    const listener = (): void => {
      clearTimeout(timer);
      client.removeListener(event, listener);
      resolve();
    };
    client.on(event, listener);
  });
}

/**
 * Starts Prosody again from `server`'s own config file (same port, data and accounts), after
 * the harness's process was killed; resolves once c2s listens again. Stopped with SIGTERM.
 */
async function restartProsody(server: Prosody): Promise<{ stop(): Promise<void> }> {
  const config = join(server.dir, "prosody.cfg.lua");
  const child: ChildProcess = spawn(
    "setpriv",
    ["--pdeathsig", "KILL", "--", "prosody", "-F", "--config", config],
    { cwd: server.dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = once(child, "exit");
  let log = "";
  const listening = `Activated service 'c2s' on [127.0.0.1]:${server.port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prosody did not restart:\n${log}`)), WAIT_MS);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes(listening)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(() => reject(new Error(`Prosody exited on restart:\n${log}`)));
  });
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Sends `ping <n>` and waits for the answer process's `pong <n>`. */
async function pingPong(
  served: ReturnType<typeof serveDatagrams>,
  channel: Parameters<typeof sendText>[0],
  n: number,
) {
  sendText(channel, `ping ${n}`);
  await served.receive(`pong ${n}`, WAIT_MS);
}

describe("fault: Prosody dies mid-session", () => {
  const clients = clientPool();
  const servers: Prosody[] = [];
  const restarted: { stop(): Promise<void> }[] = [];
  after(async () => {
    await clients.stopAll();
    await stopAllProcesses();
    await Promise.all(restarted.map((r) => r.stop()));
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function setup(answerArgs: readonly string[] = [], offlineTimeoutMs?: number) {
    await requireProsody();
    const server = await startProsody({ users: { alice: "alice-pw", answerer: "answerer-pw" } });
    servers.push(server);
    const answer = startJingleCli(server, "answerer", [
      "answer",
      "--once",
      "--allow",
      server.jid("alice"),
      ...answerArgs,
    ]);
    await answer.waitFor("online", WAIT_MS);
    const alice = await clients.login(server, "alice", "bot", { reconnect: true });
    const jingle = jingleIceUdp(alice as unknown as XmppClient, {
      ice,
      ...(offlineTimeoutMs !== undefined && { offlineTimeoutMs }),
    });
    jingle.on("error", () => undefined); // stanzas lost in the outage are expected here
    const session = jingle.initiate(`${server.jid("answerer")}/cli`);
    const channel = await session.connect();
    const received: string[] = [];
    channel.on("message", (data) => received.push(decoder.decode(data)));
    const served = { received, receive: serveDatagrams(channel).receive };
    await pingPong(served, channel, 0);
    return { server, answer, alice, jingle, session, channel, served };
  }

  it("keeps carrying datagrams while Prosody is down, and resumes signalling once it is back", async () => {
    const { server, answer, alice, jingle, session, channel, served } = await setup();
    const down = statusEvent(alice, "disconnect");
    process.kill(server.pid, "SIGKILL");
    await down;
    await answer.waitFor("xmpp-disconnected", WAIT_MS);
    // The outage: no XMPP at all, and the channel still works both ways.
    for (let n = 1; n <= 5; n++) await pingPong(served, channel, n);
    assert.equal(session.state, "active");

    const back = statusEvent(alice, "online");
    restarted.push(await restartProsody(server));
    await back;
    await answer.waitFor("xmpp-reconnected", WAIT_MS);
    // Signalling resumes: an ICE restart's transport-info goes both ways through the new
    // Prosody, and a new pair carries the datagrams.
    const reselected = once(session.ice!, "selected-pair", {
      signal: AbortSignal.timeout(WAIT_MS),
    });
    session.restart();
    await reselected;
    await pingPong(served, channel, 6);
    assert.equal(session.state, "active");
    assert.deepEqual(jingle.stats(), { sessions: 1, pending: 0, active: 1 });
    await session.terminate("success");
    const terminated = await answer.waitFor("terminated", WAIT_MS);
    assert.equal(terminated["reason"], "success", answer.report());
    assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
  });

  it("ends the session on both sides with connectivity-error when Prosody never comes back within offlineTimeoutMs", async () => {
    const { server, answer, alice, session, channel, served } = await setup(
      ["--offline-timeout", "4000"],
      4_000,
    );
    const ended = once(session, "terminated", { signal: AbortSignal.timeout(WAIT_MS) });
    const down = statusEvent(alice, "disconnect");
    process.kill(server.pid, "SIGKILL");
    await down;
    await pingPong(served, channel, 1); // the channel outlives the stream until the deadline
    const [reason] = (await ended) as [Reason];
    assert.deepEqual(reason, {
      condition: "connectivity-error",
      text: "XMPP connection lost for 4 s",
    });
    const terminated = await answer.waitFor("terminated", WAIT_MS);
    assert.equal(terminated["reason"], "connectivity-error", answer.report());
    assert.match(String(terminated["text"]), /XMPP connection lost/, answer.report());
    assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
  });
});
