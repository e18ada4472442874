// Resuming a file transfer through the plugin (XEP-0234 §5.3, docs/file-transfer.md
// "Resuming"): `receive({ path, resume: true })` keeps `<path>.part` when an attempt fails and
// asks the next offer only for the bytes it lacks with a `<range offset/>` in its
// session-accept; the sender sends from there and the whole file's hash is verified. Over the
// in-memory XMPP stand-in with real ICE, DTLS and SCTP on 127.0.0.1.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { XmlElement } from "../../src/jingle/xml.js";
import { FakeNetwork } from "./fake-xmpp.js";
import { BOB, filePeers } from "./file-peers.js";

const TIMEOUT = { timeout: 60_000 };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jingle-resume-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The `<range/>` of every session-accept Bob sent, as [offset, length] (undefined: none). */
function acceptedRanges(network: FakeNetwork): (string | undefined)[] {
  const kids = (e: XmlElement, name: string) =>
    e.children.filter((c): c is XmlElement => typeof c !== "string" && c.name === name);
  return network.payloads
    .filter((p) => p.from === BOB && p.element.attrs["action"] === "session-accept")
    .map((p) => {
      const [content] = kids(p.element, "content");
      const [description] = kids(content!, "description");
      const [file] = kids(description!, "file");
      return kids(file!, "range")[0]?.attrs["offset"];
    });
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("resuming a file transfer with a range", () => {
  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    it(
      `resumes an interrupted transfer from the bytes the partial file kept (${variant} variant)`,
      TIMEOUT,
      async () => {
        const { network, alice, nextFile } = filePeers();
        const data = randomBytes(3 * 1024 * 1024);
        const source = join(dir, `resume-${variant}.bin`);
        await writeFile(source, data);
        const target = join(dir, `got-${variant}.bin`);

        // Attempt 1: the sender cancels once a third of the file is across.
        const abort = new AbortController();
        const first = await alice.sendFile(BOB, source, {
          sctpVariant: variant,
          signal: abort.signal,
        });
        const incoming1 = (await nextFile()).receive({ path: target, resume: true });
        incoming1.on("progress", (bytes) => {
          if (bytes >= 1024 * 1024) abort.abort();
        });
        const [out1, got1] = await Promise.all([first.result, incoming1.result]);
        assert.equal(out1.reason.condition, "cancel");
        assert.equal(got1.reason.condition, "cancel");
        await assert.rejects(stat(target), "no file under the target name");
        const kept = (await stat(`${target}.part`)).size;
        assert.ok(kept >= 1024 * 1024 && kept < data.length, `kept ${kept}`);
        assert.deepEqual(await readFile(`${target}.part`), data.subarray(0, kept));

        // Attempt 2: only the rest moves, and the whole file is verified.
        const second = await alice.sendFile(BOB, source, { sctpVariant: variant });
        const got2 = (await nextFile()).receive({ path: target, resume: true });
        const [out2, res2] = await Promise.all([second.result, got2.result]);
        assert.equal(res2.reason.condition, "success", res2.reason.text);
        assert.equal(out2.reason.condition, "success");
        assert.equal(res2.verified, true);
        assert.deepEqual(acceptedRanges(network), [undefined, String(kept)]);
        assert.equal(out2.bytes, data.length - kept, "the sender sent only the missing bytes");
        assert.equal(sha256(await readFile(target)), sha256(data));
        await assert.rejects(stat(`${target}.part`), "the partial file is gone");
        await alice.close();
      },
    );
  }

  it("asks for the whole file when the partial file is as long as the file", TIMEOUT, async () => {
    const { network, alice, nextFile } = filePeers();
    const data = randomBytes(10_000);
    const source = join(dir, "whole.bin");
    await writeFile(source, data);
    const target = join(dir, "got-whole.bin");
    // A stale partial file of the same length: not a prefix we can trust.
    await writeFile(`${target}.part`, randomBytes(10_000));
    const sent = await alice.sendFile(BOB, source, { sctpVariant: "sctpmap" });
    const got = (await nextFile()).receive({ path: target, resume: true });
    const [out, res] = await Promise.all([sent.result, got.result]);
    assert.equal(res.reason.condition, "success");
    assert.equal(out.bytes, data.length);
    assert.deepEqual(acceptedRanges(network), [undefined]);
    assert.equal(sha256(await readFile(target)), sha256(data));
    await alice.close();
  });

  it(
    "refuses a session-accept whose range lies outside the file with failed-application",
    TIMEOUT,
    async () => {
      const network = new FakeNetwork();
      // A man in the middle makes Bob's session-accept ask for a range beyond the file.
      network.rewrite = (from, payload) => {
        if (from !== BOB || payload.attrs["action"] !== "session-accept") return;
        const find = (e: XmlElement, name: string) =>
          e.children.find((c): c is XmlElement => typeof c !== "string" && c.name === name)!;
        const file = find(find(find(payload, "content"), "description"), "file");
        (file.children as unknown[]).push({
          name: "range",
          attrs: { offset: "999999" },
          children: [],
        });
      };
      const { alice, nextFile } = filePeers(network);
      const source = join(dir, "short.bin");
      await writeFile(source, randomBytes(1000));
      const sent = await alice.sendFile(BOB, source, { sctpVariant: "sctpmap" });
      void (await nextFile()).receive({ dir });
      const out = await sent.result;
      assert.equal(out.reason.condition, "failed-application");
      assert.equal(out.bytes, 0);
    },
  );
});
