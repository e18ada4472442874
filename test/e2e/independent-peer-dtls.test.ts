// Encrypted Jingle sessions (XEP-0320) with software nobody here wrote: test/interop/jingle-peer.py
// with --dtls runs aiortc's DTLS (RTCDtlsTransport over an RTCIceTransport on its aioice
// connection) and calls and is called by `jingle-ice answer` / `jingle-ice call` and the plugin,
// through a real Prosody and a real ejabberd on 127.0.0.1. Each DTLS role is taken both ways
// (the peer offers actpass / active / passive, answers active / passive / actpass); every
// session carries datagrams both ways — which both stacks only deliver from DTLS records — and
// both sides report their roles and the fingerprints they verified; a responder's fingerprint may
// come in a transport-info before its session-accept (XEP-0320 §1). A plaintext peer is refused
// by our default, a DTLS peer by our --no-dtls, a lying fingerprint by the handshake. Needs
// prosody, ejabberd, python3-slixmpp, python3-aioice and python3-aiortc; FAILS without them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JingleSession, SessionChannel } from "../../src/plugin/session.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { JingleSessionError } from "../../src/plugin/session.js";
import { startJinglePeer, contentOf } from "../interop/jingle-peer.js";
import type { JsonEvent, JsonLinesProcess } from "../support/json-lines.js";
import { XMPP_SERVER_KINDS } from "../support/xmpp-servers.js";
import { startJingleCli } from "./jingle-processes.js";
import {
  SUITE_TIMEOUT_MS,
  WAIT_MS,
  actionsFromUs,
  ending,
  finishedCleanly,
  peerFixture,
  received,
} from "./peer-fixture.js";

type Role = "client" | "server";

/** What one side negotiated, as `jingle-ice --json` reports it (fingerprints `sha-256 AB:…`). */
interface Negotiated {
  readonly role: unknown;
  readonly local: unknown;
  readonly remote: unknown;
}

/** The CLI's `dtls` event. */
function fromCli(event: JsonEvent): Negotiated {
  return {
    role: event["role"],
    local: event["local_fingerprint"],
    remote: event["remote_fingerprint"],
  };
}

/** The plugin's `session.dtls`. */
function fromPlugin(session: JingleSession): Negotiated {
  const dtls = session.dtls;
  const text = (f: { algorithm: string; value: string } | undefined) =>
    f && `${f.algorithm} ${f.value}`;
  return {
    role: dtls?.role,
    local: text(dtls?.localFingerprint),
    remote: text(dtls?.remoteFingerprint),
  };
}

/**
 * Our role is `ours`, the peer's the other one (with the setups it reports), one suite both
 * ways, and each side's remote fingerprint — the certificate its handshake verified — is the
 * other side's own.
 */
function assertCrossed(
  peer: JsonLinesProcess,
  us: Negotiated,
  ours: Role,
  setups: { readonly peer: string; readonly us: string },
): void {
  const [theirs] = peer.all("dtls");
  assert.deepEqual(
    {
      ourRole: us.role,
      theirRole: theirs?.["role"],
      theirSetup: theirs?.["setup"],
      ourSetup: theirs?.["remote_setup"],
      suite: theirs?.["cipher_suite"],
      protocol: theirs?.["protocol"],
      ourRemote: us.remote,
      ourLocal: us.local,
    },
    {
      ourRole: ours,
      theirRole: ours === "client" ? "server" : "client",
      theirSetup: setups.peer,
      ourSetup: setups.us,
      suite: "ECDHE-ECDSA-AES128-GCM-SHA256",
      protocol: "DTLSv1.2",
      ourRemote: theirs?.["local_fingerprint"],
      ourLocal: theirs?.["remote_fingerprint"],
    },
    peer.report(),
  );
  assert.match(String(us.local), /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
}

/** The fingerprint (`sha-256 AB:…`) and setup of ours that the peer read in `action`. */
function signalled(
  peer: JsonLinesProcess,
  action: string,
): { fingerprint: string; setup: unknown } {
  const [fingerprint] = contentOf(received(peer, action))?.fingerprints ?? [];
  return { fingerprint: `${fingerprint?.hash} ${fingerprint?.value}`, setup: fingerprint?.setup };
}

/**
 * Our channel is DTLS and every datagram the application got came out of a DTLS record: none
 * arrived in plaintext.
 */
function assertEncrypted(channel: SessionChannel, messages: number): void {
  assert.ok(channel instanceof DtlsChannel, "the session's channel is a DtlsChannel");
  const { dtls, demux } = channel.stats();
  assert.deepEqual(
    { applicationDataIn: dtls.applicationDataIn, plaintext: demux.other },
    { applicationDataIn: messages, plaintext: 0 },
  );
}

/**
 * The peer called `jingle-ice answer` and was refused before anything else of ours: it saw our
 * session-terminate with security-error and `text`, and the CLI reported the refusal.
 */
async function assertRefusedByCli(
  peer: JsonLinesProcess,
  answer: JsonLinesProcess,
  text: string,
): Promise<void> {
  await finishedCleanly(peer);
  assert.deepEqual(actionsFromUs(peer), ["session-terminate"]);
  const [refusal] = peer.all("terminated");
  assert.deepEqual(
    { by: refusal?.["by"], reason: refusal?.["reason"], text: refusal?.["text"] },
    { by: "peer", reason: "security-error", text },
  );
  await answer.waitFor("refused", 0, (e) => e["reason"] === "security-error");
}

/** The JingleSessionError `connected` rejects with (it must reject). */
async function failureOf(connected: Promise<SessionChannel>): Promise<JingleSessionError> {
  const failure = await connected.then(
    () => assert.fail("connect() resolved"),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof JingleSessionError, String(failure));
  return failure;
}

for (const kind of XMPP_SERVER_KINDS) {
  describe(
    `an independent Jingle peer with DTLS (slixmpp + aioice + aiortc) through ${kind}`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      const { server, peerCallsPlugin, offerToPeer, pluginCallsPeer } = peerFixture(kind, true);
      const traffic = { pings: 3, send: ["hello from aiortc"] } as const;

      describe("calling us", () => {
        it("calls `jingle-ice answer` offering setup=actpass: we answer active and are the DTLS client; pings and texts go both ways; a plaintext peer calling before it is refused with security-error", async () => {
          const s = await server();
          const answer = startJingleCli(s, "cli", ["answer", "--once", "--allow-anyone"]);
          await answer.waitFor("online", WAIT_MS);
          const plain = startJinglePeer(s, "peer", { call: `${s.jid("cli")}/cli` }, traffic);
          await assertRefusedByCli(
            plain,
            answer,
            "DTLS is required (XEP-0320): the peer sent no fingerprint",
          );

          const peer = startJinglePeer(
            s,
            "peer",
            { call: `${s.jid("cli")}/cli` },
            { dtls: true, ...traffic, hangup: true },
          );
          await finishedCleanly(peer);
          assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
          assert.deepEqual(
            peer.all("ping-done").map((e) => e["received"]),
            [3],
          );
          await peer.waitFor("data", 0, (e) => e["text"] === "echo:hello from aiortc");
          assert.deepEqual(ending(peer), { by: "self", reason: "success" });
          const ours = fromCli(await answer.waitFor("dtls", 0));
          assertCrossed(peer, ours, "client", { peer: "actpass", us: "active" });
          assert.deepEqual(signalled(peer, "session-accept"), {
            fingerprint: ours.local,
            setup: "active",
          });
        });

        for (const [offered, answered, ours] of [
          ["active", "passive", "server"],
          ["passive", "active", "client"],
        ] as const) {
          it(`calls the plugin offering setup=${offered} (trickling, acking late): we answer ${answered} and are the DTLS ${ours}; datagrams both ways, all encrypted`, async () => {
            const { peer, accepted } = await peerCallsPlugin({
              dtls: true,
              setup: offered,
              trickle: true,
              lateAck: true,
              ...traffic,
              hangup: true,
            });
            const { session, channel, served, ended } = await accepted;
            await finishedCleanly(peer);
            assert.deepEqual(
              peer.all("ping-done").map((e) => e["received"]),
              [3],
            );
            await peer.waitFor("data", 0, (e) => e["text"] === "echo:hello from aiortc");
            await served.receive("echo:hello from node");
            assert.equal((await ended).condition, "success");
            assertEncrypted(channel, served.received.length);
            assertCrossed(peer, fromPlugin(session), ours, { peer: offered, us: answered });
            assert.deepEqual(signalled(peer, "session-accept").setup, answered);
          });
        }

        it("calls the plugin announcing a fingerprint that is not its certificate's: the handshake fails and the session ends with security-error on both sides", async () => {
          const { peer, accepted } = await peerCallsPlugin({
            dtls: true,
            wrongFingerprint: true,
            pings: 1,
          });
          const failure = await accepted.then(
            () => assert.fail("accept() resolved"),
            (error: Error) => error,
          );
          assert.match(failure.message, /DTLS: the peer's certificate does not match/);
          await peer.exitCode(WAIT_MS);
          assert.equal(ending(peer)?.reason, "security-error", peer.report());
          assert.deepEqual(peer.all("dtls"), []);
        });
      });

      describe("called by us", () => {
        it("is called by `jingle-ice call`: answers setup=active, we are the DTLS server; every ping is answered", async () => {
          const s = await server();
          const peer = startJinglePeer(s, "peer", { answerOnce: true }, { dtls: true });
          await peer.waitFor("online", WAIT_MS);
          const call = startJingleCli(s, "cli", ["call", `${s.jid("peer")}/peer`, "--pings", "3"]);
          assert.equal(await call.exitCode(WAIT_MS), 0, call.report());
          await call.waitFor("ping-done", 0, (e) => e["received"] === 3);
          await finishedCleanly(peer);
          await peer.waitFor("bye", 0, (e) => e["pings_answered"] === 3);
          const ours = fromCli(await call.waitFor("dtls", 0));
          assertCrossed(peer, ours, "server", { peer: "active", us: "actpass" });
          assert.deepEqual(signalled(peer, "session-initiate"), {
            fingerprint: ours.local,
            setup: "actpass",
          });
        });

        for (const [answered, how, ours, switches] of [
          // Its ClientHello follows its session-accept at once and may overtake it.
          [
            "active",
            " in a transport-info 300 ms before a session-accept without fingerprint (XEP-0320 §1)",
            "server",
            { acceptDelayMs: 300, fingerprintInInfo: true },
          ],
          ["passive", "", "client", { setup: "passive" }],
          // RFC 5763 §5 does not allow it; we take the client side, as for `passive`.
          ["actpass", "", "client", { setup: "actpass" }],
        ] as const) {
          it(`is called by the plugin and answers setup=${answered}${how}: we are the DTLS ${ours}; datagrams both ways, all encrypted`, async () => {
            const { peer, session, channel, served } = await pluginCallsPeer({
              dtls: true,
              ...switches,
              ...traffic,
            });
            await served.receive("echo:hello from node");
            await peer.waitFor("ping-done", WAIT_MS, (e) => e["received"] === 3);
            await peer.waitFor("data", WAIT_MS, (e) => e["text"] === "echo:hello from aiortc");
            assertEncrypted(channel, served.received.length);
            await session.terminate("success");
            await finishedCleanly(peer);
            assertCrossed(peer, fromPlugin(session), ours, { peer: answered, us: "actpass" });
            assert.deepEqual(ending(peer), { by: "peer", reason: "success" });
          });
        }

        it("is called by the plugin (DTLS on) and answers without a fingerprint, like a client without XEP-0320: we end the session with security-error", async () => {
          const { peer, connected, ended } = await offerToPeer(traffic);
          assert.equal((await failureOf(connected)).reason, "security-error");
          assert.deepEqual(await ended, {
            condition: "security-error",
            text: "DTLS is required (XEP-0320): the peer sent no fingerprint",
          });
          await finishedCleanly(peer);
          assert.deepEqual(actionsFromUs(peer), ["session-initiate", "session-terminate"]);
          assert.deepEqual(ending(peer), { by: "peer", reason: "security-error" });
        });
      });

      describe("security settings that do not match", () => {
        it("`jingle-ice answer --no-dtls` refuses a DTLS peer with security-error", async () => {
          const s = await server();
          const answer = startJingleCli(s, "cli", ["answer", "--no-dtls", "--allow-anyone"]);
          await answer.waitFor("online", WAIT_MS);
          const peer = startJinglePeer(s, "peer", { call: `${s.jid("cli")}/cli` }, { dtls: true });
          await assertRefusedByCli(
            peer,
            answer,
            "this endpoint runs without DTLS; the peer asked for it",
          );
          await answer.stop();
        });

        it("a DTLS peer refuses the plugin's plaintext offer (dtls: false) with security-error", async () => {
          const { peer, connected, ended } = await offerToPeer({ dtls: true }, { dtls: false });
          assert.equal((await failureOf(connected)).reason, "security-error");
          assert.deepEqual(await ended, {
            condition: "security-error",
            text: "DTLS is required (XEP-0320): no sha-256 fingerprint in the session-initiate",
          });
          await finishedCleanly(peer);
          assert.deepEqual(ending(peer), { by: "self", reason: "security-error" });
        });

        it("a DTLS peer that checks our certificate against another fingerprint (as if signalling had been tampered with): aiortc finishes the handshake, sends no alert and refuses afterwards, so our channel opens and the session then ends with its security-error", async () => {
          const { peer, session, connected, ended } = await offerToPeer({
            dtls: true,
            distrust: true,
          });
          await connected;
          const ours = session.dtls?.localFingerprint.value ?? "";
          const reason = await ended;
          assert.equal(reason.condition, "security-error");
          assert.match(
            reason.text ?? "",
            new RegExp(`^the peer's certificate is sha-256 ${ours},`),
          );
          assert.equal(await peer.exitCode(WAIT_MS), 1, peer.report());
          assert.deepEqual(
            peer.all("dtls-error").map((e) => e["kind"]),
            ["fingerprint-mismatch"],
          );
          assert.deepEqual(ending(peer), { by: "self", reason: "security-error" });
        });
      });
    },
  );
}
