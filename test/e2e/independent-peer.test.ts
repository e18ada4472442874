// Jingle ICE-UDP against software nobody here wrote: test/interop/jingle-peer.py (slixmpp for
// XMPP, aioice for ICE; one switch per habit of the Jabber clients in the wild) calls and is
// called by `jingle-ice answer` / `jingle-ice call` and the plugin, through a real Prosody and a
// real ejabberd on 127.0.0.1. The switches are grouped into a few sessions per direction; every
// session carries datagrams both ways. Needs prosody, ejabberd, python3-slixmpp and
// python3-aioice; FAILS (never skips) without them.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import type { Reason } from "../../src/jingle/model.js";
import { jingleIceUdp, type JingleSession, type XmppClient } from "../../src/plugin/index.js";
import {
  NS_DATAGRAM,
  NS_ICE_UDP,
  contentOf,
  requireJinglePeer,
  startJinglePeer,
  type JinglePeerSwitches,
} from "../interop/jingle-peer.js";
import { stopAllProcesses, type JsonEvent, type JsonLinesProcess } from "../support/json-lines.js";
import { clientPool, type XmppServer } from "../support/xmpp-server.js";
import { XMPP_SERVER_KINDS, requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";
import { sendText, serveDatagrams, startJingleCli, type Served } from "./jingle-processes.js";

const USERS = { bot: "bot-pw", cli: "cli-pw", peer: "peer-pw" };
const ice = { addresses: ["127.0.0.1"] };
const WAIT_MS = 20_000;
/** Every wait has its own deadline; this is the last resort against a hang (per server). */
const SUITE_TIMEOUT_MS = 600_000;

/** Our side of a session with the peer. */
interface Opened {
  readonly session: JingleSession;
  readonly served: Served;
  /** Resolves with the reason once the session is over. */
  readonly ended: Promise<Reason>;
}

/** The peer exited 0 and reported no error of any kind (its own, ICE, or an IQ error reply). */
async function finishedCleanly(peer: JsonLinesProcess): Promise<void> {
  const code = await peer.exitCode(WAIT_MS);
  assert.deepEqual(
    {
      code,
      errors: peer.all("error"),
      iceErrors: peer.all("ice-error"),
      iqErrors: peer.all("iq-result", (e) => e["ok"] === false),
    },
    { code: 0, errors: [], iceErrors: [], iqErrors: [] },
    peer.report(),
  );
}

/** The actions of the `<jingle/>` IQs the peer received from us, in order. */
function actionsFromUs(peer: JsonLinesProcess): string[] {
  return peer.all("jingle-in").map((e) => String(e["action"]));
}

/** The first `<jingle/>` of `action` the peer received. */
function received(peer: JsonLinesProcess, action: string): JsonEvent {
  const [event] = peer.all("jingle-in", (e) => e["action"] === action);
  assert.ok(event !== undefined, `the peer got no ${action}\n${peer.report()}`);
  return event;
}

/** How the peer saw the session end. */
function ending(peer: JsonLinesProcess): { by: unknown; reason: unknown } | undefined {
  const [event] = peer.all("terminated");
  return event && { by: event["by"], reason: event["reason"] };
}

/** Our content as the peer received it: jingle-ice's datagram application over ICE-UDP. */
function assertOurContent(event: JsonEvent, name: string): void {
  const content = contentOf(event);
  assert.deepEqual(
    {
      name: content?.name,
      description: content?.description,
      children: content?.description_children,
      transport: content?.transport,
      ufrag: content?.ufrag,
      pwd: content?.pwd,
    },
    { name, description: NS_DATAGRAM, children: [], transport: NS_ICE_UDP, ufrag: true, pwd: true },
    JSON.stringify(event),
  );
}

for (const kind of XMPP_SERVER_KINDS) {
  describe(
    `an independent Jingle peer (slixmpp + aioice) through ${kind}`,
    {
      timeout: SUITE_TIMEOUT_MS,
    },
    () => {
      let starting: Promise<XmppServer> | undefined;
      const server = (): Promise<XmppServer> =>
        (starting ??= (async () => {
          await Promise.all([requireXmppServer(kind), requireJinglePeer()]);
          return startXmppServer(kind, { users: USERS });
        })());
      const clients = clientPool();
      const plugins: ReturnType<typeof jingleIceUdp>[] = [];
      after(async () => {
        await stopAllProcesses();
        // Sessions a failed test left open would keep their sockets (and this process) alive.
        await Promise.all(plugins.map((jingle) => jingle.close()));
        await clients.stopAll();
        await (await starting?.catch(() => undefined))?.stop();
      });

      /** The plugin, logged in as bot@…/plugin<n>. */
      let logins = 0;
      const plugin = async () => {
        const s = await server();
        // A new resource each time: logging in twice as one full JID kicks the first client out.
        const resource = `plugin${++logins}`;
        const client = await clients.login(s, "bot", resource);
        // The peer speaks plain ICE-UDP (no DTLS): both sides ask for plaintext (XEP-0320 off).
        const jingle = jingleIceUdp(client as unknown as XmppClient, { ice, dtls: false });
        plugins.push(jingle);
        return { s, jid: `${s.jid("bot")}/${resource}`, jingle };
      };

      /**
       * The peer calls the plugin, which accepts and says "hello from node" on the channel.
       * `accepted` rejects (with what the peer saw) when accept() fails or nothing comes in time.
       */
      const peerCallsPlugin = async (switches: JinglePeerSwitches) => {
        const { s, jid, jingle } = await plugin();
        const peer = startJinglePeer(s, "peer", { call: jid }, switches);
        const accepted = new Promise<Opened>((resolve, reject) => {
          const fail = (why: string) => reject(new Error(`${why}\n${peer.report()}`));
          const timer = setTimeout(() => fail(`no session open within ${WAIT_MS} ms`), WAIT_MS);
          timer.unref();
          jingle.on("incoming", (session) => {
            const ended = once(session, "terminated").then(([reason]) => reason as Reason);
            session.accept().then(
              (channel) => {
                clearTimeout(timer);
                resolve({ session, served: serveDatagrams(channel), ended });
                sendText(channel, "hello from node");
              },
              (error: Error) => {
                clearTimeout(timer);
                fail(`accept() failed: ${error.message}`);
              },
            );
          });
        });
        return { peer, accepted };
      };

      /**
       * The plugin calls the peer (answering one session); says "hello from node" once the channel
       * is open.
       */
      const pluginCallsPeer = async (switches: JinglePeerSwitches) => {
        const { s, jingle } = await plugin();
        const peer = startJinglePeer(s, "peer", { answerOnce: true }, switches);
        await peer.waitFor("online", WAIT_MS);
        const session = jingle.initiate(`${s.jid("peer")}/peer`);
        const ended = once(session, "terminated").then(([reason]) => reason as Reason);
        const channel = await session.connect();
        const served = serveDatagrams(channel);
        sendText(channel, "hello from node");
        const opened: Opened = { session, served, ended };
        return { peer, ...opened };
      };

      describe("calling us", () => {
        it("calls `jingle-ice answer` with all its candidates and <gathering-complete/> in session-initiate: our session-accept comes before any transport-info, ICE connects, pings and texts go both ways (the reported bug)", async () => {
          const s = await server();
          const answer = startJingleCli(s, "cli", [
            "answer",
            "--once",
            "--no-dtls",
            "--allow-anyone",
          ]);
          await answer.waitFor("online", WAIT_MS);
          const peer = startJinglePeer(
            s,
            "peer",
            { call: `${s.jid("cli")}/cli` },
            { pings: 3, send: ["hello from aioice"], hangup: true },
          );
          await finishedCleanly(peer);
          assert.equal(actionsFromUs(peer)[0], "session-accept", peer.report());
          assertOurContent(received(peer, "session-accept"), "datagram");
          assert.deepEqual(
            peer.all("ping-done").map((e) => e["received"]),
            [3],
          );
          await peer.waitFor("data", 0, (e) => e["text"] === "echo:hello from aioice");
          assert.deepEqual(ending(peer), { by: "self", reason: "success" });
          assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
          await answer.waitFor("terminated", 0, (e) => e["reason"] === "success");
        });

        it("calls the plugin like the quirkiest clients — trickle, bare candidates, hex foundations, a base64 sid with + and /, no initiator, content '0', transport-info without pwd, late acks — and hangs up itself", async () => {
          const { peer, accepted } = await peerCallsPlugin({
            trickle: true,
            bareCandidates: true,
            hexFoundations: true,
            base64Sid: true,
            noInitiator: true,
            contentName: "0",
            infoWithoutPwd: true,
            lateAck: true,
            pings: 3,
            send: ["hello from aioice"],
            hangup: true,
          });
          const { session, served, ended } = await accepted;
          await finishedCleanly(peer);
          const sid = String(peer.all("jingle-out")[0]?.["sid"]);
          assert.match(sid, /\+.*\/|\/.*\+/);
          assert.equal(session.sid, sid);
          assert.equal(actionsFromUs(peer)[0], "session-accept", peer.report());
          assertOurContent(received(peer, "session-accept"), "0");
          assert.deepEqual(
            peer.all("ping-done").map((e) => e["received"]),
            [3],
          );
          await peer.waitFor("data", 0, (e) => e["text"] === "echo:hello from aioice");
          await served.receive("echo:hello from node");
          assert.equal((await ended).condition, "success");
          assert.deepEqual(ending(peer), { by: "self", reason: "success" });
        });

        it("calls the plugin without <gathering-complete/>; the plugin ends the session", async () => {
          const { peer, accepted } = await peerCallsPlugin({
            noGatheringComplete: true,
            send: ["one", "two"],
          });
          const { session, served } = await accepted;
          await peer.waitFor("data", WAIT_MS, (e) => e["text"] === "echo:two");
          await served.receive("echo:hello from node");
          assert.deepEqual(
            peer.all("jingle-out", (e) => e["gathering_complete"] === true),
            [],
          );
          await session.terminate("success");
          await finishedCleanly(peer);
          assert.deepEqual(ending(peer), { by: "peer", reason: "success" });
        });

        for (const [offer, switches, reason] of [
          [
            "a file transfer (XEP-0234, shaped like StanzaJS's)",
            { app: "file-transfer" },
            "unsupported-applications",
          ],
          [
            "an in-band bytestream transport (XEP-0261)",
            { transport: "ibb" },
            "unsupported-transports",
          ],
        ] as const) {
          it(`offers ${offer}: refused with ${reason} before any candidate of ours`, async () => {
            const { peer, accepted } = await peerCallsPlugin(switches);
            accepted.catch(() => undefined); // the peer's report tells
            await finishedCleanly(peer);
            assert.deepEqual(ending(peer), { by: "peer", reason });
            assert.deepEqual(actionsFromUs(peer), ["session-terminate"]);
          });
        }
      });

      describe("called by us", () => {
        it("is called by `jingle-ice call`: our session-initiate carries the datagram <description/>; every ping is answered", async () => {
          const s = await server();
          // `jingle-ice call` pings and does not echo: the peer only answers.
          const peer = startJinglePeer(s, "peer", { answerOnce: true });
          await peer.waitFor("online", WAIT_MS);
          const call = startJingleCli(s, "cli", [
            "call",
            `${s.jid("peer")}/peer`,
            "--pings",
            "3",
            "--no-dtls",
          ]);
          assert.equal(await call.exitCode(WAIT_MS), 0, call.report());
          await call.waitFor("ping-done", 0, (e) => e["received"] === 3);
          await finishedCleanly(peer);
          assertOurContent(received(peer, "session-initiate"), "datagram");
          await peer.waitFor("bye", 0, (e) => e["pings_answered"] === 3);
          assert.deepEqual(ending(peer), { by: "peer", reason: "success" });
        });

        it("is called by the plugin and acks late — its session-accept overtakes the ack of our session-initiate — trickling bare candidates without pwd and without initiator", async () => {
          const { peer, session, served } = await pluginCallsPeer({
            lateAck: true,
            trickle: true,
            bareCandidates: true,
            hexFoundations: true,
            infoWithoutPwd: true,
            noInitiator: true,
            pings: 3,
            send: ["hello from aioice"],
          });
          await served.receive("echo:hello from node");
          await peer.waitFor("ping-done", WAIT_MS, (e) => e["received"] === 3);
          await peer.waitFor("data", WAIT_MS, (e) => e["text"] === "echo:hello from aioice");
          await session.terminate("success");
          await finishedCleanly(peer);
          const accepted = peer.indexOf("jingle-out", (e) => e["action"] === "session-accept");
          const acked = peer.indexOf("ack", (e) => e["action"] === "session-initiate");
          assert.ok(accepted >= 0 && acked > accepted, peer.report());
          assertOurContent(received(peer, "session-initiate"), "datagram");
          assert.deepEqual(ending(peer), { by: "peer", reason: "success" });
        });

        it("is called by the plugin and sends its candidates in a transport-info 300 ms before session-accept, without <gathering-complete/>; hangs up itself", async () => {
          const { peer, session, served, ended } = await pluginCallsPeer({
            acceptDelayMs: 300,
            noGatheringComplete: true,
            pings: 2,
            hangup: true,
          });
          await finishedCleanly(peer);
          const info = peer.indexOf("jingle-out", (e) => e["action"] === "transport-info");
          const accept = peer.indexOf("jingle-out", (e) => e["action"] === "session-accept");
          assert.ok(info >= 0 && accept > info, peer.report());
          await peer.waitFor("ping-done", 0, (e) => e["received"] === 2);
          await served.receive("echo:hello from node");
          assert.equal((await ended).condition, "success");
          assert.equal(session.state, "ended");
        });
      });
    },
  );
}
