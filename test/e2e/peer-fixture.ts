// What the e2e tests against the independent Jingle peer (test/interop/jingle-peer.py) share: a
// throwaway XMPP server per suite, the plugin logged in as bot@…/plugin<n>, the two ways a
// session with the peer opens, and assertions on what the peer reported.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after } from "node:test";
import type { Reason } from "../../src/jingle/model.js";
import { jingleIceUdp, type JingleSession, type XmppClient } from "../../src/plugin/index.js";
import type { SessionChannel } from "../../src/plugin/session.js";
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
import {
  requireXmppServer,
  startXmppServer,
  type XmppServerKind,
} from "../support/xmpp-servers.js";
import { sendText, serveDatagrams, type Served } from "./jingle-processes.js";

export const WAIT_MS = 20_000;
/** Every wait has its own deadline; this is the last resort against a hang (per server). */
export const SUITE_TIMEOUT_MS = 600_000;
const USERS = { bot: "bot-pw", cli: "cli-pw", peer: "peer-pw" };
const ice = { addresses: ["127.0.0.1"] };

/** Our side of a session with the peer. */
export interface Opened {
  readonly session: JingleSession;
  readonly channel: SessionChannel;
  readonly served: Served;
  /** Resolves with the reason once the session is over. */
  readonly ended: Promise<Reason>;
}

/** The plugin's options in these tests (ICE on 127.0.0.1 always). */
export interface PluginSide {
  /** XEP-0320 DTLS. @default the suite's */
  readonly dtls?: boolean;
}

/** One suite's server, plugin logins and session openers; cleans up after the suite. */
export interface PeerFixture {
  /** The suite's server, started on first use (after checking the prerequisites). */
  server(): Promise<XmppServer>;
  /** The plugin, logged in as a new resource of bot. */
  plugin(side?: PluginSide): Promise<{
    s: XmppServer;
    jid: string;
    jingle: ReturnType<typeof jingleIceUdp>;
  }>;
  /**
   * The peer calls the plugin, which accepts and says "hello from node" on the channel.
   * `accepted` rejects (with what the peer saw) when accept() fails or nothing comes in time.
   */
  peerCallsPlugin(
    switches: JinglePeerSwitches,
    side?: PluginSide,
  ): Promise<{ peer: JsonLinesProcess; accepted: Promise<Opened> }>;
  /**
   * The plugin calls the peer (answering one session): `connected` is `session.connect()`,
   * `ended` resolves with the session's end.
   */
  offerToPeer(
    switches: JinglePeerSwitches,
    side?: PluginSide,
  ): Promise<{
    peer: JsonLinesProcess;
    session: JingleSession;
    connected: Promise<SessionChannel>;
    ended: Promise<Reason>;
  }>;
  /** The plugin calls the peer (answering one session); says "hello from node" once open. */
  pluginCallsPeer(
    switches: JinglePeerSwitches,
    side?: PluginSide,
  ): Promise<{ peer: JsonLinesProcess } & Opened>;
}

/**
 * The fixture for a `describe` through `kind`; `dtls` is the plugin's default and whether the
 * peer's prerequisites include aiortc. Call it inside the `describe` (it registers `after`).
 */
export function peerFixture(kind: XmppServerKind, dtls: boolean): PeerFixture {
  let starting: Promise<XmppServer> | undefined;
  const server = (): Promise<XmppServer> =>
    (starting ??= (async () => {
      await Promise.all([requireXmppServer(kind), requireJinglePeer({ dtls })]);
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

  let logins = 0;
  const plugin = async (side: PluginSide = {}) => {
    const s = await server();
    // A new resource each time: logging in twice as one full JID kicks the first client out.
    const resource = `plugin${++logins}`;
    const client = await clients.login(s, "bot", resource);
    const jingle = jingleIceUdp(client as unknown as XmppClient, { ice, dtls: side.dtls ?? dtls });
    plugins.push(jingle);
    return { s, jid: `${s.jid("bot")}/${resource}`, jingle };
  };

  const peerCallsPlugin = async (switches: JinglePeerSwitches, side?: PluginSide) => {
    const { s, jid, jingle } = await plugin(side);
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
            resolve({ session, channel, served: serveDatagrams(channel), ended });
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

  const offerToPeer = async (switches: JinglePeerSwitches, side?: PluginSide) => {
    const { s, jingle } = await plugin(side);
    const peer = startJinglePeer(s, "peer", { answerOnce: true }, switches);
    await peer.waitFor("online", WAIT_MS);
    const session = jingle.initiate(`${s.jid("peer")}/peer`);
    const ended = once(session, "terminated").then(([reason]) => reason as Reason);
    const connected = session.connect();
    connected.catch(() => undefined); // the caller awaits it, or asserts on `ended`
    return { peer, session, connected, ended };
  };

  const pluginCallsPeer = async (switches: JinglePeerSwitches, side?: PluginSide) => {
    const { peer, session, connected, ended } = await offerToPeer(switches, side);
    const channel = await connected;
    const served = serveDatagrams(channel);
    sendText(channel, "hello from node");
    return { peer, session, channel, served, ended };
  };

  return { server, plugin, peerCallsPlugin, offerToPeer, pluginCallsPeer };
}

/** The peer exited 0 and reported no error of any kind (its own, ICE, or an IQ error reply). */
export async function finishedCleanly(peer: JsonLinesProcess): Promise<void> {
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
export function actionsFromUs(peer: JsonLinesProcess): string[] {
  return peer.all("jingle-in").map((e) => String(e["action"]));
}

/** The first `<jingle/>` of `action` the peer received. */
export function received(peer: JsonLinesProcess, action: string): JsonEvent {
  const [event] = peer.all("jingle-in", (e) => e["action"] === action);
  assert.ok(event !== undefined, `the peer got no ${action}\n${peer.report()}`);
  return event;
}

/** How the peer saw the session end. */
export function ending(peer: JsonLinesProcess): { by: unknown; reason: unknown } | undefined {
  const [event] = peer.all("terminated");
  return event && { by: event["by"], reason: event["reason"] };
}

/** Our content as the peer received it: jingle-ice's datagram application over ICE-UDP. */
export function assertOurContent(event: JsonEvent, name: string): void {
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
