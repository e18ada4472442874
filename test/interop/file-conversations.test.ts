// XEP-0234 file transfer between our plugin and a peer that speaks exactly Conversations' wire
// format (test/interop/conversations-peer.ts: libwebrtc via @roamhq/wrtc, its
// webrtc-datachannel transport, content named after libwebrtc's mid, BUNDLE group, its own
// channel `test` / `xmpp-jingle`, ≤ 4096-byte messages, `<checksum/>` without creator, the
// receiver's `<received/>` and session-terminate `success`), written from Conversations' sources
// without our src/jingle. Both directions, 0 B, 1 B, 4096 B and 10 MiB (SHA-256 compared), and
// a corrupted checksum caught by our receiver.
// libwebrtc gathers on every interface, so everything — Prosody, our bot, the peer — runs in one
// network namespace the test creates (lo and a veth pair, no route out): the orchestrator
// conversations/run.ts runs there and answers one JSON line per scenario. Needs root (netns),
// prosody and @roamhq/wrtc; FAILS without (with CI set).
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Scenario, ScenarioResult } from "./conversations/run.js";
import { requireNetns } from "../support/netns.js";
import {
  createLoneNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";
import { requireProsody } from "../support/prosody.js";

const RUN = fileURLToPath(new URL("./conversations/run.ts", import.meta.url));
const TIMEOUT = { timeout: 120_000 };
const NS_WEBRTC_DC = "urn:xmpp:jingle:transports:webrtc-datachannel:1";
const SIZES = [0, 1, 4096, 10 * 1024 * 1024];

let ns: LoneNamespace | undefined;
let runner: ChildProcessWithoutNullStreams | undefined;
let stderr = "";
const waiting = new Map<string, (result: ScenarioResult) => void>();
let ready: Promise<void> | undefined;

function start(): Promise<void> {
  return (ready ??= (async () => {
    await requireNetns();
    await requireProsody();
    ns = await createLoneNamespace("jice-convft");
    const child = spawn(
      "ip",
      ["netns", "exec", ns.ns, process.execPath, "--import", "tsx", RUN, LONE_ADDRESS],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    runner = child;
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    const up = new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`run.ts exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const event = JSON.parse(line) as { event: string } & ScenarioResult;
        if (event.event === "ready") resolve();
        if (event.event === "result") waiting.get(event.id)?.(event);
      });
    });
    await up;
  })());
}

/** Reports (never asserts) the rate libwebrtc's side saw, for sizes where it means something. */
function rate(
  t: { diagnostic(message: string): void },
  size: number,
  ms: number | undefined,
): void {
  if (size < 1024 * 1024 || ms === undefined) return;
  t.diagnostic(
    `${size} bytes in ${ms.toFixed(0)} ms: ${(size / 1048576 / (ms / 1000)).toFixed(1)} MiB/s`,
  );
}

let ids = 0;
async function run(scenario: Omit<Scenario, "id">): Promise<ScenarioResult> {
  await start();
  const id = `s${++ids}`;
  const result = new Promise<ScenarioResult>((resolve) => waiting.set(id, resolve));
  runner!.stdin.write(JSON.stringify({ id, ...scenario }) + "\n");
  const out = await result;
  assert.equal(out.error, undefined, `${out.error}\n${stderr}`);
  assert.ok(out.ours && out.peer, "both sides reported");
  return out;
}

describe("XEP-0234 file transfer with a Conversations-shaped peer (libwebrtc, its wire format)", () => {
  after(async () => {
    if (runner !== undefined && runner.exitCode === null) {
      const exited = once(runner, "exit");
      runner.stdin.end();
      const timer = setTimeout(() => runner?.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await ns?.destroy();
  });

  before(() => start());

  for (const size of SIZES) {
    it(
      `sends ${size} bytes to Conversations, which reads our channel test and terminates with success`,
      TIMEOUT,
      async (t) => {
        const { ours, peer, sha256 } = await run({ direction: "to-peer", size });
        assert.ok(ours && peer);
        assert.equal(peer.error, undefined);
        assert.equal(peer.bytes, size);
        assert.equal(peer.sha256, sha256, "Conversations wrote exactly our bytes");
        rate(t, size, peer.transferMs);
        assert.deepEqual(peer.terminate, { by: "us", reason: "success" });
        assert.equal(ours.reason, "success");
        assert.equal(ours.bytes, size);
        // With 0 bytes Conversations terminates as soon as ICE is up, before any channel opens:
        // our sender never learns the flavour (FileTransferResult.flavour comes with the channel).
        if (size > 0) assert.equal(ours.flavour, "conversations");
        // Our offer as Conversations read it: its transport, its group, content named 0.
        const offer = peer.offer!;
        assert.deepEqual(offer.content, { creator: "initiator", name: "0", senders: "initiator" });
        assert.equal(offer.descriptionNs, "urn:xmpp:jingle:apps:file-transfer:5");
        assert.ok(offer.fileChildren?.includes("name") && offer.fileChildren.includes("size"));
        assert.equal(offer.transportNs, NS_WEBRTC_DC);
        assert.deepEqual(offer.outerAttrs, { "sctp-port": "5000", "max-message-size": "262144" });
        assert.ok(offer.inner?.ufrag && offer.inner.pwd);
        assert.ok(offer.inner.children.includes("fingerprint@urn:xmpp:jingle:apps:dtls:0"));
        assert.equal(offer.inner.setup, "actpass");
        assert.deepEqual(offer.group, ["BUNDLE", "0"]);
        if (size > 0) {
          assert.deepEqual(peer.channel, { label: "test", protocol: "xmpp-jingle" });
          assert.ok(peer.maxMessage <= 4096, `messages of ${peer.maxMessage} bytes`);
          assert.equal(peer.messages, Math.ceil(size / 4096));
        }
        // Every transport-info of ours wraps its candidates in the outer transport.
        for (const info of peer.transportInfos) assert.equal(info.outerNs, NS_WEBRTC_DC);
      },
    );
  }

  it(
    "picks Conversations' transport from its disco#info when the variant is auto",
    TIMEOUT,
    async () => {
      const { ours, peer, sha256 } = await run({ direction: "to-peer", size: 1, variant: "auto" });
      assert.ok(ours && peer);
      assert.equal(peer.offer?.transportNs, NS_WEBRTC_DC);
      assert.equal(peer.sha256, sha256);
      assert.equal(ours.reason, "success");
      assert.equal(ours.flavour, "conversations");
    },
  );

  for (const size of SIZES) {
    it(
      `receives ${size} bytes from Conversations, verifies its checksum and keeps the file`,
      TIMEOUT,
      async (t) => {
        const { ours, peer, sha256, offer, kept } = await run({ direction: "from-peer", size });
        assert.ok(ours && peer);
        assert.equal(ours.reason, "success");
        assert.equal(ours.verified, true);
        assert.equal(ours.bytes, size);
        assert.equal(ours.flavour, "conversations");
        assert.equal(ours.fileSha256, sha256);
        // Its sender's clock runs to our session-terminate, sent right after our <received/>.
        rate(t, size, peer.writtenMs);
        assert.deepEqual(ours.hashes.sort(), ["sha-1", "sha-256"]);
        assert.deepEqual(offer, {
          name: `conv-s${ids}.bin`,
          size,
          mediaType: "application/octet-stream",
        });
        assert.deepEqual(kept, [`conv-s${ids}.bin`]);
        // Conversations saw our <received/> and our success, and no error to its requests.
        assert.equal(peer.error, undefined);
        assert.deepEqual(peer.iqErrors, []);
        assert.deepEqual(
          peer.sessionInfo.map((i) => i.kind),
          ["received"],
        );
        assert.deepEqual(peer.terminate, { by: "peer", reason: "success" });
        assert.equal(peer.bytes, size);
        // Our session-accept as Conversations read it.
        const accept = peer.accept!;
        assert.equal(accept.content.name, "0");
        assert.equal(accept.transportNs, NS_WEBRTC_DC);
        assert.ok(accept.outerAttrs?.["sctp-port"] && accept.outerAttrs["max-message-size"]);
        assert.ok(accept.inner?.ufrag && accept.inner.pwd);
        assert.ok(accept.inner.setup === "active" || accept.inner.setup === "passive");
        assert.deepEqual(accept.group, ["BUNDLE", "0"]);
      },
    );
  }

  it(
    "detects a corrupted transfer from Conversations: media-error on both sides and no file kept",
    TIMEOUT,
    async () => {
      const { ours, peer, kept } = await run({
        direction: "from-peer",
        size: 64 * 1024,
        checksum: "corrupt",
      });
      assert.ok(ours && peer);
      assert.equal(ours.reason, "media-error");
      assert.equal(ours.verified, false);
      assert.equal(ours.fileSha256, undefined);
      assert.deepEqual(kept, []);
      assert.equal(peer.bytes, 64 * 1024);
      assert.deepEqual(peer.terminate, { by: "peer", reason: "media-error" });
    },
  );
});
