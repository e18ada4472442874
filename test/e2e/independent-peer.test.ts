// Jingle ICE-UDP against software nobody here wrote: test/interop/jingle-peer.py (slixmpp for
// XMPP, aioice for ICE; one switch per habit of the Jabber clients in the wild) calls and is
// called by `jingle-ice answer` / `jingle-ice call` and the plugin, through a real Prosody and a
// real ejabberd on 127.0.0.1. The switches are grouped into a few sessions per direction; every
// session carries datagrams both ways. Both sides run without DTLS here; encrypted sessions
// with the same peer are in independent-peer-dtls.test.ts. Needs prosody, ejabberd,
// python3-slixmpp and python3-aioice; FAILS (never skips) without them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startJinglePeer } from "../interop/jingle-peer.js";
import { XMPP_SERVER_KINDS } from "../support/xmpp-servers.js";
import { startJingleCli } from "./jingle-processes.js";
import {
  SUITE_TIMEOUT_MS,
  WAIT_MS,
  actionsFromUs,
  assertOurContent,
  ending,
  finishedCleanly,
  peerFixture,
  received,
} from "./peer-fixture.js";

for (const kind of XMPP_SERVER_KINDS) {
  describe(
    `an independent Jingle peer (slixmpp + aioice) through ${kind}`,
    {
      timeout: SUITE_TIMEOUT_MS,
    },
    () => {
      // The peer speaks plain ICE-UDP (no DTLS): both sides ask for plaintext (XEP-0320 off).
      const { server, peerCallsPlugin, pluginCallsPeer } = peerFixture(kind, false);

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
