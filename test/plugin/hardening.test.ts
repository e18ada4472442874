// A bot that strangers and faults cannot take down (docs/security.md): session limits and setup
// deadlines, throwing application code, forged IQ replies, JIDs in any case, hostile
// descriptions, ICE setup failures. Over the in-memory XMPP stand-in with real ICE on 127.0.0.1.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import type { IceUdpTransport, Jingle } from "../../src/jingle/model.js";
import { NS_JINGLE } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { el, type XmlElement } from "../../src/jingle/xml.js";
import { NS_DATAGRAM, jingleIceUdp, type JingleSession } from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { FakeNetwork, FakeStanzaError, type FakeXmpp } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
/** A well-formed XEP-0320 fingerprint (of no real certificate: these peers never get that far). */
const FINGERPRINT = { hash: "sha-256", setup: "actpass", value: "AB:".repeat(31) + "AB" } as const;
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";
const MALLORY = "mallory@jingle.test/x";

function transport(candidates = 0, port = 20_000): IceUdpTransport {
  return {
    kind: "ice-udp",
    ufrag: "peer",
    pwd: "peer-password-0123456789",
    candidates: Array.from({ length: candidates }, (_, i) => ({
      component: 1,
      foundation: String(i),
      ip: "127.0.0.1",
      port: port + i,
      priority: 1000 + i,
      protocol: "udp" as const,
      type: "host" as const,
    })),
    gatheringComplete: false,
    skipped: [],
  };
}

function initiateStanza(sid: string, from: string, description?: XmlElement): Jingle {
  return {
    action: "session-initiate",
    sid,
    initiator: from,
    contents: [
      {
        creator: "initiator",
        name: "0",
        description: description ?? el("description", { xmlns: NS_DATAGRAM }),
        transport: { ...transport(), fingerprints: [FINGERPRINT] },
      },
    ],
  };
}

/** A raw client that acks every Jingle IQ it gets. */
function stranger(network: FakeNetwork, jid: string): FakeXmpp {
  const client = network.client(jid);
  client.iqCallee.set(NS_JINGLE, "jingle", () => true);
  return client;
}

function send(client: FakeXmpp, to: string, jingle: Jingle): Promise<unknown> {
  return client.iqCaller.request(xml("iq", { type: "set", to }, toXmpp(buildJingle(jingle))));
}

/** Open UDP sockets of this process. */
const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

describe("plugin hardening", () => {
  it("keeps at most maxSessionsPerPeer sessions for one stranger and answers the rest with resource-constraint", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), { ice, limits: { maxSessionsPerPeer: 3 } });
    const accepted: JingleSession[] = [];
    bob.on("incoming", (session) => {
      accepted.push(session);
      void session.accept().catch(() => undefined);
    });
    const mallory = stranger(network, MALLORY);
    const before = udpSockets();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => send(mallory, BOB, initiateStanza(`s${i}`, MALLORY))),
    );
    const refused = results.filter(
      (r) =>
        r.status === "rejected" &&
        r.reason instanceof FakeStanzaError &&
        r.reason.condition === "resource-constraint",
    );
    assert.equal(refused.length, 197);
    await settle();
    assert.equal(bob.stats().sessions, 3);
    assert.equal(accepted.length, 3);
    assert.equal(udpSockets(), before + 3, "one socket per session");
    await bob.close();
    await settle();
    assert.equal(udpSockets(), before);
  });

  it("ends a session whose channel is not open within setupTimeoutMs with reason timeout, socket closed", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice, setupTimeoutMs: 300 });
    jingleIceUdp(network.client(BOB), { ice }).on("incoming", () => undefined); // never accepts
    const before = udpSockets();
    const session = alice.initiate(BOB);
    await assert.rejects(session.connect(), { name: "JingleSessionError", reason: "timeout" });
    assert.equal(session.state, "ended");
    await settle();
    assert.equal(udpSockets(), before, "the session's socket is closed");
    assert.equal(alice.stats().sessions, 0);
    const last = parseJingle(network.payloads.at(-1)!.element);
    assert.deepEqual([last.action, last.reason?.condition], ["session-terminate", "timeout"]);
  });

  it("buffers at most 100 early candidates however many transport-infos come before accept", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), { ice });
    const incoming = once(bob, "incoming") as Promise<[JingleSession]>;
    const mallory = stranger(network, MALLORY);
    await send(mallory, BOB, initiateStanza("flood", MALLORY));
    const [session] = await incoming;
    for (let i = 0; i < 201; i++) {
      await send(mallory, BOB, {
        action: "transport-info",
        sid: "flood",
        contents: [{ creator: "initiator", name: "0", transport: transport(50, 1000 + i * 50) }],
      });
    }
    await settle();
    assert.equal(session.bufferedCandidates, 100);
    await session.terminate();
  });

  it("declines with general-error and reports an error when the policy throws; the process lives on", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const bob = jingleIceUdp(network.client(BOB), {
      ice,
      policy: () => {
        throw new Error("policy bug");
      },
    });
    const errors: Error[] = [];
    bob.on("error", (error) => errors.push(error));
    await assert.rejects(alice.initiate(BOB).connect(), { reason: "general-error" });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /policy failed: policy bug/);
  });

  it("reports an incoming listener that throws and ends that session", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const bob = jingleIceUdp(network.client(BOB), { ice });
    bob.on("incoming", () => {
      throw new Error("listener bug");
    });
    const errors: Error[] = [];
    bob.on("error", (error) => errors.push(error));
    await assert.rejects(alice.initiate(BOB).connect(), { reason: "general-error" });
    assert.match(errors[0]!.message, /incoming listener failed: listener bug/);
  });

  it("refuses a session-initiate result that comes from another JID than the peer", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    network.client(BOB, { replyFrom: MALLORY }).iqCallee.set(NS_JINGLE, "jingle", () => true);
    await assert.rejects(alice.initiate(BOB).connect(), (error: Error) => {
      assert.match(
        error.message,
        /IQ reply from mallory@jingle.test\/x, expected bob@jingle.test\/bot/,
      );
      return true;
    });
  });

  it("treats JIDs that differ only in the case of local part and domain as the same peer", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const bob = jingleIceUdp(network.client(BOB), { ice });
    const peers: string[] = [];
    bob.on("incoming", (session) => {
      peers.push(session.peer);
      void session.accept().catch(() => undefined);
    });
    const session = alice.initiate("Bob@Jingle.TEST/bot");
    assert.equal(session.peer, BOB);
    await session.connect();
    assert.deepEqual(peers, [ALICE]);
    await session.terminate();
  });

  it("refuses initiate() to a bare JID or a non-JID with a clear error", () => {
    const alice = jingleIceUdp(new FakeNetwork().client(ALICE), { ice });
    assert.throws(() => alice.initiate("bob@jingle.test"), /needs a full JID/);
    assert.throws(() => alice.initiate(""), /needs a full JID/);
  });

  it("refuses a description nested 100 000 deep with failed-application, without overflowing", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), { ice });
    bob.on("incoming", () => assert.fail("offered"));
    stranger(network, MALLORY);
    let deep: XmlElement = el("x");
    for (let i = 0; i < 100_000; i++) deep = el("x", {}, [deep]);
    const description = el("description", { xmlns: NS_DATAGRAM }, [deep]);
    const refused = once(bob, "refused") as Promise<[{ reason: { condition: string } }]>;
    // Delivered as a plain element (no serialization), as a parser would hand it over.
    const jingle = buildJingle(initiateStanza("deep", MALLORY, description));
    const handler = (network as unknown as { clients: Map<string, FakeXmpp> }).clients.get(BOB)!;
    await handler.handle("set", { attrs: { from: MALLORY } } as never, jingle as never);
    const [{ reason }] = await refused;
    assert.equal(reason.condition, "failed-application");
  });

  it("tells the peer failed-transport when its ICE agent cannot be set up", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice: { addresses: ["256.0.0.1"] } });
    jingleIceUdp(network.client(BOB), { ice }).on(
      "incoming",
      (s) => void s.accept().catch(() => undefined),
    );
    await assert.rejects(alice.initiate(BOB).connect(), { reason: "failed-transport" });
    const last = parseJingle(network.payloads.at(-1)!.element);
    assert.deepEqual(
      [last.action, last.reason?.condition],
      ["session-terminate", "failed-transport"],
    );
  });
});
