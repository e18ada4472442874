// The file transfer's fallback to In-Band Bytestreams (XEP-0261, src/plugin/file-fallback.ts)
// through the plugin, over the in-memory XMPP stand-in: a man in the middle strips every ICE
// candidate, so ICE-UDP cannot work and the set-up deadline runs out; the sender then moves the
// content with transport-replace, the receiver accepts, and the file goes through XEP-0047 IQs
// and is verified as over a data channel. Also: a transport-reject ends the session with the
// original failure, a corrupted transfer over IBB is caught, and stray IBB IQs are refused.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import type { XmlElement } from "../../src/jingle/xml.js";
import { fileTransferApplication, jingleIceUdp, type JingleIce } from "../../src/plugin/index.js";
import { FakeNetwork, FakeStanzaError } from "./fake-xmpp.js";
import { ALICE, BOB, filePeers } from "./file-peers.js";
import { buildJingle } from "../../src/jingle/build.js";
import { NS_FILE_TRANSFER } from "../../src/jingle/file-transfer.js";
import {
  NS_JINGLE,
  type Content,
  type IceUdpTransport,
  type Jingle,
} from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { el } from "../../src/jingle/xml.js";
import { toXmpp } from "../../src/plugin/xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const TIMEOUT = { timeout: 60_000 };
/** Short, so that a transfer whose ICE cannot fail on its own still moves quickly. */
const SETUP = 1500;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jingle-ibb-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kids = (e: XmlElement, name?: string): XmlElement[] =>
  e.children.filter((c): c is XmlElement => typeof c !== "string" && (!name || c.name === name));

/** Removes every `<candidate/>` under a `<transport/>`, however deeply wrapped. */
function stripCandidates(element: XmlElement): void {
  for (const child of kids(element)) {
    if (child.name === "transport") {
      const list = child.children as unknown[];
      for (let i = list.length - 1; i >= 0; i--) {
        const c = list[i] as XmlElement | string;
        if (typeof c !== "string" && c.name === "candidate") list.splice(i, 1);
      }
    }
    stripCandidates(child);
  }
}

/** A network on which ICE-UDP cannot work: no candidate ever reaches the other side. */
function blockedNetwork(): FakeNetwork {
  const network = new FakeNetwork();
  network.rewrite = (_from, payload) => {
    if (payload.name === "jingle") stripCandidates(payload);
  };
  return network;
}

async function makeFile(name: string, size: number) {
  const src = join(dir, "src");
  await mkdir(src, { recursive: true });
  const path = join(src, name);
  const data = randomBytes(size);
  await writeFile(path, data);
  return { path, sha256: createHash("sha256").update(data).digest("base64") };
}

async function inbox(name: string): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  return d;
}

function aliceOn(network: FakeNetwork): JingleIce {
  return jingleIceUdp(network.client(ALICE), {
    ice,
    setupTimeoutMs: SETUP,
    applications: [fileTransferApplication()],
  });
}

type Send = (jingle: Jingle) => Promise<unknown>;

/** An answer to `jingle` with the same content (by name) carrying `transport`. */
function reply(jingle: Jingle, action: Jingle["action"], transport: Content["transport"]): Jingle {
  const { creator, name } = jingle.contents[0]!;
  return {
    action,
    sid: jingle.sid,
    contents: [{ creator, name, ...(transport && { transport }) }],
  };
}

/**
 * Bob, played by the test: acks every Jingle IQ, answers a session-initiate with a
 * session-accept that has a fingerprint but no candidate (so ICE-UDP never works), then lets
 * `script` act; acks every IBB IQ and hands it to `onIbb`.
 */
function scriptedPeer(
  network: FakeNetwork,
  script: (jingle: Jingle, send: Send) => void,
  onIbb: (element: XmlElement) => void = () => undefined,
) {
  const client = network.client(BOB);
  const jingles: Jingle[] = [];
  const ibb: XmlElement[] = [];
  const send: Send = (jingle) =>
    client.iqCaller.request(xml("iq", { type: "set", to: ALICE }, toXmpp(buildJingle(jingle))));
  client.iqCallee.set(NS_JINGLE, "jingle", (ctx) => {
    const jingle = parseJingle(ctx.element as XmlElement);
    jingles.push(jingle);
    setImmediate(() => {
      if (jingle.action === "session-initiate") {
        const offered = jingle.contents[0]!;
        const transport = offered.transport as IceUdpTransport;
        const accept: Jingle = {
          action: "session-accept",
          sid: jingle.sid,
          responder: BOB,
          contents: [
            {
              ...offered,
              transport: {
                kind: "ice-udp",
                ufrag: "bobu",
                pwd: "bobpasswordbobpasswordbo",
                candidates: [],
                gatheringComplete: false,
                skipped: [],
                fingerprints: [{ hash: "sha-256", setup: "active", value: FINGERPRINT }],
                ...(transport.sctp && { sctp: transport.sctp }),
              },
            },
          ],
        };
        void send(accept).then(() => script(jingle, send));
      } else script(jingle, send);
    });
    return true;
  });
  for (const name of ["open", "data", "close"])
    client.iqCallee.set("http://jabber.org/protocol/ibb", name, (ctx) => {
      ibb.push(ctx.element as XmlElement);
      onIbb(ctx.element as XmlElement);
      return true;
    });
  return {
    jingles,
    ibb,
    get actions() {
      return jingles.map((j) => j.action);
    },
  };
}

const FINGERPRINT = Array.from({ length: 32 }, () => "AB").join(":");

/** The Jingle actions and IBB elements that went over the network, in order. */
function wire(network: FakeNetwork): string[] {
  return network.log.map(([, , child, action]) => action ?? child);
}

describe("the file transfer falls back to In-Band Bytestreams when ICE-UDP fails", () => {
  for (const variant of ["webrtc-datachannel", "sctpmap"] as const) {
    for (const size of [0, 1, 4096, 300_000]) {
      it(
        `moves a ${size}-byte transfer (${variant} offer) with transport-replace and the receiver verifies it`,
        TIMEOUT,
        async () => {
          const network = blockedNetwork();
          const { alice, nextFile } = filePeers(network, { setupTimeoutMs: SETUP });
          const name = `ibb-${variant}-${size}.bin`;
          const { path, sha256 } = await makeFile(name, size);
          const to = await inbox(`in-${variant}-${size}`);
          const sent = await alice.sendFile(BOB, path, { sctpVariant: variant });
          let progress = 0;
          sent.on("progress", (bytes) => (progress = bytes));
          const received = (await nextFile()).receive({ dir: to });
          const [out, got] = await Promise.all([sent.result, received.result]);
          assert.equal(got.reason.condition, "success", got.reason.text);
          assert.equal(out.reason.condition, "success", out.reason.text);
          assert.equal(out.flavour, "ibb");
          assert.equal(got.flavour, "ibb");
          assert.equal(got.verified, true);
          assert.equal(got.bytes, size);
          assert.equal(out.bytes, size);
          if (size > 0) assert.equal(progress, size);
          const kept = await readFile(got.path!);
          assert.equal(createHash("sha256").update(kept).digest("base64"), sha256);
          assert.deepEqual(await readdir(to), [name]);
          const actions = wire(network);
          const replace = actions.indexOf("transport-replace");
          assert.ok(replace > 0, "a transport-replace was sent");
          assert.equal(actions[replace + 1], "transport-accept");
          assert.equal(actions[replace + 2], "open");
          // XEP-0047: one <data/> IQ per block of at most 4096 bytes, then <close/>.
          const data = actions.filter((a) => a === "data").length;
          assert.equal(data, Math.ceil(size / 4096));
          assert.ok(actions.includes("close"));
          // XEP-0234 §7: the receiver says <received/> and ends the session (as Conversations'
          // receiver does); the sender may end it too.
          const terminates = network.log.filter(([, , , a]) => a === "session-terminate");
          assert.ok(terminates.some(([from]) => from === BOB));
          assert.ok(terminates.length <= 2);
          await alice.close();
        },
      );
    }
  }

  it(
    "ends with the original failure when the peer rejects the transport-replace",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      const alice = aliceOn(network);
      // Bob accepts but never sends a candidate, and rejects the move (a client without IBB).
      const bob = scriptedPeer(network, (jingle, send) => {
        if (jingle.action === "transport-replace")
          void send(reply(jingle, "transport-reject", jingle.contents[0]!.transport));
      });
      const { path } = await makeFile("rejected.bin", 1000);
      const sent = await alice.sendFile(BOB, path, { sctpVariant: "sctpmap" });
      const out = await sent.result;
      // The set-up deadline failed the transport (no candidate came): that failure it keeps.
      assert.equal(out.reason.condition, "timeout");
      assert.match(out.reason.text ?? "", /^not connected within 1.5 s; the peer rejected/);
      assert.equal(out.bytes, 0);
      assert.deepEqual(bob.actions, ["session-initiate", "transport-replace", "session-terminate"]);
      assert.equal(bob.ibb.length, 0, "no IBB stream was opened");
    },
  );

  it(
    "accepts the receiver's transport-replace and sends over IBB as Conversations' receiver expects",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      const alice = aliceOn(network);
      const data: Buffer[] = [];
      // Bob moves the content to IBB at once with a large block-size (lowered to ours), takes
      // the stream, and says <received/> after the sender's <checksum/>.
      const bob = scriptedPeer(
        network,
        (jingle, send) => {
          if (jingle.action === "session-initiate") {
            const replace = el("transport", {
              xmlns: "urn:xmpp:jingle:transports:ibb:1",
              sid: "bob-ibb",
              "block-size": 65_535,
            });
            void send(reply(jingle, "transport-replace", { kind: "other", element: replace }));
          }
          if (jingle.action === "session-info" && jingle.info?.[0]?.name === "checksum") {
            const received = el("received", {
              xmlns: NS_FILE_TRANSFER,
              creator: "initiator",
              name: jingle.info[0].attrs["name"],
            });
            void send({ action: "session-info", sid: jingle.sid, contents: [], info: [received] });
          }
        },
        (ibb) => {
          if (ibb.name === "data") data.push(Buffer.from(ibb.children.join(""), "base64"));
        },
      );
      const { path, sha256 } = await makeFile("to-conversations.bin", 50_000);
      const sent = await alice.sendFile(BOB, path, { sctpVariant: "webrtc-datachannel" });
      const out = await sent.result;
      assert.equal(out.reason.condition, "success", out.reason.text);
      assert.equal(out.flavour, "ibb");
      const got = Buffer.concat(data);
      assert.equal(createHash("sha256").update(got).digest("base64"), sha256);
      // transport-accept with the block-size lowered to 16 KiB (XEP-0261 §2), then the stream.
      const accept = bob.jingles.find((j) => j.action === "transport-accept")!;
      const transport = accept.contents[0]!.transport as { element: XmlElement };
      assert.equal(transport.element.attrs["block-size"], "16384");
      assert.equal(transport.element.attrs["sid"], "bob-ibb");
      assert.equal(bob.ibb[0]?.name, "open");
      assert.equal(bob.ibb.filter((e) => e.name === "data").length, Math.ceil(50_000 / 4096));
      assert.equal(bob.ibb.at(-1)?.name, "close");
      assert.deepEqual(bob.actions, [
        "session-initiate",
        "transport-info", // the opening candidates again, for Conversations
        "transport-accept",
        "session-info",
        "session-terminate",
      ]);
      assert.equal(bob.jingles.at(-1)?.reason?.condition, "success");
    },
  );

  it(
    "receives a file offered on In-Band Bytestreams from the start (XEP-0261 §2, as Dino and Gajim offer)",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      const bob = jingleIceUdp(network.client(BOB), {
        ice,
        applications: [fileTransferApplication()],
      });
      const to = await inbox("in-offered-ibb");
      const results: Promise<{ reason: { condition: string }; path?: string }>[] = [];
      bob.on("incoming", (session) =>
        results.push(bob.incomingFile(session)!.receive({ dir: to }).result),
      );
      // Alice, played by the test with hand-written stanzas.
      const alice = network.client(ALICE);
      const incoming: XmlElement[] = [];
      let onIncoming: () => void = () => undefined;
      alice.iqCallee.set(NS_JINGLE, "jingle", (ctx) => {
        incoming.push(ctx.element as XmlElement);
        onIncoming();
        return true;
      });
      const next = (action: string) =>
        new Promise<XmlElement>((resolve) => {
          const look = () => {
            const found = incoming.find((j) => j.attrs["action"] === action);
            if (found) resolve(found);
          };
          onIncoming = look;
          look();
        });
      const set = (child: unknown) =>
        alice.iqCaller.request(xml("iq", { type: "set", to: BOB }, child));
      const data = randomBytes(20_000);
      const sha256 = createHash("sha256").update(data).digest("base64");
      const sid = "dino-1";
      const jingle = (action: string, ...children: unknown[]) =>
        xml("jingle", { xmlns: NS_JINGLE, action, sid, initiator: ALICE }, ...children);
      const content = (...children: unknown[]) =>
        xml("content", { creator: "initiator", name: "a-file", senders: "initiator" }, ...children);
      const IBB_T = "urn:xmpp:jingle:transports:ibb:1";
      const IBB = "http://jabber.org/protocol/ibb";
      await set(
        jingle(
          "session-initiate",
          content(
            xml(
              "description",
              { xmlns: NS_FILE_TRANSFER },
              xml(
                "file",
                {},
                xml("name", {}, "from-dino.bin"),
                xml("size", {}, String(data.length)),
              ),
            ),
            xml("transport", { xmlns: IBB_T, sid: "ibb-9", "block-size": "8192" }),
          ),
        ),
      );
      const accept = await next("session-accept");
      const transport = kids(kids(accept, "content")[0]!, "transport")[0]!;
      assert.equal(transport.attrs["xmlns"], IBB_T);
      assert.equal(transport.attrs["sid"], "ibb-9");
      assert.equal(transport.attrs["block-size"], "8192");
      assert.equal(kids(kids(accept, "content")[0]!, "description").length, 1);
      await set(xml("open", { xmlns: IBB, sid: "ibb-9", "block-size": "8192", stanza: "iq" }));
      for (let at = 0, seq = 0; at < data.length; at += 8192, seq++) {
        const block = data.subarray(at, at + 8192).toString("base64");
        await set(xml("data", { xmlns: IBB, sid: "ibb-9", seq: String(seq) }, block));
      }
      await set(xml("close", { xmlns: IBB, sid: "ibb-9" }));
      await set(
        jingle(
          "session-info",
          xml(
            "checksum",
            { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "a-file" },
            xml("file", {}, xml("hash", { xmlns: "urn:xmpp:hashes:2", algo: "sha-256" }, sha256)),
          ),
        ),
      );
      // XEP-0234 §7: the receiver says <received/>, then ends the session with success.
      const info = await next("session-info");
      assert.equal(kids(info, "received")[0]?.attrs["name"], "a-file");
      const terminate = await next("session-terminate");
      assert.equal(kids(kids(terminate, "reason")[0]!, "success").length, 1);
      const got = await results[0]!;
      assert.equal(got.reason.condition, "success");
      const kept = await readFile(got.path!);
      assert.equal(createHash("sha256").update(kept).digest("base64"), sha256);
      assert.equal(
        incoming.filter((j) => j.attrs["action"] === "transport-info").length,
        0,
        "no ICE at all",
      );
      await bob.close();
    },
  );

  it("detects a corrupted transfer over IBB: media-error, nothing kept", TIMEOUT, async () => {
    const network = blockedNetwork();
    const rewrite = network.rewrite;
    let flipped = false;
    network.rewrite = (from, payload) => {
      rewrite(from, payload);
      // Flip one base64 character of the first non-empty <data/> block.
      if (payload.name !== "data" || flipped) return;
      const text = (payload.children as string[]).join("");
      if (text.length < 4) return;
      const swapped = (text[0] === "A" ? "B" : "A") + text.slice(1);
      (payload.children as string[]).splice(0, payload.children.length, swapped);
      flipped = true;
    };
    const { alice, nextFile } = filePeers(network, { setupTimeoutMs: SETUP });
    const { path } = await makeFile("ibb-bad.bin", 20_000);
    const to = await inbox("in-ibb-bad");
    const sent = await alice.sendFile(BOB, path, { sctpVariant: "webrtc-datachannel" });
    const received = (await nextFile()).receive({ dir: to });
    const [out, got] = await Promise.all([sent.result, received.result]);
    assert.ok(flipped);
    assert.equal(got.reason.condition, "media-error");
    assert.equal(out.reason.condition, "media-error");
    assert.deepEqual(await readdir(to), []);
    await alice.close();
  });

  it("refuses IBB IQs for a stream it does not know with item-not-found", async () => {
    const network = new FakeNetwork();
    const alice: JingleIce = jingleIceUdp(network.client(ALICE), {
      ice,
      applications: [fileTransferApplication()],
    });
    const mallory = network.client("mallory@jingle.test/x");
    for (const child of [
      xml("open", { xmlns: "http://jabber.org/protocol/ibb", sid: "s", "block-size": "4096" }),
      xml("data", { xmlns: "http://jabber.org/protocol/ibb", sid: "s", seq: "0" }, "AAAA"),
      xml("close", { xmlns: "http://jabber.org/protocol/ibb", sid: "s" }),
    ]) {
      await assert.rejects(
        mallory.iqCaller.request(xml("iq", { type: "set", to: ALICE }, child)),
        (e: unknown) => e instanceof FakeStanzaError && e.condition === "item-not-found",
      );
    }
    await alice.close();
  });
});
