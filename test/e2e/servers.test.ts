// Jingle ICE-UDP sessions between bots through a real XMPP server on 127.0.0.1 — Prosody 0.12 and
// ejabberd 23.01, each started by the test — with ICE on 127.0.0.1 and, for XEP-0215, a real
// coturn: what a bot on a real server sees.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import {
  jingleIceUdp,
  type JingleIce,
  type JingleIceOptions,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { startCoturn, type Coturn } from "../support/coturn.js";
import { clientPool, type XmppServer, type XmppTestClient } from "../support/xmpp-server.js";
import { XMPP_SERVER_KINDS, requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";

const ice = { addresses: ["127.0.0.1"] };

for (const kind of XMPP_SERVER_KINDS) {
  /** One server (and coturn) per kind, started by the first test that needs it. */
  let starting: Promise<{ server: XmppServer; coturn: Coturn }> | undefined;
  const start = (): Promise<{ server: XmppServer; coturn: Coturn }> =>
    (starting ??= (async () => {
      await requireXmppServer(kind);
      const coturn = await startCoturn({
        auth: { kind: "static-auth-secret", realm: "jingle.test", secret: "turn-secret" },
      });
      const server = await startXmppServer(kind, {
        users: { alice: "alice-pw", bob: "bob-pw", mallory: "mallory-pw" },
        externalServices: [
          { type: "stun", host: "127.0.0.1", port: coturn.port, transport: "udp" },
          {
            type: "turn",
            host: "127.0.0.1",
            port: coturn.port,
            transport: "udp",
            secret: "turn-secret",
            restricted: true,
          },
        ],
      }).catch(async (error: unknown) => {
        await coturn.stop();
        throw error;
      });
      return { server, coturn };
    })());
  const clients = clientPool();
  const plugins: { client: XmppTestClient; jingle: JingleIce }[] = [];
  const jingleIce = (client: XmppTestClient, options: JingleIceOptions) => {
    const jingle = jingleIceUdp(client as unknown as XmppClient, options);
    plugins.push({ client, jingle });
    return jingle;
  };
  // A new resource for every login: a second login with the same full JID would kick the first
  // one out (a stream error), and xmpp.js 0.14 stumbles over ejabberd's closing tag after it.
  let logins = 0;
  const login = async (user: string) =>
    clients.login((await start()).server, user, `bot${++logins}`);
  describe(`Jingle ICE-UDP through a real ${kind}`, () => {
    after(async () => {
      // Sessions left open would outlive their XMPP clients (and try to use them later).
      // (A client a test stopped cannot say goodbye; its sessions have closed their sockets.)
      const online = plugins.filter(({ client }) => client.status === "online");
      await Promise.all(online.map(({ jingle }) => jingle.close()));
      await clients.stopAll();
      const started = await starting?.catch(() => undefined);
      await Promise.all([started?.server.stop(), started?.coturn.stop()]);
    });

    it("opens a session between two bots, exchanges datagrams both ways and terminates", async () => {
      const [alice, bob] = await Promise.all([login("alice"), login("bob")]);
      const aliceJingle = jingleIce(alice, { ice });
      const bobJingle = jingleIce(bob, { ice });
      const incoming = once(bobJingle, "incoming") as Promise<[JingleSession]>;
      const session = aliceJingle.initiate(bob.jid!.toString());
      const connected = session.connect();
      const [theirs] = await incoming;
      const bobChannel = await theirs.accept();
      const aliceChannel = await connected;
      const toBob = once(bobChannel, "message");
      aliceChannel.send(new TextEncoder().encode("hello bob"));
      assert.equal(new TextDecoder().decode(((await toBob) as [Uint8Array])[0]), "hello bob");
      const toAlice = once(aliceChannel, "message");
      bobChannel.send(new TextEncoder().encode("hello alice"));
      assert.equal(new TextDecoder().decode(((await toAlice) as [Uint8Array])[0]), "hello alice");
      const ended = once(theirs, "terminated");
      await session.terminate("success");
      assert.equal(((await ended) as [{ condition: string }])[0].condition, "success");
    });

    it("answers a third JID that uses someone else's sid with item-not-found and <unknown-session/>", async () => {
      const [alice, bob, mallory] = await Promise.all([
        login("alice"),
        login("bob"),
        login("mallory"),
      ]);
      jingleIce(alice, { ice });
      const bobJingle = jingleIce(bob, { ice });
      bobJingle.on("incoming", (s) => void s.accept().catch(() => undefined));
      const session = jingleIce(mallory, { ice }).initiate(bob.jid!.toString());
      await session.connect();
      const info = buildJingle({
        action: "transport-info",
        sid: session.sid,
        contents: [
          {
            creator: "initiator",
            name: "datagram",
            transport: {
              kind: "ice-udp",
              ufrag: "abcd",
              pwd: "p".repeat(22),
              candidates: [],
              gatheringComplete: false,
              skipped: [],
            },
          },
        ],
      });
      // alice never had this session: she must refuse it, not act on it.
      await assert.rejects(
        mallory.iqCaller.request(
          xml("iq", { type: "set", to: alice.jid!.toString() }, toXmpp(info)),
        ),
        (error: Error & { condition?: string }) => {
          assert.equal(error.condition, "item-not-found");
          return true;
        },
      );
      await session.terminate();
    });

    it("discovers the server's STUN and TURN services (XEP-0215) and connects relay-only through them", async () => {
      const [alice, bob] = await Promise.all([login("alice"), login("bob")]);
      const options = { ice: { ...ice, relayOnly: true }, iceServers: "auto" as const };
      const aliceJingle = jingleIce(alice, options);
      const bobJingle = jingleIce(bob, options);
      bobJingle.on("incoming", (s) => void s.accept().catch(() => undefined));
      const session = aliceJingle.initiate(bob.jid!.toString());
      const channel = await session.connect();
      assert.equal(channel.selectedPair?.local.type, "relay");
      await session.terminate();
    });

    it("ends the session with a clear reason when the peer vanishes without a session-terminate", async () => {
      const [alice, bob] = await Promise.all([login("alice"), login("bob")]);
      // Short consent timers (RFC 7675) so that the test does not wait 30 s.
      const quick = {
        ice: {
          ...ice,
          consentIntervalMs: 200,
          disconnectedTimeoutMs: 600,
          consentTimeoutMs: 1_500,
        },
      };
      const aliceJingle = jingleIce(alice, quick);
      const bobJingle = jingleIce(bob, quick);
      const bobChannel = new Promise<{ close(): Promise<void> }>((resolve) =>
        bobJingle.on("incoming", (s) => void s.accept().then(resolve, () => undefined)),
      );
      const session = aliceJingle.initiate(bob.jid!.toString());
      await session.connect();
      const ended = once(session, "terminated");
      // Bob's process dies: no session-terminate, its sockets close, its XMPP connection drops.
      await (await bobChannel).close();
      await bob.stop();
      const [reason] = (await ended) as [{ condition: string; text?: string }];
      assert.equal(reason.condition, "connectivity-error");
      assert.match(reason.text ?? "", /stopped answering/);
      assert.equal(session.state, "ended");
    });

    it("works with bob initiating too, restarts ICE mid-session and keeps the channel working", async () => {
      const [alice, bob] = await Promise.all([login("alice"), login("bob")]);
      const aliceJingle = jingleIce(alice, { ice });
      const bobJingle = jingleIce(bob, { ice });
      aliceJingle.on(
        "incoming",
        (s) =>
          void s
            .accept()
            .then((channel) => channel.on("message", (d) => channel.send(d)))
            .catch(() => undefined),
      );
      const session = bobJingle.initiate(alice.jid!.toString());
      const channel = await session.connect();
      const reselected = once(session.ice!, "selected-pair");
      session.restart();
      await reselected;
      const echoed = once(channel, "message");
      channel.send(new TextEncoder().encode("after the restart"));
      assert.equal(
        new TextDecoder().decode(((await echoed) as [Uint8Array])[0]),
        "after the restart",
      );
      await session.terminate();
    });

    it("resolves glare between two bots through the server: one session survives", async () => {
      const [alice, bob] = await Promise.all([login("alice"), login("bob")]);
      const aliceJingle = jingleIce(alice, { ice });
      const bobJingle = jingleIce(bob, { ice });
      for (const side of [aliceJingle, bobJingle])
        side.on("incoming", (s) => void s.accept().catch(() => undefined));
      const a = aliceJingle.initiate(bob.jid!.toString());
      const b = bobJingle.initiate(alice.jid!.toString());
      const results = await Promise.allSettled([a.connect(), b.connect()]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      assert.equal(results[a.sid < b.sid ? 0 : 1]!.status, "fulfilled", "the lower sid wins");
      await Promise.all([a.terminate(), b.terminate()]);
    });
  });
}
