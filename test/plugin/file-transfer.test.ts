// XEP-0234 file transfer through the plugin (src/plugin/file-transfer.ts, file-send.ts,
// file-receive.ts) over the in-memory XMPP stand-in with real ICE, DTLS and SCTP on 127.0.0.1:
// both flavours (XEP-0343 / StanzaJS, Conversations), 0 B to 10 MiB, a corrupted checksum
// detected (media-error, nothing kept), a declined offer, safe names, no overwrite, and the
// disco#info features only when the application is registered.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { XmlElement } from "../../src/jingle/xml.js";
import {
  NS_FILE_TRANSFER,
  dataChannelApplication,
  fileTransferApplication,
  jingleIceUdp,
  sanitizeFileName,
  type JingleIce,
} from "../../src/plugin/index.js";
import { FakeNetwork, FakeStanzaError } from "./fake-xmpp.js";
import { ALICE, BOB, filePeers } from "./file-peers.js";
import { DEFAULT_SEND_HIGH_WATER_MARK } from "../../src/node/file-transfer-send.js";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import { buildFileTransferDescription } from "../../src/jingle/file-transfer.js";
import { NS_JINGLE } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { el } from "../../src/jingle/xml.js";
import { toXmpp } from "../../src/plugin/xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const TIMEOUT = { timeout: 60_000 };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jingle-ft-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeFile(name: string, size: number): Promise<{ path: string; sha256: string }> {
  const srcDir = join(dir, "src");
  await import("node:fs/promises").then((fs) => fs.mkdir(srcDir, { recursive: true }));
  const path = join(srcDir, name);
  const data = randomBytes(size);
  await writeFile(path, data);
  return { path, sha256: createHash("sha256").update(data).digest("base64") };
}

async function inbox(name: string): Promise<string> {
  const d = join(dir, name);
  await import("node:fs/promises").then((fs) => fs.mkdir(d, { recursive: true }));
  return d;
}

describe("file transfer through the plugin", () => {
  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    for (const size of [0, 1, 4096, 10 * 1024 * 1024]) {
      it(
        `sends ${size} bytes with the ${variant} variant and the receiver verifies the hash`,
        TIMEOUT,
        async () => {
          const { alice, nextFile } = filePeers();
          const name = `f-${variant}-${size}.bin`;
          const { path, sha256 } = await makeFile(name, size);
          const to = await inbox(`in-${variant}-${size}`);
          const sent = await alice.sendFile(BOB, path, {
            sctpVariant: variant,
            mediaType: "application/octet-stream",
          });
          // Memory stays bounded: the sender's channel never queues more than the pump's
          // high-water mark (plus one message), whatever the file's size.
          let queued = 0;
          let messages = 0;
          const create = sent.session.createDataChannel.bind(sent.session);
          sent.session.createDataChannel = (label, init) => {
            const channel = create(label, init);
            const send = channel.send.bind(channel);
            channel.send = (data) => {
              send(data);
              messages++;
              queued = Math.max(queued, channel.bufferedAmount);
            };
            return channel;
          };
          let progress = 0;
          sent.on("progress", (bytes, total) => {
            assert.ok(bytes >= progress && bytes <= total);
            progress = bytes;
          });
          const offer = await nextFile();
          assert.equal(offer.file.name, name);
          assert.equal(offer.file.size, size);
          assert.equal(offer.file.mediaType, "application/octet-stream");
          const received = offer.receive({ dir: to });
          const [out, got] = await Promise.all([sent.result, received.result]);
          assert.equal(got.reason.condition, "success");
          assert.equal(got.verified, true);
          assert.equal(got.bytes, size);
          assert.equal(got.path, join(to, name));
          assert.equal(out.reason.condition, "success");
          assert.equal(out.bytes, size);
          assert.equal(out.flavour, variant === "sctpmap" ? "stanzajs" : "conversations");
          assert.equal(got.flavour, out.flavour);
          const sha = out.hashes.find((h) => h.algo === "sha-256");
          assert.ok(sha, "the sender's checksum has sha-256");
          assert.equal(Buffer.from(sha.value).toString("base64"), sha256);
          assert.deepEqual(got.hashes, out.hashes);
          const kept = await readFile(got.path!);
          assert.equal(createHash("sha256").update(kept).digest("base64"), sha256);
          assert.deepEqual(await readdir(to), [name], "no .part or placeholder left");
          if (size > 0) assert.equal(progress, size);
          const chunk = variant === "sctpmap" ? 16_384 : 4096;
          assert.equal(messages, Math.ceil(size / chunk), "messages of the flavour's size");
          assert.ok(queued <= DEFAULT_SEND_HIGH_WATER_MARK + chunk, `queued ${queued}`);
          await alice.close();
        },
      );
    }
  }

  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    it(
      `detects a corrupted transfer with the ${variant} variant: media-error, no file kept`,
      TIMEOUT,
      async () => {
        const network = new FakeNetwork();
        // A man in the middle flips a bit of every hash in the sender's <checksum/>.
        network.rewrite = (from, payload) => {
          if (from !== ALICE) return;
          const kids = (e: XmlElement, name: string) =>
            e.children.filter((c): c is XmlElement => typeof c !== "string" && c.name === name);
          for (const checksum of kids(payload, "checksum"))
            for (const file of kids(checksum, "file"))
              for (const hash of kids(file, "hash")) {
                const value = Buffer.from(hash.children.join(""), "base64");
                value[0] = (value[0] ?? 0) ^ 1;
                (hash.children as unknown as string[]).splice(
                  0,
                  hash.children.length,
                  value.toString("base64"),
                );
              }
        };
        const { alice, nextFile } = filePeers(network);
        const { path } = await makeFile(`bad-${variant}.bin`, 100_000);
        const to = await inbox(`in-bad-${variant}`);
        const sent = await alice.sendFile(BOB, path, { sctpVariant: variant });
        const received = (await nextFile()).receive({ dir: to });
        const [out, got] = await Promise.all([sent.result, received.result]);
        assert.equal(got.reason.condition, "media-error");
        assert.equal(got.verified, false);
        assert.equal(got.path, undefined);
        assert.equal(out.reason.condition, "media-error");
        assert.deepEqual(await readdir(to), [], "nothing of the bad file is kept");
        await alice.close();
      },
    );
  }

  it(
    "names the offered content 0, as libwebrtc names Conversations' m= section, in the BUNDLE group too",
    TIMEOUT,
    async () => {
      const { network, alice, nextFile } = filePeers();
      const { path } = await makeFile("named.bin", 1);
      const sent = await alice.sendFile(BOB, path, { sctpVariant: "webrtc-datachannel" });
      await (await nextFile()).decline();
      await sent.result;
      const initiate = parseJingle(network.payloads[0]!.element as XmlElement);
      assert.equal(initiate.action, "session-initiate");
      assert.deepEqual(
        initiate.contents.map((c) => c.name),
        ["0"],
      );
      assert.deepEqual(initiate.groups, [{ semantics: "BUNDLE", contents: ["0"] }]);
    },
  );

  it("ends with decline when the receiver declines the offer", TIMEOUT, async () => {
    const { alice, nextFile } = filePeers();
    const { path } = await makeFile("declined.bin", 10);
    const sent = await alice.sendFile(BOB, path, { sctpVariant: "sctpmap" });
    await (await nextFile()).decline();
    const out = await sent.result;
    assert.equal(out.reason.condition, "decline");
    assert.equal(out.bytes, 0);
    assert.deepEqual(out.hashes, []);
  });

  it(
    "writes under a safe name and never overwrites: the peer's path is cut to its last segment",
    TIMEOUT,
    async () => {
      const { alice, bob, nextFile } = filePeers();
      const { path } = await makeFile("x.txt", 5);
      const to = await inbox("in-names");
      await writeFile(join(to, "passwd"), "mine");
      const sent = await alice.sendFile(BOB, path, { name: "../../etc/passwd" });
      const offer = await nextFile();
      assert.equal(offer.file.name, "../../etc/passwd", "the offer as sent");
      assert.equal(bob.incomingFile(offer.session), offer, "one offer per session");
      const transfer = offer.receive({ dir: to });
      assert.throws(() => offer.receive({ dir: to }), /called already/);
      const got = await transfer.result;
      await sent.result;
      assert.equal(got.path, join(to, "passwd (1)"));
      assert.equal(await readFile(join(to, "passwd"), "utf8"), "mine");
      await alice.close();
    },
  );

  it("refuses to receive to a path that exists, and the session ends", TIMEOUT, async () => {
    const { alice, nextFile } = filePeers();
    const { path } = await makeFile("exists.bin", 5);
    const to = await inbox("in-exists");
    await writeFile(join(to, "taken"), "mine");
    const sent = await alice.sendFile(BOB, path);
    const received = (await nextFile()).receive({ path: join(to, "taken") });
    await assert.rejects(received.result, { code: "EEXIST" });
    assert.notEqual((await sent.result).reason.condition, "success");
    assert.equal(await readFile(join(to, "taken"), "utf8"), "mine");
  });

  it("rejects sendFile for a missing file or without the application", async () => {
    const { alice } = filePeers();
    await assert.rejects(alice.sendFile(BOB, join(dir, "nope")), { code: "ENOENT" });
    const other: JingleIce = jingleIceUdp(new FakeNetwork().client(ALICE), {
      ice,
      applications: [dataChannelApplication],
    });
    await assert.rejects(other.sendFile(BOB, join(dir, "nope")), /not registered/);
  });
});

describe("file-transfer signalling", () => {
  it(
    "answers the session-info of a file-transfer session: XEP-0234 payloads acked, a malformed one bad-request, others unsupported-info",
    TIMEOUT,
    async () => {
      const { network, alice, nextFile } = filePeers();
      const { path } = await makeFile("info.bin", 3);
      const sent = await alice.sendFile(BOB, path, { sctpVariant: "sctpmap" });
      const offer = await nextFile();
      const { sid } = sent.session;
      const asAlice = network.sender(ALICE);
      const info = (payload: XmlElement) =>
        asAlice.iqCaller.request(
          xml(
            "iq",
            { type: "set", to: BOB },
            toXmpp(
              buildJingle({
                action: "session-info",
                sid,
                initiator: ALICE,
                contents: [],
                info: [payload],
              }),
            ),
          ),
        );
      // A <received/> is acked (and counted as stray by the receiver: it has no machine yet).
      await info(el("received", { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "file" }));
      await assert.rejects(
        info(el("checksum", { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "file" })),
        (e: unknown) => e instanceof FakeStanzaError && e.condition === "bad-request",
      );
      await assert.rejects(
        info(el("mute", { xmlns: "urn:xmpp:jingle:apps:rtp:info:1" })),
        (e: unknown) =>
          e instanceof FakeStanzaError &&
          e.condition === "feature-not-implemented" &&
          e.element.toString().includes("unsupported-info"),
      );
      await offer.decline();
      assert.equal((await sent.result).reason.condition, "decline");
    },
  );

  it(
    "refuses an XEP-0234 request (senders='responder') with failed-application",
    TIMEOUT,
    async () => {
      const { network, bob } = filePeers();
      const mallory = network.client("mallory@jingle.test/x");
      const terminated = new Promise<XmlElement>((resolve) =>
        mallory.iqCallee.set(NS_JINGLE, "jingle", (ctx) => {
          resolve(ctx.element as XmlElement);
          return true;
        }),
      );
      const refused = new Promise((resolve) => bob.on("refused", resolve));
      await mallory.iqCaller.request(
        xml(
          "iq",
          { type: "set", to: BOB },
          toXmpp(
            buildJingle({
              action: "session-initiate",
              sid: "req1",
              initiator: "mallory@jingle.test/x",
              contents: [
                {
                  creator: "initiator",
                  name: "file",
                  senders: "responder",
                  description: buildFileTransferDescription({ name: "wanted.txt", size: 1 }),
                  transport: {
                    kind: "ice-udp",
                    ufrag: "peer",
                    pwd: "peer-password-0123456789",
                    candidates: [],
                    gatheringComplete: false,
                    skipped: [],
                    fingerprints: [
                      { hash: "sha-256", setup: "actpass", value: "AB:".repeat(31) + "AB" },
                    ],
                    sctp: { variant: "sctpmap", port: 5000, protocol: "webrtc-datachannel" },
                  },
                },
              ],
            }),
          ),
        ),
      );
      const jingle = parseJingle(await terminated);
      assert.equal(jingle.action, "session-terminate");
      assert.equal(jingle.reason?.condition, "failed-application");
      await refused;
    },
  );
});

describe("sanitizeFileName", () => {
  it("keeps the last path segment, drops leading dots and control characters, caps the length", () => {
    assert.equal(sanitizeFileName("../../etc/passwd"), "passwd");
    assert.equal(sanitizeFileName("..\\..\\boot.ini"), "boot.ini");
    assert.equal(sanitizeFileName(".."), "file");
    assert.equal(sanitizeFileName(".bashrc"), "bashrc");
    assert.equal(sanitizeFileName("a\u0000b\nc"), "a_b_c");
    assert.equal(sanitizeFileName(undefined), "file");
    assert.equal(sanitizeFileName(""), "file");
    const long = sanitizeFileName(`${"x".repeat(500)}.png`);
    assert.equal(long.length, 200);
    assert.ok(long.endsWith(".png"));
  });
});

describe("disco#info for file transfer", () => {
  it("lists file-transfer:5, the hash and the In-Band Bytestreams features only when the application is registered", async () => {
    const network = new FakeNetwork();
    const withFt = jingleIceUdp(network.client(ALICE), {
      ice,
      applications: [fileTransferApplication()],
    });
    const without = jingleIceUdp(network.client(BOB), {
      ice,
      applications: [dataChannelApplication],
    });
    const features = (j: JingleIce) => (j as unknown as { features: readonly string[] }).features;
    for (const f of [
      NS_FILE_TRANSFER,
      "urn:xmpp:hashes:2",
      "urn:xmpp:hash-function-text-names:sha-1",
      "urn:xmpp:hash-function-text-names:sha-256",
      "urn:xmpp:jingle:apps:dtls:0",
      "urn:xmpp:jingle:transports:ibb:1",
      "http://jabber.org/protocol/ibb",
    ])
      assert.ok(features(withFt).includes(f), f);
    for (const f of [
      NS_FILE_TRANSFER,
      "urn:xmpp:hashes:2",
      "urn:xmpp:jingle:transports:ibb:1",
      "http://jabber.org/protocol/ibb",
    ])
      assert.ok(!features(without).includes(f), f);
  });
});
