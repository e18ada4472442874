// XEP-0234 file transfer between our plugin and a real StanzaJS 12.22 client whose
// RTCPeerConnection is libwebrtc (@roamhq/wrtc), through a real Prosody: StanzaJS sends files to
// our bot and our bot sends files to StanzaJS (XEP-0343 `<sctpmap/>`, one channel
// `filetransfer`), 0 B, 1 B, 4096 B and 10 MiB, the SHA-256 of every received file checked; a
// corrupted transfer either way (the sender's `<checksum/>` tampered) ends media-error with no
// file kept. libwebrtc gathers on every interface, so Prosody, our bot
// (test/interop/stanza-file-bot.ts) and StanzaJS (test/interop/stanza-file-run.ts) all run in
// one network namespace the test creates, with lo and one veth and no route out
// (test/support/lone-namespace.ts); the test drives both processes over stdin/stdout and reads
// the files from the shared file system. Needs root, iproute2 and prosody; FAILS without.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it, type TestContext } from "node:test";
import { JsonLinesProcess, type JsonEvent } from "../support/json-lines.js";
import {
  createLoneNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";
import { requireNetns } from "../support/netns.js";
import { requireProsody } from "../support/prosody.js";
import { REPO_ROOT } from "./harness.js";

const BOT = fileURLToPath(new URL("./stanza-file-bot.ts", import.meta.url));
const RUNNER = fileURLToPath(new URL("./stanza-file-run.ts", import.meta.url));
/** StanzaJS's name for a `<checksum/>` session-info (JINGLE_INFO_CHECKSUM_5). */
const CHECKSUM_INFO = "{urn:xmpp:jingle:apps:file-transfer:5}checksum";
const SIZES = [0, 1, 4096, 10 * 1024 * 1024];
/** A transfer of nothing waits out the 60 s finish deadline (below), hence the margin. */
const TIMEOUT = { timeout: 150_000 };
const WAIT_MS = 140_000;

/** Our bot's `result` (stanza-file-bot.ts). */
interface BotResult {
  readonly side: "sender" | "receiver";
  readonly reason: string;
  readonly text?: string;
  readonly bytes: number;
  readonly verified: boolean;
  readonly path?: string;
  readonly flavour?: string;
  readonly hashes: readonly { readonly algo: string; readonly value: string }[];
  readonly ms: number;
}
/** StanzaJS's `ended`: its reason and what it put on the wire (stanza-file-run.ts). */
interface StanzaEnded {
  readonly sid: string;
  readonly reason: string;
  readonly role: "initiator" | "responder";
  readonly actions: readonly string[];
  readonly infos: readonly { readonly type: string; readonly algorithms: readonly string[] }[];
  readonly label?: string;
  readonly messages: number;
  readonly maxMessage: number;
}
interface BotIncoming {
  readonly file: Readonly<Record<string, unknown>>;
}
interface StanzaReceived {
  readonly sid: string;
  readonly path: string;
  readonly sha256: string;
}

const sha = (algo: "sha1" | "sha256", data: Uint8Array): string =>
  createHash(algo).update(data).digest("hex");

describe("XEP-0234 file transfer with StanzaJS 12.22 on libwebrtc, through a real Prosody", () => {
  let ns: LoneNamespace | undefined;
  let bot: JsonLinesProcess;
  let stanza: JsonLinesProcess;
  let dir: string;
  let botJid: string;
  let stanzaJid: string;
  let cases = 0;

  const inNamespace = (name: string, script: string, args: readonly string[]) =>
    new JsonLinesProcess(
      name,
      ["ip", "netns", "exec", ns!.ns, process.execPath, "--import", "tsx", script, ...args],
      {},
      REPO_ROOT,
    );

  before(async () => {
    await requireNetns();
    await requireProsody();
    dir = await mkdtemp(join(tmpdir(), "jingle-ft-stanza-"));
    ns = await createLoneNamespace("jice-sft");
    bot = inNamespace("our bot", BOT, [LONE_ADDRESS]);
    const ready = (await bot.waitFor("ready", 30_000)) as JsonEvent & {
      bot: string;
      websocket: string;
      stanza: { jid: string; password: string };
    };
    botJid = ready.bot;
    stanza = inNamespace("StanzaJS", RUNNER, [
      ready.websocket,
      ready.stanza.jid,
      ready.stanza.password,
    ]);
    const online = (await stanza.waitFor("online", 30_000)) as JsonEvent & { jid: string };
    stanzaJid = online.jid;
  });

  after(async () => {
    for (const p of [stanza, bot]) {
      if (p === undefined) continue;
      p.send({ cmd: "quit" });
      await p.exitCode(10_000).catch(() => p.stop());
    }
    await ns?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The first event named `ev` after `mark` (an index into p.events) that matches `where`. */
  const next = <T = JsonEvent>(
    p: JsonLinesProcess,
    mark: number,
    ev: string,
    where: (e: JsonEvent) => boolean = () => true,
  ): Promise<T> =>
    p.waitFor(ev, WAIT_MS, (e) => p.events.indexOf(e) >= mark && where(e)) as Promise<
      JsonEvent & T
    >;

  /** A fresh file of `size` random bytes and an empty directory to receive it in. */
  async function fixture(size: number): Promise<{ data: Buffer; path: string; to: string }> {
    const n = ++cases;
    const data = randomBytes(size);
    const path = join(dir, `stanza-${n}-${size}.bin`);
    await writeFile(path, data);
    const to = join(dir, `in-${n}`);
    await mkdir(to);
    return { data, path, to };
  }

  /** StanzaJS sends `path` to our bot, which receives into `to`. */
  async function fromStanza(path: string, to: string, tamper?: "checksum") {
    const [b, s] = [bot.events.length, stanza.events.length];
    bot.send({ cmd: "receive", dir: to });
    await next(bot, b, "receiving");
    stanza.send({ cmd: "send", to: botJid, path, ...(tamper && { tamper }) });
    const { sid } = await next<{ sid: string }>(stanza, s, "offered");
    const incoming = await next<BotIncoming>(bot, b, "incoming");
    const result = await next<BotResult>(bot, b, "result", (e) => e["side"] === "receiver");
    const ended = await next<StanzaEnded>(stanza, s, "ended", (e) => e["sid"] === sid);
    return { incoming, result, ended };
  }

  /** Our bot sends `path` to StanzaJS, which keeps what it verified in `to`. */
  async function toStanza(path: string, to: string, tamper?: "checksum") {
    const [b, s] = [bot.events.length, stanza.events.length];
    stanza.send({ cmd: "receive", dir: to });
    await next(stanza, s, "receiving");
    bot.send({ cmd: "send", to: stanzaJid, path, ...(tamper && { tamper }) });
    const result = await next<BotResult>(bot, b, "result", (e) => e["side"] === "sender");
    const ended = await next<StanzaEnded>(stanza, s, "ended");
    // StanzaJS emits receivedFile (the runner then writes the file) only when the hash matched.
    const received =
      ended.reason === "success"
        ? await next<StanzaReceived>(stanza, s, "received-file", (e) => e["sid"] === ended.sid)
        : (stanza.events.slice(s).find((e) => e.ev === "received-file") as
            (JsonEvent & StanzaReceived) | undefined);
    return { result, ended, received };
  }

  const figure = (t: TestContext, what: string, bytes: number, ms: number): void => {
    if (bytes >= 1 << 20) {
      t.diagnostic(
        `${what}: ${bytes} B in ${ms} ms (${(bytes / 1048576 / (ms / 1000)).toFixed(1)} MiB/s)`,
      );
    }
  };

  for (const size of SIZES.filter((s) => s > 0)) {
    it(
      `receives ${size} bytes from StanzaJS, verified with its sha-1 checksum`,
      TIMEOUT,
      async (t) => {
        const { data, path, to } = await fixture(size);
        const { incoming, result, ended } = await fromStanza(path, to);
        const name = path.slice(dir.length + 1);
        assert.deepEqual(incoming.file, {
          name,
          size,
          date: "2026-01-02T03:04:05.000Z",
          hashes: [], // only <hash-used algo='sha-1'/> in its offer
        });
        assert.equal(result.reason, "success", JSON.stringify({ result, ended }));
        assert.equal(result.bytes, size);
        assert.equal(result.verified, true);
        assert.equal(result.flavour, "stanzajs");
        assert.deepEqual(result.hashes, [{ algo: "sha-1", value: sha("sha1", data) }]);
        assert.equal(result.path, join(to, name));
        assert.equal(sha("sha256", await readFile(join(to, name))), sha("sha256", data));
        assert.deepEqual(await readdir(to), [name]);
        // What StanzaJS did on the wire: one ordered channel `filetransfer`, ≤ 16 KiB messages,
        // one sha-1 <checksum/> after the data, and no session-terminate of its own.
        assert.equal(ended.reason, "success");
        assert.equal(ended.label, "filetransfer");
        assert.ok((ended.maxMessage as number) <= 16384);
        assert.equal(ended.messages, Math.ceil(size / 16384));
        assert.deepEqual(ended.infos, [{ type: CHECKSUM_INFO, algorithms: ["sha-1"] }]);
        assert.ok(!(ended.actions as string[]).includes("session-terminate"));
        figure(t, "StanzaJS → us", size, result.ms);
      },
    );
  }

  for (const size of SIZES.filter((s) => s > 0)) {
    it(
      `sends ${size} bytes to StanzaJS, which verifies them and ends the session with success`,
      TIMEOUT,
      async (t) => {
        const { data, path, to } = await fixture(size);
        const { result, ended, received } = await toStanza(path, to);
        const name = path.slice(dir.length + 1);
        assert.equal(result.reason, "success", JSON.stringify({ result, ended }));
        assert.equal(result.bytes, size);
        assert.equal(result.flavour, "stanzajs");
        const sent1 = (result.hashes as { algo: string; value: string }[]).find(
          (h) => h.algo === "sha-1",
        );
        assert.equal(sent1?.value, sha("sha1", data));
        assert.ok(received);
        assert.equal(received.sha256, sha("sha256", data));
        assert.equal(sha("sha256", await readFile(join(to, name))), sha("sha256", data));
        // StanzaJS read our channel `filetransfer`, got ≤ 16 KiB messages, sent no session-info
        // (never a <received/>) and ended the session itself with success.
        assert.equal(ended.reason, "success");
        assert.equal(ended.role, "responder");
        assert.equal(ended.label, "filetransfer");
        assert.ok((ended.maxMessage as number) <= 16384);
        assert.deepEqual(ended.infos, []);
        assert.deepEqual(
          (ended.actions as string[]).filter((a) => a !== "transport-info"),
          ["session-accept", "session-terminate"],
        );
        figure(t, "us → StanzaJS", size, result.ms);
      },
    );
  }

  it(
    "ends a 0-byte file from StanzaJS with media-error and keeps nothing: StanzaJS never sends its checksum",
    TIMEOUT,
    async () => {
      const { path, to } = await fixture(0);
      const { result, ended } = await fromStanza(path, to);
      assert.equal(result.reason, "media-error", JSON.stringify(result));
      assert.equal(result.verified, false);
      assert.deepEqual(await readdir(to), []);
      assert.deepEqual(ended.infos, []);
      assert.equal(ended.reason, "media-error");
    },
  );

  it(
    "ends a 0-byte file to StanzaJS with timeout: StanzaJS never completes a transfer of nothing",
    TIMEOUT,
    async () => {
      const { path, to } = await fixture(0);
      const { result, ended, received } = await toStanza(path, to);
      assert.equal(result.reason, "timeout", JSON.stringify(result));
      assert.equal(received, undefined);
      assert.equal(ended.reason, "timeout");
      assert.deepEqual(await readdir(to), []);
    },
  );

  it(
    "detects a corrupted transfer from StanzaJS (its checksum tampered): media-error, no file kept",
    TIMEOUT,
    async () => {
      const { path, to } = await fixture(100_000);
      const { result, ended } = await fromStanza(path, to, "checksum");
      assert.ok(stanza.events.some((e) => e.ev === "tampered"));
      assert.equal(result.reason, "media-error", JSON.stringify(result));
      assert.equal(result.verified, false);
      assert.equal(result.path, undefined);
      assert.deepEqual(await readdir(to), []);
      assert.equal(ended.reason, "media-error");
    },
  );

  it(
    "is told media-error by StanzaJS when our checksum is wrong, and StanzaJS keeps no file",
    TIMEOUT,
    async () => {
      const { path, to } = await fixture(100_000);
      const { result, ended, received } = await toStanza(path, to, "checksum");
      assert.ok(bot.events.some((e) => e.ev === "tampered"));
      assert.equal(result.reason, "media-error", JSON.stringify({ result, ended }));
      assert.equal(received, undefined);
      assert.equal(ended.reason, "media-error");
      assert.deepEqual(await readdir(to), []);
    },
  );
});
