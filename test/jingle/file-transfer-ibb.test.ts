import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FileTransferParseError, IbbError } from "../../src/jingle/file-transfer-errors.js";
import { chunkSizeFor, FLAVOURS } from "../../src/jingle/file-transfer-flavour.js";
import { NS_HASHES } from "../../src/jingle/file-transfer-hash.js";
import { parseFileTransferInfo } from "../../src/jingle/file-transfer-info.js";
import { FileReceiver } from "../../src/jingle/file-transfer-receiver.js";
import { FileSender } from "../../src/jingle/file-transfer-sender.js";
import { NS_FILE_TRANSFER, parseFileTransferDescription } from "../../src/jingle/file-transfer.js";
import { NS_IBB, parseIbb } from "../../src/jingle/ibb.js";
import { IbbReceiver, IbbSender } from "../../src/jingle/ibb-session.js";
import { acceptIbbTransport } from "../../src/jingle/ibb-transport.js";
import type { XmlElement } from "../../src/jingle/xml.js";

const content = { creator: "initiator", name: "f" } as const;

describe("XEP-0234 over In-Band Bytestreams (the fallback path, sans-IO end to end)", () => {
  it("moves a file through FileSender → IbbSender → IbbReceiver → FileReceiver and verifies it", () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
    const transport = acceptIbbTransport({ sid: "ibb-1", blockSize: 8192 }, 4096);
    const file = { name: "f", size: data.length, hashesUsed: ["sha-1" as const] };
    const sender = new FileSender({
      file,
      content,
      chunkSize: chunkSizeFor("ibb", transport.blockSize),
    });
    const receiver = new FileReceiver({
      file,
      content,
      sendReceived: FLAVOURS.ibb.receiverSendsReceived,
    });
    const ibbOut = new IbbSender({ ...transport, window: 4 });
    const ibbIn = new IbbReceiver({ sid: transport.sid, maxBlockSize: 4096 });
    let iqs = 0;
    const pumpIbb = (): void => {
      for (let t = ibbOut.pollTransmit(); t !== undefined; t = ibbOut.pollTransmit()) {
        iqs++;
        const reply = ibbIn.handleIq(t.payload);
        assert.ok(reply.ok);
        for (let e = ibbIn.pollEvent(); e !== undefined; e = ibbIn.pollEvent()) {
          if (e.type === "data") receiver.handleData(0, e.data);
        }
        ibbOut.handleResult(0, t.tag);
      }
    };
    ibbOut.open(0);
    pumpIbb();
    sender.begin(0);
    receiver.begin(0);
    sender.push(0, data);
    const signals = [];
    for (let t = sender.pollTransmit(); t !== undefined; t = sender.pollTransmit()) {
      if (t.type === "message") {
        ibbOut.send(0, t.data);
        pumpIbb();
      } else signals.push(t);
    }
    for (const s of signals)
      if (s.type === "session-info") receiver.handleInfo(0, parseFileTransferInfo(s.payload)!);
    const finished = [];
    for (let e = receiver.pollEvent(); e !== undefined; e = receiver.pollEvent())
      if (e.type === "finished") finished.push(e);
    assert.deepEqual(finished, [
      {
        type: "finished",
        outcome: { reason: { condition: "success" }, bytes: 70_000, verified: true },
      },
    ]);
    // 1 open + ceil(70 000 / 4096) = 18 data IQs.
    assert.equal(iqs, 1 + 18);
  });
});

/** Arbitrary element trees with names and attributes from the file-transfer vocabulary. */
const names = [
  "description",
  "file",
  "name",
  "size",
  "date",
  "media-type",
  "mediaType",
  "desc",
  "range",
  "hash",
  "hash-used",
  "checksum",
  "received",
  "open",
  "data",
  "close",
  "x",
];
const values = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "0",
    "1",
    "-1",
    "65535",
    "65536",
    "AAAA",
    "sha-1",
    "sha-256",
    "initiator",
    "9007199254740993",
  ),
);
const namespaces = fc.constantFrom(undefined, NS_FILE_TRANSFER, NS_HASHES, NS_IBB, "urn:other");
const element: fc.Arbitrary<XmlElement> = fc.letrec<{ el: XmlElement }>((tie) => ({
  el: fc.record({
    name: fc.constantFrom(...names),
    attrs: fc.record(
      {
        xmlns: namespaces,
        algo: values,
        offset: values,
        length: values,
        sid: values,
        seq: values,
        "block-size": values,
        creator: values,
        name: values,
      },
      { requiredKeys: [] },
    ),
    children: fc.array(fc.oneof({ depthSize: "small" }, values, tie("el")), { maxLength: 4 }),
  }) as fc.Arbitrary<XmlElement>,
})).el;

describe("hostile file-transfer and IBB input", () => {
  it("never throws anything but the named error classes", () => {
    fc.assert(
      fc.property(element, (e) => {
        const attempts: (() => unknown)[] = [
          () =>
            parseFileTransferDescription({
              ...e,
              name: "description",
              attrs: { ...e.attrs, xmlns: NS_FILE_TRANSFER },
            }),
          () => parseFileTransferInfo(e, NS_FILE_TRANSFER),
          () => parseIbb(e, { blockSize: 16 }),
        ];
        for (const attempt of attempts) {
          try {
            attempt();
          } catch (error) {
            assert.ok(
              error instanceof FileTransferParseError || error instanceof IbbError,
              String(error),
            );
          }
        }
        const r = new IbbReceiver({ sid: "s" });
        r.handleIq(e);
      }),
      { seed: 12_345, numRuns: 2000 },
    );
  });
});
