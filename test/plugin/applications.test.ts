// The applications registry (XEP-0166 §7.3, src/jingle/application.ts) through the plugin: what
// we offer, what we refuse and with which reason, what the policy sees, what disco#info says.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import { NS_JINGLE } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { el, type XmlElement } from "../../src/jingle/xml.js";
import {
  NS_DATAGRAM,
  datagramApplication,
  fileTransferApplication,
  jingleIceUdp,
  type SessionOffer,
} from "../../src/plugin/index.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { FakeNetwork } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";
const NS_FILE_TRANSFER = "urn:xmpp:jingle:apps:file-transfer:5";

/** A StanzaJS-shaped XEP-0234 offer: a file with name, size and `<hash-used/>`. */
function fileOffer(): XmlElement {
  return el("description", { xmlns: NS_FILE_TRANSFER }, [
    el("file", {}, [
      el("name", {}, ["notes.txt"]),
      el("size", {}, ["1024"]),
      el("hash-used", { xmlns: "urn:xmpp:hashes:2", algo: "sha-1" }),
    ]),
  ]);
}

/** Sends a session-initiate from `from` to BOB with the given description and transport. */
async function initiateRaw(
  network: FakeNetwork,
  from: string,
  description: XmlElement | undefined,
  transport: "ice-udp" | "ibb" = "ice-udp",
): Promise<void> {
  const jingle = buildJingle({
    action: "session-initiate",
    sid: "s1+/x",
    initiator: from,
    contents: [
      {
        creator: "initiator",
        name: "0",
        ...(description !== undefined && { description }),
        transport:
          transport === "ice-udp"
            ? {
                kind: "ice-udp",
                ufrag: "peer",
                pwd: "peer-password-0123456789",
                candidates: [],
                gatheringComplete: false,
                skipped: [],
              }
            : {
                kind: "other",
                element: el("transport", {
                  xmlns: "urn:xmpp:jingle:transports:ibb:1",
                  sid: "ibb1",
                  "block-size": 4096,
                }),
              },
      },
    ],
  });
  const client = network.client(from);
  client.iqCallee.set(NS_JINGLE, "jingle", () => true);
  await client.iqCaller.request(xml("iq", { type: "set", to: BOB }, toXmpp(jingle)));
}

/** What BOB sent back, parsed, once its work after the ack ended with a session-terminate. */
async function bobReplies(network: FakeNetwork) {
  const replies = () =>
    network.payloads.filter((p) => p.from === BOB).map((p) => parseJingle(p.element));
  const deadline = Date.now() + 10_000;
  while (!replies().some((j) => j.action === "session-terminate")) {
    if (Date.now() > deadline) return replies(); // the assertions say what came instead
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return replies();
}

describe("the applications registry", () => {
  it("puts the datagram application's description in our session-initiate and nowhere else", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const bob = jingleIceUdp(network.client(BOB), { ice });
    bob.on("incoming", (session) => void session.accept().catch(() => undefined));
    const session = alice.initiate(BOB);
    await session.connect();
    const sent = network.payloads.map((p) => parseJingle(p.element));
    const initiate = sent.find((j) => j.action === "session-initiate")!;
    const accept = sent.find((j) => j.action === "session-accept")!;
    assert.equal(initiate.contents[0]?.description?.attrs["xmlns"], NS_DATAGRAM);
    assert.equal(accept.contents[0]?.description?.attrs["xmlns"], NS_DATAGRAM);
    for (const info of sent.filter((j) => j.action === "transport-info"))
      assert.equal(
        info.contents[0]?.description,
        undefined,
        "transport-info echoes no description",
      );
    assert.equal(session.application, NS_DATAGRAM);
    await session.terminate();
  });

  it("refuses a StanzaJS-style file-transfer offer with unsupported-applications, before any candidate", async () => {
    const network = new FakeNetwork();
    const bob = jingleIceUdp(network.client(BOB), { ice });
    let offered = false;
    bob.on("incoming", () => (offered = true));
    await initiateRaw(network, ALICE, fileOffer());
    const replies = await bobReplies(network);
    assert.deepEqual(
      replies.map((j) => [j.action, j.reason?.condition]),
      [["session-terminate", "unsupported-applications"]],
    );
    assert.match(replies[0]!.reason!.text!, /file-transfer:5 is not served/);
    assert.equal(offered, false);
  });

  it("refuses a content without a description with unsupported-applications", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), { ice });
    await initiateRaw(network, ALICE, undefined);
    const replies = await bobReplies(network);
    assert.deepEqual(
      replies.map((j) => [j.action, j.reason?.condition]),
      [["session-terminate", "unsupported-applications"]],
    );
  });

  it("refuses an In-Band Bytestreams transport with unsupported-transports", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), { ice });
    await initiateRaw(network, ALICE, el("description", { xmlns: NS_DATAGRAM }), "ibb");
    const replies = await bobReplies(network);
    assert.deepEqual(
      replies.map((j) => [j.action, j.reason?.condition]),
      [["session-terminate", "unsupported-transports"]],
    );
  });

  it("lets the caller see the refusal's reason", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), {
      ice,
      applications: [
        {
          namespace: NS_FILE_TRANSFER,
          features: [NS_FILE_TRANSFER],
          offer: fileOffer,
          answer: fileOffer,
        },
      ],
    });
    jingleIceUdp(network.client(BOB), { ice }).on("incoming", () => assert.fail("offered"));
    const session = alice.initiate(BOB, { application: NS_FILE_TRANSFER });
    await assert.rejects(session.connect(), {
      name: "JingleSessionError",
      reason: "unsupported-applications",
    });
  });

  it("shows the policy the application and the peer's description", async () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    const seen: [string, SessionOffer][] = [];
    jingleIceUdp(network.client(BOB), {
      ice,
      policy: (peer, offer) => {
        seen.push([peer, offer]);
        return false;
      },
    });
    const session = alice.initiate(BOB);
    await assert.rejects(session.connect(), { reason: "decline" });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![0], ALICE);
    assert.equal(seen[0]![1].application, NS_DATAGRAM);
    assert.equal(seen[0]![1].sid, session.sid);
  });

  it("refuses to initiate an application that is not registered", () => {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE), { ice });
    assert.throws(() => alice.initiate(BOB, { application: NS_FILE_TRANSFER }), /not in this/);
  });

  it("advertises exactly the base features and the registered applications in disco#info", async () => {
    const network = new FakeNetwork();
    jingleIceUdp(network.client(BOB), { ice });
    const reply = (await network
      .client("carol@jingle.test/x")
      .iqCaller.request(
        xml(
          "iq",
          { type: "get", to: BOB },
          xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
        ),
      )) as XmlElement;
    const query = reply.children.find((c): c is XmlElement => typeof c !== "string")!;
    const features = query.children
      .filter((c): c is XmlElement => typeof c !== "string" && c.name === "feature")
      .map((f) => f.attrs["var"])
      .sort();
    assert.deepEqual(features, [
      "http://jabber.org/protocol/caps",
      "http://jabber.org/protocol/disco#info",
      NS_DATAGRAM,
      "urn:xmpp:jingle:1",
      "urn:xmpp:jingle:apps:dtls:0",
      "urn:xmpp:jingle:transports:ice-udp:1",
    ]);
  });

  it("says who sends on the content: the application's choice in our offer, the offer's in our answer (XEP-0166 §7.3)", async () => {
    const network = new FakeNetwork();
    const apps = { ice, applications: [fileTransferApplication(), datagramApplication] };
    const alice = jingleIceUdp(network.client(ALICE), apps);
    const bob = jingleIceUdp(network.client(BOB), apps);
    bob.on("incoming", (session) => void session.accept().catch(() => undefined));
    const sendersOf = (action: string) =>
      network.payloads
        .filter((p) => p.element.attrs["action"] === action)
        .map(
          (p) =>
            p.element.children.find((c): c is XmlElement => typeof c !== "string")?.attrs[
              "senders"
            ],
        );
    const datagrams = alice.initiate(BOB);
    await datagrams.connect();
    assert.deepEqual(sendersOf("session-initiate"), ["both"]);
    assert.deepEqual(sendersOf("session-accept"), ["both"]);
    await datagrams.terminate();
    // A file offer (XEP-0234 §6.1): the initiator sends; Bob's answer says the same.
    const file = alice.initiate(BOB, {
      application: NS_FILE_TRANSFER,
      description: fileOffer(),
      contentName: "0",
    });
    await file.connect();
    assert.deepEqual(sendersOf("session-initiate"), ["both", "initiator"]);
    assert.deepEqual(sendersOf("session-accept"), ["both", "initiator"]);
    await file.terminate();
  });
});
