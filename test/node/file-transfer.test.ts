import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  chunkSizeFor,
  FLAVOURS,
  type FileTransferFlavour,
} from "../../src/jingle/file-transfer-flavour.js";
import { parseFileTransferInfo } from "../../src/jingle/file-transfer-info.js";
import { FileReceiver } from "../../src/jingle/file-transfer-receiver.js";
import { FileSender } from "../../src/jingle/file-transfer-sender.js";
import type { FileTransferTransmit } from "../../src/jingle/file-transfer-session.js";
import { FileReceivePump, partialLength } from "../../src/node/file-transfer-receive.js";
import { FileSendPump } from "../../src/node/file-transfer-send.js";
import { fakeChannelPair, type FakeChannel } from "./file-transfer-fake-channel.js";

const content = { creator: "initiator", name: "a-file-offer" } as const;
const HIGH_WATER_MARK = 256 * 1024;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jingle-ice-ft-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic file content (a 32-bit LCG). */
function content32(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

interface Run {
  sent: Awaited<FileSendPump<FileSender>["result"]>;
  received: Awaited<FileReceivePump<FileReceiver>["result"]>;
  wire: FakeChannel;
  target: string;
}

async function run(
  name: string,
  data: Uint8Array,
  flavour: FileTransferFlavour,
  setup: { offset?: number; tamper?: FakeChannel["tamper"]; closeAfter?: number } = {},
): Promise<Run> {
  const source = join(dir, `${name}.src`);
  const target = join(dir, `${name}.out`);
  await writeFile(source, data);
  const [a, b] = fakeChannelPair();
  if (setup.tamper !== undefined) a.tamper = setup.tamper;
  const file = { name, size: data.length, hashesUsed: ["sha-1" as const] };
  const range = setup.offset === undefined ? undefined : { offset: setup.offset };
  const sender = new FileSender({ file, content, chunkSize: chunkSizeFor(flavour) });
  const receiver = new FileReceiver({
    file,
    content,
    sendReceived: FLAVOURS[flavour].receiverSendsReceived,
    ...(range === undefined ? {} : { range }),
  });
  // Jingle signalling, asynchronous like IQs through a server.
  const pumps: { s?: FileSendPump<FileSender>; r?: FileReceivePump<FileReceiver> } = {};
  const deliver =
    (to: () => FileSendPump<FileSender> | FileReceivePump<FileReceiver>) =>
    (s: FileTransferTransmit): void => {
      setImmediate(() => {
        if (s.type === "terminate") to().handleTerminate(s.reason);
        else if (s.type === "session-info") to().handleInfo(parseFileTransferInfo(s.payload)!);
      });
    };
  const spump = new FileSendPump({
    sender,
    channel: a,
    path: source,
    signal: deliver(() => pumps.r!),
    highWaterMark: HIGH_WATER_MARK,
  });
  const rpump = new FileReceivePump({
    receiver,
    channel: b,
    path: target,
    signal: deliver(() => pumps.s!),
  });
  pumps.s = spump;
  pumps.r = rpump;
  await rpump.start();
  if (setup.closeAfter !== undefined) {
    const limit = setup.closeAfter;
    let seen = 0;
    b.on("message", (m) => {
      seen += m.length;
      if (seen >= limit) a.close();
    });
  }
  const [sent, received] = await Promise.all([spump.run(range), rpump.result]);
  return { sent, received, wire: a, target };
}

describe("file transfer through Node streams over a data channel", () => {
  for (const size of [0, 1, 4096, 10 * 1024 * 1024]) {
    it(`sends ${size} bytes Conversations-style: ≤ 4096-byte messages, verified, renamed, bufferedAmount under the high-water mark`, async () => {
      const data = content32(size);
      const r = await run(`conv-${size}`, data, "conversations");
      assert.equal(r.received.reason.condition, "success");
      assert.equal(r.received.verified, true);
      assert.equal(r.sent.reason.condition, "success");
      assert.equal(r.received.path, r.target);
      assert.deepEqual(new Uint8Array(await readFile(r.target)), data);
      assert.equal(existsSync(`${r.target}.part`), false);
      assert.ok(r.wire.sizes.every((n) => n <= 4096));
      assert.equal(
        r.wire.sizes.reduce((x, y) => x + y, 0),
        size,
      );
      assert.ok(
        r.wire.maxBuffered <= HIGH_WATER_MARK,
        `bufferedAmount reached ${r.wire.maxBuffered}`,
      );
    });
  }

  it("sends StanzaJS-style in 16 KiB messages and ends on the receiver's terminate alone", async () => {
    const data = content32(1024 * 1024 + 5);
    const r = await run("stanza", data, "stanzajs");
    assert.equal(r.sent.reason.condition, "success");
    assert.equal(r.received.verified, true);
    assert.equal(Math.max(...r.wire.sizes), 16_384);
    assert.deepEqual(new Uint8Array(await readFile(r.target)), data);
  });

  it("detects a corrupted transfer: media-error on both sides, no file kept", async () => {
    const data = content32(100_000);
    const r = await run("corrupt", data, "conversations", {
      tamper: (i, m) => {
        if (i === 3) m[100] = m[100]! ^ 1;
        return m;
      },
    });
    assert.equal(r.received.reason.condition, "media-error");
    assert.equal(r.received.verified, false);
    assert.equal(r.sent.reason.condition, "media-error");
    assert.equal(existsSync(r.target), false);
    assert.equal(existsSync(`${r.target}.part`), false);
  });

  it("resumes with a range from a partial file: only the tail crosses the channel, the whole file verifies", async () => {
    const data = content32(300_000);
    const target = join(dir, "resume.out");
    // An earlier attempt left 120 000 good bytes (and a few more that the range cuts away).
    await writeFile(
      `${target}.part`,
      Buffer.concat([data.subarray(0, 120_000), Buffer.from("junk")]),
    );
    assert.equal(await partialLength(`${target}.part`), 120_004);
    const r = await run("resume", data, "conversations", { offset: 120_000 });
    assert.equal(r.received.reason.condition, "success");
    assert.equal(
      r.wire.sizes.reduce((x, y) => x + y, 0),
      180_000,
    );
    assert.equal(r.received.bytes, 180_000);
    assert.deepEqual(new Uint8Array(await readFile(target)), data);
  });

  it("ends both sides with failed-transport when the channel closes mid-way, keeping the partial file for a resume", async () => {
    const data = content32(2 * 1024 * 1024);
    const r = await run("closed", data, "conversations", { closeAfter: 500_000 });
    assert.equal(r.sent.reason.condition, "failed-transport");
    assert.equal(r.received.reason.condition, "failed-transport");
    assert.equal(existsSync(r.target), false);
    const kept = await partialLength(`${r.target}.part`);
    assert.ok(kept >= 500_000 && kept < data.length, `kept ${kept}`);
  });
});

describe("file-transfer pumps on a stalled or noisy channel", () => {
  it("ends the sender with timeout when the channel never drains (bufferedAmount stays up)", async () => {
    const source = join(dir, "stalled.src");
    await writeFile(source, content32(1024 * 1024));
    const [a] = fakeChannelPair(0); // delivers nothing: bufferedAmount never falls
    const sender = new FileSender({
      file: { size: 1024 * 1024 },
      content,
      chunkSize: 4096,
      idleTimeoutMs: 50,
    });
    const signals: string[] = [];
    const pump = new FileSendPump({
      sender,
      channel: a,
      path: source,
      signal: (s) => signals.push(s.type),
      highWaterMark: 64 * 1024,
    });
    const outcome = await pump.run();
    assert.deepEqual(outcome.reason, { condition: "timeout", text: "the data path stalled" });
    assert.deepEqual(signals, ["terminate"]);
    assert.ok(a.maxBuffered <= 64 * 1024);
  });

  it("drops text messages on the receiving channel and still verifies the file", async () => {
    const data = content32(20_000);
    const target = join(dir, "text.out");
    const [a, b] = fakeChannelPair();
    const file = { size: data.length, hashesUsed: ["sha-1" as const] };
    const receiver = new FileReceiver({ file, content, sendReceived: true });
    const signals: string[] = [];
    const pump = new FileReceivePump({
      receiver,
      channel: b,
      path: target,
      signal: (s) => signals.push(s.type),
    });
    await pump.start();
    a.send("not file bytes");
    a.send(data);
    const sender = new FileSender({ file, content, chunkSize: 4096 });
    sender.begin(0);
    sender.push(0, data);
    for (let t = sender.pollTransmit(); t !== undefined; t = sender.pollTransmit()) {
      if (t.type === "session-info")
        setImmediate(() => pump.handleInfo(parseFileTransferInfo(t.payload)!));
    }
    const result = await pump.result;
    assert.equal(result.reason.condition, "success");
    assert.equal(pump.textMessages, 1);
    assert.deepEqual(signals, ["session-info", "terminate"]);
    assert.deepEqual(new Uint8Array(await readFile(target)), data);
  });
});
