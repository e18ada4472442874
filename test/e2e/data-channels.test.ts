// Data channels between two plugins through a real Prosody on 127.0.0.1 (started by the test):
// in XEP-0343's and Conversations' signalling, and with the variant picked from the peer's
// disco#info as the server routes it; channels opened from either side, messages both ways,
// close by stream reset, the association closed with the session. Needs prosody; FAILS without.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import {
  NS_DATA_CHANNELS,
  dataChannelApplication,
  jingleIceUdp,
  type JingleIce,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import type { SctpVariant } from "../../src/jingle/model.js";
import { closeByReset, exchange } from "../support/channel-exchange.js";
import { clientPool, type XmppServer, type XmppTestClient } from "../support/xmpp-server.js";
import { requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";

const ice = { addresses: ["127.0.0.1"] };
const TIMEOUT = { timeout: 60_000 };

describe("data channels through a real Prosody", () => {
  let starting: Promise<XmppServer> | undefined;
  const server = (): Promise<XmppServer> =>
    (starting ??= (async () => {
      await requireXmppServer("prosody");
      return startXmppServer("prosody", { users: { alice: "alice-pw", bob: "bob-pw" } });
    })());
  const clients = clientPool();
  const plugins: { client: XmppTestClient; jingle: JingleIce }[] = [];
  let logins = 0;
  const plugin = async (user: string) => {
    const client = await clients.login(await server(), user, `dc${++logins}`);
    const jingle = jingleIceUdp(client as unknown as XmppClient, {
      ice,
      applications: [dataChannelApplication],
    });
    plugins.push({ client, jingle });
    return { client, jingle };
  };
  after(async () => {
    const online = plugins.filter(({ client }) => client.status === "online");
    await Promise.all(online.map(({ jingle }) => jingle.close()));
    await clients.stopAll();
    await (await starting?.catch(() => undefined))?.stop();
  });

  for (const variant of ["sctpmap", "webrtc-datachannel", "auto"] as const) {
    it(
      `opens channels from either side, exchanges messages both ways and closes by stream reset (sctpVariant ${variant})`,
      TIMEOUT,
      async () => {
        const [alice, bob] = await Promise.all([plugin("alice"), plugin("bob")]);
        const incoming = once(bob.jingle, "incoming") as Promise<[JingleSession]>;
        const ours = alice.jingle.initiate(bob.client.jid!.toString(), {
          application: NS_DATA_CHANNELS,
          sctpVariant: variant,
        });
        const connected = ours.connect();
        const [theirs] = await incoming;
        await Promise.all([theirs.accept(), connected]);
        // A plugin's disco#info lists Conversations' transport, so "auto" picks it.
        const expected: SctpVariant = variant === "auto" ? "webrtc-datachannel" : variant;
        assert.equal(ours.sctpVariant, expected);
        assert.equal(theirs.sctpVariant, expected);
        assert.equal(ours.sctp?.state, "established");
        const a = await exchange(ours, theirs, "from-initiator");
        const b = await exchange(theirs, ours, "from-responder");
        assert.notEqual(a.mine.id % 2, b.mine.id % 2, "stream ids by DTLS role (RFC 8832 §6)");
        await closeByReset(a);
        await closeByReset(b);
        assert.equal(ours.sctp?.stats().channelsClosed, 2);
        const ended = once(theirs, "terminated");
        await ours.terminate();
        await ended;
        assert.equal(ours.sctp?.state, "closed");
      },
    );
  }
});
