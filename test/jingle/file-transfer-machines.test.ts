import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  parseFileTransferInfo,
  type FileTransferInfo,
} from "../../src/jingle/file-transfer-info.js";
import { FileReceiver, type FileReceiverOptions } from "../../src/jingle/file-transfer-receiver.js";
import { FileSender, type FileSenderOptions } from "../../src/jingle/file-transfer-sender.js";
import type {
  FileTransferEvent,
  FileTransferTransmit,
} from "../../src/jingle/file-transfer-session.js";
import type { SansIo } from "../../src/common/sans-io.js";

const content = { creator: "initiator", name: "f" } as const;
const bytes = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const sha = (algo: string, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(algo).update(data).digest());

function drain(m: SansIo<FileTransferTransmit, FileTransferEvent>): {
  transmits: FileTransferTransmit[];
  events: FileTransferEvent[];
} {
  const transmits: FileTransferTransmit[] = [];
  const events: FileTransferEvent[] = [];
  for (let t = m.pollTransmit(); t !== undefined; t = m.pollTransmit()) transmits.push(t);
  for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) events.push(e);
  return { transmits, events };
}

function sender(data: Uint8Array, extra: Partial<FileSenderOptions> = {}): FileSender {
  return new FileSender({
    file: { name: "f", size: data.length },
    content,
    chunkSize: 4096,
    ...extra,
  });
}

function receiver(size: number, extra: Partial<FileReceiverOptions> = {}): FileReceiver {
  return new FileReceiver({ file: { name: "f", size }, content, sendReceived: true, ...extra });
}

/** Runs a sender into a receiver, message by message and payload by payload. */
function transfer(
  data: Uint8Array,
  s: FileSender,
  r: FileReceiver,
  corrupt = -1,
): { s: FileTransferEvent[]; r: FileTransferEvent[]; messages: number[] } {
  const messages: number[] = [];
  const sEvents: FileTransferEvent[] = [];
  const rEvents: FileTransferEvent[] = [];
  const info = (payload: FileTransferTransmit): FileTransferInfo => {
    assert.equal(payload.type, "session-info");
    if (payload.type !== "session-info") throw new Error("not a session-info");
    return parseFileTransferInfo(payload.payload)!;
  };
  s.begin(0, r.offset === 0 ? undefined : { offset: r.offset });
  r.begin(0);
  s.push(0, data.subarray(s.readOffset));
  s.finish(0);
  const out = drain(s);
  sEvents.push(...out.events);
  for (const t of out.transmits) {
    if (t.type === "message") {
      messages.push(t.data.length);
      const copy = Uint8Array.from(t.data);
      if (messages.length === 1 && corrupt >= 0) copy[corrupt] = copy[corrupt]! ^ 0xff;
      r.handleData(1, copy);
    } else if (t.type === "session-info") r.handleInfo(1, info(t));
  }
  const back = drain(r);
  rEvents.push(...back.events);
  for (const t of back.transmits) {
    if (t.type === "session-info") s.handleInfo(2, info(t));
    if (t.type === "terminate") s.handleTerminate(2, t.reason);
  }
  sEvents.push(...drain(s).events);
  return { s: sEvents, r: rEvents, messages };
}

const finished = (events: FileTransferEvent[]) => events.find((e) => e.type === "finished");

describe("the XEP-0234 sender and receiver machines", () => {
  for (const size of [0, 1, 4096, 100_000]) {
    it(`moves ${size} bytes in ≤ 4096-byte messages and both sides end with success`, () => {
      const data = bytes(size);
      const r = receiver(size);
      const run = transfer(data, sender(data), r);
      assert.ok(run.messages.every((n) => n > 0 && n <= 4096));
      assert.equal(
        run.messages.reduce((a, b) => a + b, 0),
        size,
      );
      assert.deepEqual(finished(run.r), {
        type: "finished",
        outcome: { reason: { condition: "success" }, bytes: size, verified: true },
      });
      assert.equal(
        finished(run.s)?.type === "finished" && finished(run.s)?.outcome.reason.condition,
        "success",
      );
    });
  }

  it("writes 16 KiB messages for StanzaJS and its receiver sends no <received/>", () => {
    const data = bytes(40_000);
    const s = sender(data, { chunkSize: 16_384 });
    s.begin(0);
    s.push(0, data);
    const out = drain(s).transmits;
    assert.deepEqual(
      out.filter((t) => t.type === "message").map((t) => (t as { data: Uint8Array }).data.length),
      [16_384, 16_384, 7232],
    );
    const r = receiver(40_000, {
      sendReceived: false,
      file: { size: 40_000, hashesUsed: ["sha-1"] },
    });
    r.begin(0);
    for (const t of out) {
      if (t.type === "message") r.handleData(0, t.data);
      else if (t.type === "session-info") r.handleInfo(0, parseFileTransferInfo(t.payload)!);
    }
    assert.deepEqual(
      drain(r).transmits.filter((t) => t.type !== "write"),
      [{ type: "terminate", reason: { condition: "success" } }],
    );
  });

  it("a Conversations-style <received/> makes the sender terminate with success", () => {
    const data = bytes(10);
    const s = sender(data);
    s.begin(0);
    s.push(0, data);
    const sent = drain(s).transmits;
    assert.equal(sent.at(-1)?.type, "session-info");
    s.handleInfo(5, { kind: "received", content });
    assert.deepEqual(drain(s).transmits, [{ type: "terminate", reason: { condition: "success" } }]);
    assert.equal(s.finished, true);
  });

  it("detects a corrupted byte: media-error on the receiver, and the sender learns it from the terminate", () => {
    const data = bytes(10_000);
    const run = transfer(data, sender(data), receiver(10_000), 17);
    const r = finished(run.r);
    assert.ok(
      r?.type === "finished" && r.outcome.reason.condition === "media-error" && !r.outcome.verified,
    );
    const s = finished(run.s);
    assert.ok(s?.type === "finished" && s.outcome.reason.condition === "media-error");
  });

  it("verifies against a hash in the offer before any checksum arrives", () => {
    const data = bytes(5000);
    const r = receiver(5000, {
      file: { size: 5000, hashes: [{ algo: "sha-256", value: sha("sha256", data) }] },
    });
    r.begin(0);
    r.handleData(0, data);
    const out = drain(r);
    assert.deepEqual(
      out.transmits.slice(1).map((t) => t.type),
      ["session-info", "terminate"],
    );
  });

  it("resumes with a range: the sender sends only the tail, the checksum covers the whole file", () => {
    const data = bytes(10_000);
    const r = receiver(10_000, { range: { offset: 6000 } });
    r.prime(data.subarray(0, 6000));
    const run = transfer(data, sender(data), r);
    assert.equal(
      run.messages.reduce((a, b) => a + b, 0),
      4000,
    );
    const f = finished(run.r);
    assert.ok(f?.type === "finished" && f.outcome.verified && f.outcome.bytes === 4000);
  });

  it("lets a sender that knows the file's hash start reading at the range", () => {
    const data = bytes(9000);
    const s = sender(data, {
      file: { size: 9000, hashes: [{ algo: "sha-1", value: sha("sha1", data) }] },
    });
    s.begin(0, { offset: 8000 });
    assert.equal(s.readOffset, 8000);
    s.push(0, data.subarray(8000));
    const out = drain(s).transmits;
    assert.equal(out.filter((t) => t.type === "message").length, 1);
    assert.equal(out.at(-1)?.type, "session-info");
  });

  it("ends with media-error when the file shrinks or grows under the sender", () => {
    const short = sender(bytes(100));
    short.begin(0);
    short.push(0, bytes(50));
    short.finish(0);
    assert.equal(drain(short).transmits.at(-1)?.type, "terminate");
    const long = sender(bytes(100));
    long.begin(0);
    long.push(0, bytes(101));
    assert.deepEqual(drain(long).transmits, [
      {
        type: "terminate",
        reason: { condition: "media-error", text: "the file grew beyond the offered size" },
      },
    ]);
  });

  it("refuses more bytes than offered with media-error", () => {
    const r = receiver(10);
    r.begin(0);
    r.handleData(0, bytes(11));
    const out = drain(r);
    assert.deepEqual(out.transmits, [
      { type: "terminate", reason: { condition: "media-error", text: "more bytes than offered" } },
    ]);
  });

  it("fails with media-error when no checksum comes before the deadline, or it uses an algorithm not computed", () => {
    const r = receiver(3, { finishTimeoutMs: 1000 });
    r.begin(0);
    r.handleData(10, bytes(3));
    assert.equal(r.pollTimeout(), 1010);
    r.handleTimeout(1009);
    assert.equal(r.finished, false);
    r.handleTimeout(1010);
    assert.equal(r.finished, true);
    const q = receiver(3, { file: { size: 3, hashesUsed: ["sha-1"] } });
    q.begin(0);
    q.handleData(0, bytes(3));
    q.handleInfo(0, {
      kind: "checksum",
      content,
      hashes: [{ algo: "sha-512", value: sha("sha512", bytes(3)) }],
    });
    const f = drain(q).events.find((e) => e.type === "finished");
    assert.ok(
      f?.type === "finished" && f.outcome.reason.text === "no hash in an algorithm we computed",
    );
  });

  it("times the sender out when the receiver never answers the checksum", () => {
    const s = sender(bytes(1), { finishTimeoutMs: 500 });
    s.begin(100);
    s.push(100, bytes(1));
    assert.equal(s.pollTimeout(), 600);
    drain(s);
    s.handleTimeout(600);
    assert.deepEqual(drain(s).transmits, [
      {
        type: "terminate",
        reason: { condition: "timeout", text: "no answer from the receiver after the checksum" },
      },
    ]);
    assert.equal(s.pollTimeout(), undefined);
  });

  it("treats a sender's early success as a failure, and counts stray input instead of throwing", () => {
    const r = receiver(10);
    r.begin(0);
    r.handleData(0, bytes(5));
    r.handleTerminate(0, { condition: "success" });
    const f = drain(r).events.find((e) => e.type === "finished");
    assert.ok(f?.type === "finished" && f.outcome.reason.condition === "media-error");
    r.handleData(0, bytes(1));
    r.handleInfo(0, { kind: "received", content });
    assert.equal(r.stats.unexpected, 2);
    const s = sender(bytes(10));
    s.begin(0);
    s.handleInfo(0, { kind: "received", content });
    assert.equal(s.stats.unexpected, 1);
  });

  it("throws only for driver mistakes (push before begin, data before priming)", () => {
    assert.throws(() => sender(bytes(1)).push(0, bytes(1)), /before begin/);
    const r = receiver(10, { range: { offset: 4 } });
    assert.throws(() => r.handleData(0, bytes(1)), /primed/);
    assert.throws(() => r.prime(bytes(5)), /prime/);
    assert.throws(() => receiver(10, { range: { offset: 2, length: 3 } }), /end of the file/);
  });
});

describe("idle deadlines while a file moves", () => {
  it("a sender whose data path stalls ends with timeout", () => {
    const s = sender(bytes(10_000), { idleTimeoutMs: 100 });
    s.begin(0);
    s.push(50, bytes(4096));
    assert.equal(s.pollTimeout(), 150);
    drain(s);
    s.handleTimeout(149);
    assert.equal(s.finished, false);
    s.handleTimeout(150);
    assert.deepEqual(drain(s).transmits, [
      { type: "terminate", reason: { condition: "timeout", text: "the data path stalled" } },
    ]);
  });

  it("a receiver that gets no data ends with timeout, and each block moves the deadline", () => {
    const r = receiver(10, { idleTimeoutMs: 100 });
    assert.equal(r.pollTimeout(), undefined);
    r.begin(0);
    assert.equal(r.pollTimeout(), 100);
    r.handleData(80, bytes(5));
    assert.equal(r.pollTimeout(), 180);
    r.handleTimeout(179);
    assert.equal(r.finished, false);
    r.handleTimeout(180);
    assert.deepEqual(drain(r).transmits.at(-1), {
      type: "terminate",
      reason: { condition: "timeout", text: "no data from the sender" },
    });
  });
});
