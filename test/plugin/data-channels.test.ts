// Data channels in Jingle sessions through the plugin, over the in-memory XMPP stand-in with real
// ICE, DTLS and SCTP on 127.0.0.1: both signalling variants (XEP-0343 <sctpmap/>, Conversations'
// webrtc-datachannel wrapper with its BUNDLE group), the variant picked from the peer's
// disco#info, channels opened from either side with stream ids by DTLS role (RFC 8832 §6),
// messages both ways, close by stream reset, and the association's end with the session.
import assert from "node:assert/strict";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import {
  NS_JINGLE,
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  type IceUdpTransport,
  type Jingle,
} from "../../src/jingle/model.js";
import { buildJingle } from "../../src/jingle/build.js";
import { parseJingle } from "../../src/jingle/parse.js";
import {
  NS_DATA_CHANNELS,
  dataChannelApplication,
  datagramApplication,
  jingleIceUdp,
  type InitiateOptions,
  type JingleIceOptions,
  type JingleSession,
} from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { el } from "../../src/jingle/xml.js";
import { FakeNetwork, type FakeXmpp } from "./fake-xmpp.js";
import { closeByReset, exchange } from "../support/channel-exchange.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const TIMEOUT = { timeout: 20_000 };

const options: JingleIceOptions = { ice, applications: [dataChannelApplication] };

/** Alice opens a data-channel session with Bob, who accepts; both sides connected. */
async function connect(
  initiate: InitiateOptions = {},
  network = new FakeNetwork(),
  bobClient: FakeXmpp = network.client(BOB),
) {
  const alice = jingleIceUdp(network.client(ALICE), options);
  const bob = jingleIceUdp(bobClient, options);
  const incoming = new Promise<JingleSession>((resolve) =>
    bob.on("incoming", (session) => resolve(session)),
  );
  const ours = alice.initiate(BOB, { application: NS_DATA_CHANNELS, ...initiate });
  const connected = ours.connect();
  const theirs = await incoming;
  await Promise.all([connected, theirs.accept()]);
  return { network, ours, theirs };
}

/** The first transport of a stanza Alice sent with `action`, as parsed. */
function sentTransport(network: FakeNetwork, action: string, from = ALICE) {
  const payload = network.payloads.find(
    (p) => p.from === from && p.element.attrs["action"] === action,
  );
  assert.ok(payload, `no ${action} from ${from}`);
  const jingle = parseJingle(payload.element);
  return { jingle, transport: jingle.contents[0]?.transport as IceUdpTransport };
}

describe("data channels in Jingle sessions", () => {
  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    it(
      `opens channels from either side with the ${variant} variant, stream ids by DTLS role, and closes one by stream reset`,
      TIMEOUT,
      async () => {
        const { network, ours, theirs } = await connect({ sctpVariant: variant });
        const { transport, jingle } = sentTransport(network, "session-initiate");
        assert.equal(transport.sctp?.variant, variant);
        assert.equal(transport.sctp?.port, 5000);
        const accept = sentTransport(network, "session-accept", BOB);
        assert.equal(accept.transport.sctp?.variant, variant, "answered in the offer's variant");
        if (variant === "webrtc-datachannel") {
          assert.equal(transport.sctp?.maxMessageSize, 262144);
          assert.deepEqual(jingle.groups, [{ semantics: "BUNDLE", contents: ["datagram"] }]);
          assert.deepEqual(accept.jingle.groups, jingle.groups);
        } else {
          assert.equal(transport.sctp?.protocol, "webrtc-datachannel");
          assert.equal(jingle.groups, undefined);
        }
        // The responder answered `active`: it is the DTLS client and opens even ids (RFC 8832 §6).
        assert.equal(theirs.dtls?.role, "client");
        const a = await exchange(ours, theirs, "from-initiator");
        const b = await exchange(theirs, ours, "from-responder");
        assert.equal(a.mine.id % 2, 1);
        assert.equal(b.mine.id % 2, 0);
        await closeByReset(a);
        assert.ok(ours.sctp!.stats().channelsClosed >= 1);
        // The other channel still works after the reset.
        const still = once(b.theirs, "message");
        b.mine.send("still here");
        assert.deepEqual(await still, ["still here"]);
        // An ICE restart sends our new credentials in a transport-info: with Conversations'
        // variant it repeats the wrapper around the ICE-UDP transport; channels keep working.
        ours.restart();
        const infos = () =>
          network.payloads.filter(
            (p) => p.from === ALICE && p.element.attrs["action"] === "transport-info",
          );
        for (let i = 0; i < 100 && infos().length === 0; i++) await delay(50);
        const [info] = infos();
        assert.ok(info, "no transport-info after the restart");
        const restarted = parseJingle(info.element).contents[0]?.transport as IceUdpTransport;
        assert.equal(
          restarted.sctp?.variant,
          variant === "webrtc-datachannel" ? variant : undefined,
        );
        const after = once(b.theirs, "message");
        b.mine.send("after the restart");
        assert.deepEqual(await after, ["after the restart"]);
        await ours.terminate();
        assert.equal(ours.sctp?.state, "closed");
      },
    );
  }

  it(
    "uses Conversations' variant when the peer's disco#info lists webrtc-datachannel:1",
    TIMEOUT,
    async () => {
      const { network, ours } = await connect();
      assert.deepEqual(
        network.log.find(([from, , name]) => from === ALICE && name === "query"),
        [ALICE, BOB, "query", undefined],
      );
      assert.equal(
        sentTransport(network, "session-initiate").transport.sctp?.variant,
        "webrtc-datachannel",
      );
      await ours.terminate();
    },
  );

  it("uses XEP-0343 when the peer's disco#info does not list it", TIMEOUT, async () => {
    const network = new FakeNetwork();
    const bobClient = network.client(BOB);
    // Answers disco#info before the plugin's own handler, without the Conversations feature.
    bobClient.iqCallee.get(NS_DISCO_INFO, "query", () =>
      toXmpp(el("query", { xmlns: NS_DISCO_INFO }, [el("feature", { var: NS_JINGLE_DTLS_SCTP })])),
    );
    const { ours } = await connect({}, network, bobClient);
    assert.equal(sentTransport(network, "session-initiate").transport.sctp?.variant, "sctpmap");
    await ours.terminate();
  });

  it(
    "ends the association with the session: the peer's terminate closes ours too",
    TIMEOUT,
    async () => {
      const { ours, theirs } = await connect({ sctpVariant: "sctpmap" });
      const channel = ours.createDataChannel("c");
      await once(channel, "open");
      const closed = once(channel, "close");
      const terminated = once(ours, "terminated");
      await theirs.terminate();
      const [[reason]] = await Promise.all([terminated, closed]);
      assert.equal(
        (reason as { condition: string }).condition,
        "success",
        "the peer's reason, not the SCTP shutdown's",
      );
      assert.equal(theirs.sctp?.state, "closed");
    },
  );

  it(
    "ends the session with failed-transport when the peer aborts the association",
    TIMEOUT,
    async () => {
      const { ours, theirs } = await connect({ sctpVariant: "webrtc-datachannel" });
      const terminated = once(theirs, "terminated") as Promise<
        [{ condition: string; text?: string }]
      >;
      ours.sctp!.abort("test");
      const [reason] = await terminated;
      assert.equal(reason.condition, "failed-transport");
      assert.equal(ours.state, "ended");
    },
  );

  it(
    "takes the peer's session-terminate as the outcome when its ABORT overtakes it (libwebrtc's close, as Conversations ends a transfer)",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      const deliver = network.deliver.bind(network);
      // Bob's session-terminate travels slower than his SCTP ABORT (XMPP vs. UDP).
      network.deliver = async (from, stanza) => {
        const action = stanza.getChildElements()[0]?.attrs["action"];
        if (from === BOB && action === "session-terminate") await delay(300);
        return deliver(from, stanza);
      };
      const { ours, theirs } = await connect({ sctpVariant: "webrtc-datachannel" }, network);
      const terminated = once(ours, "terminated") as Promise<[{ condition: string }]>;
      const ending = theirs.terminate("success");
      theirs.sctp!.abort("closed like libwebrtc");
      await ending;
      const [reason] = await terminated;
      assert.equal(reason.condition, "success");
    },
  );

  it(
    "ends the session with the peer's reason when its SCTP ABORT arrives just before its session-terminate",
    TIMEOUT,
    async () => {
      // libwebrtc clients (StanzaJS's session end) close the RTCPeerConnection — an SCTP ABORT,
      // User-Initiated Abort — and only then send session-terminate over XMPP.
      const { ours, theirs } = await connect({ sctpVariant: "sctpmap" });
      const terminated = once(ours, "terminated") as Promise<[{ condition: string }]>;
      const aborted = once(ours.sctp!, "close");
      theirs.sctp!.removeAllListeners("close"); // their session does not end with its ABORT
      theirs.sctp!.abort("closing the peer connection");
      assert.equal((await aborted)[0], "peer-abort");
      await theirs.terminate("success");
      const [reason] = await terminated;
      assert.equal(reason.condition, "success");
    },
  );

  it("answers a transport-info whose data-channel transport has sctp-port='0' with bad-request", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), options);
    const carol = network.client("carol@jingle.test/x");
    const jingle = xml(
      "jingle",
      { xmlns: NS_JINGLE, action: "transport-info", sid: "s1" },
      xml(
        "content",
        { creator: "initiator", name: "dc" },
        xml(
          "transport",
          { xmlns: NS_JINGLE_WEBRTC_DATACHANNEL, "sctp-port": "0", "max-message-size": "1" },
          xml("transport", { xmlns: "urn:xmpp:jingle:transports:ice-udp:1" }),
        ),
      ),
    );
    await assert.rejects(carol.iqCaller.request(xml("iq", { type: "set", to: BOB }, jingle)), {
      name: "StanzaError",
      condition: "bad-request",
    });
  });

  it(
    "answers Conversations' offer in its own shape: the wrapper with both attributes and the BUNDLE group naming its content",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      const bob = jingleIceUdp(network.client(BOB), options);
      bob.on("incoming", (session) => void session.accept().catch(() => undefined));
      const CONVERSATIONS = "carol@jingle.test/Conversations.Xy1z";
      const carol = network.client(CONVERSATIONS);
      const accepted = new Promise<Jingle>((resolve) =>
        carol.iqCallee.set(NS_JINGLE, "jingle", (context) => {
          const jingle = parseJingle(context.element);
          if (jingle.action === "session-accept") resolve(jingle);
          return true;
        }),
      );
      const offer = buildJingle({
        action: "session-initiate",
        sid: "conv1",
        initiator: CONVERSATIONS,
        contents: [
          {
            creator: "initiator",
            name: "f7e6",
            senders: "initiator",
            description: el("description", { xmlns: NS_DATA_CHANNELS }),
            transport: {
              kind: "ice-udp",
              ufrag: "Q7xP",
              pwd: "b2VQ3tIh8Tl1cTqdAbCdEf",
              candidates: [],
              gatheringComplete: false,
              fingerprints: [{ hash: "sha-256", setup: "actpass", value: "AB:".repeat(31) + "AB" }],
              skipped: [],
              sctp: { variant: "webrtc-datachannel", port: 5000, maxMessageSize: 262144 },
            },
          },
        ],
        groups: [{ semantics: "BUNDLE", contents: ["f7e6"] }],
      });
      await carol.iqCaller.request(xml("iq", { type: "set", to: BOB }, toXmpp(offer)));
      const answer = await accepted;
      const transport = answer.contents[0]?.transport as IceUdpTransport;
      assert.deepEqual(transport.sctp, {
        variant: "webrtc-datachannel",
        port: 5000,
        maxMessageSize: 262144,
      });
      assert.equal(transport.fingerprints?.[0]?.setup, "active");
      assert.deepEqual(answer.groups, [{ semantics: "BUNDLE", contents: ["f7e6"] }]);
      await bob.close();
    },
  );

  it("refuses an offer for data channels that carries no SCTP with unsupported-transports", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), options);
    const refused = once(bob, "refused") as Promise<[{ reason: { condition: string } }]>;
    const carol = network.client("carol@jingle.test/x");
    carol.iqCallee.set(NS_JINGLE, "jingle", () => true);
    const jingle = buildJingle({
      action: "session-initiate",
      sid: "s1",
      initiator: "carol@jingle.test/x",
      contents: [
        {
          creator: "initiator",
          name: "dc",
          description: el("description", { xmlns: NS_DATA_CHANNELS }),
          transport: {
            kind: "ice-udp",
            ufrag: "peer",
            pwd: "peer-password-0123456789",
            candidates: [],
            gatheringComplete: false,
            fingerprints: [{ hash: "sha-256", setup: "actpass", value: "AB:".repeat(31) + "AB" }],
            skipped: [],
          },
        },
      ],
    });
    await carol.iqCaller.request(xml("iq", { type: "set", to: BOB }, toXmpp(jingle)));
    const [{ reason }] = await refused;
    assert.equal(reason.condition, "unsupported-transports");
  });

  it("advertises both data-channel transports only with an SCTP application and DTLS on", async () => {
    const network = new FakeNetwork();
    const features = async (jid: string, opts: JingleIceOptions) => {
      jingleIceUdp(network.client(jid), { ice, ...opts });
      const reply = (await network
        .client(`asker-${jid}`)
        .iqCaller.request(
          xml("iq", { type: "get", to: jid }, xml("query", { xmlns: NS_DISCO_INFO })),
        )) as {
        getChildElements(): { getChildElements(): { attrs: Record<string, string> }[] }[];
      };
      return reply
        .getChildElements()[0]!
        .getChildElements()
        .map((f) => f.attrs["var"]);
    };
    const both = [NS_JINGLE_DTLS_SCTP, NS_JINGLE_WEBRTC_DATACHANNEL];
    const withSctp = await features("a@x/1", options);
    for (const f of both) assert.ok(withSctp.includes(f), f);
    const datagramOnly = await features("b@x/1", { applications: [datagramApplication] });
    for (const f of both) assert.ok(!datagramOnly.includes(f), f);
    const noDtls = await features("c@x/1", { ...options, dtls: false });
    for (const f of both) assert.ok(!noDtls.includes(f), f);
  });

  it("refuses to initiate data channels without DTLS, and createDataChannel on a datagram session", () => {
    const network = new FakeNetwork();
    const plain = jingleIceUdp(network.client(ALICE), { ...options, dtls: false });
    assert.throws(
      () => plain.initiate(BOB, { application: NS_DATA_CHANNELS }),
      /needs data channels/,
    );
    const datagrams = jingleIceUdp(network.client(BOB), { ice });
    const session = datagrams.initiate(ALICE);
    assert.throws(() => session.createDataChannel("x"), /does not use data channels/);
  });
});
