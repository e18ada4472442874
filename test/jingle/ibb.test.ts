import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FileTransferParseError, IbbError } from "../../src/jingle/file-transfer-errors.js";
import {
  NS_IBB,
  buildIbbClose,
  buildIbbData,
  buildIbbOpen,
  nextSeq,
  parseIbb,
} from "../../src/jingle/ibb.js";
import {
  IbbReceiver,
  IbbSender,
  type IbbEvent,
  type IbbTransmit,
} from "../../src/jingle/ibb-session.js";
import {
  NS_JINGLE_IBB,
  acceptIbbTransport,
  buildIbbTransport,
  buildTransportAccept,
  buildTransportReplace,
  parseIbbTransport,
} from "../../src/jingle/ibb-transport.js";
import { NS_JINGLE } from "../../src/jingle/model.js";
import { child } from "../../src/jingle/xml.js";
import { x } from "./support.js";

function refuses(fn: () => unknown, condition: string, type = "cancel"): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof IbbError && e.condition === condition && e.type === type,
  );
}

const drain = <T>(poll: () => T | undefined): T[] => {
  const out: T[] = [];
  for (let v = poll(); v !== undefined; v = poll()) out.push(v);
  return out;
};

describe("XEP-0047 In-Band Bytestreams codec", () => {
  it("builds and parses open, data and close", () => {
    assert.deepEqual(buildIbbOpen("s1", 4096).attrs, {
      xmlns: NS_IBB,
      "block-size": "4096",
      sid: "s1",
      stanza: "iq",
    });
    assert.deepEqual(parseIbb(buildIbbOpen("s1", 4096)), {
      kind: "open",
      sid: "s1",
      blockSize: 4096,
    });
    assert.deepEqual(parseIbb(buildIbbData("s1", 7, new Uint8Array([1, 2, 3])), { blockSize: 3 }), {
      kind: "data",
      sid: "s1",
      seq: 7,
      data: new Uint8Array([1, 2, 3]),
    });
    assert.deepEqual(parseIbb(buildIbbClose("s1")), { kind: "close", sid: "s1" });
    assert.deepEqual(parseIbb(x("open", { xmlns: NS_IBB, sid: "s", "block-size": "1" })), {
      kind: "open",
      sid: "s",
      blockSize: 1,
    });
  });

  it("wraps seq from 65535 to 0 (XEP-0047 §2.2)", () => {
    assert.equal(nextSeq(0), 1);
    assert.equal(nextSeq(65_534), 65_535);
    assert.equal(nextSeq(65_535), 0);
  });

  it("refuses bad block sizes, stanza='message', bad seq, bad base64 and oversized blocks with the right errors", () => {
    refuses(
      () => parseIbb(x("open", { xmlns: NS_IBB, sid: "s", "block-size": "0" })),
      "bad-request",
    );
    refuses(
      () => parseIbb(x("open", { xmlns: NS_IBB, sid: "s", "block-size": "65536" })),
      "bad-request",
    );
    refuses(
      () =>
        parseIbb(x("open", { xmlns: NS_IBB, sid: "s", "block-size": "8192" }), {
          maxBlockSize: 4096,
        }),
      "resource-constraint",
      "modify",
    );
    refuses(
      () => parseIbb(x("open", { xmlns: NS_IBB, sid: "s", "block-size": "10", stanza: "message" })),
      "not-acceptable",
    );
    refuses(() => parseIbb(x("open", { xmlns: NS_IBB, "block-size": "10" })), "bad-request");
    refuses(
      () => parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "65536" }, "AA==")),
      "bad-request",
    );
    refuses(
      () => parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "-1" }, "AA==")),
      "bad-request",
    );
    refuses(
      () => parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "1" }, "A*==")),
      "bad-request",
    );
    refuses(
      () => parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "1" }, "AAAA"), { blockSize: 2 }),
      "bad-request",
    );
    refuses(
      () =>
        parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "1" }, "A".repeat(10_000)), {
          blockSize: 16,
        }),
      "bad-request",
    );
    refuses(
      () => parseIbb(x("data", { xmlns: NS_IBB, sid: "s", seq: "1" }, x("nested", {}))),
      "bad-request",
    );
    refuses(() => parseIbb(x("frob", { xmlns: NS_IBB, sid: "s" })), "feature-not-implemented");
    refuses(
      () => parseIbb(x("open", { xmlns: "urn:other", sid: "s", "block-size": "1" })),
      "bad-request",
    );
  });
});

describe("XEP-0047 IBB sessions", () => {
  it("a sender opens, sends blocks with seq, waits for each acknowledgement, and closes into a receiver", () => {
    const s = new IbbSender({ sid: "s1", blockSize: 4 });
    const r = new IbbReceiver({ sid: "s1" });
    s.open(0);
    const received: number[] = [];
    const pump = (): void => {
      for (const t of drain<IbbTransmit>(() => s.pollTransmit())) {
        const reply = r.handleIq(t.payload);
        assert.ok(reply.ok);
        s.handleResult(1, t.tag);
        pump();
      }
    };
    pump();
    assert.deepEqual(
      drain<IbbEvent>(() => s.pollEvent()),
      [{ type: "open", blockSize: 4 }],
    );
    s.bufferedAmountLowThreshold = 0;
    s.send(1, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert.equal(s.bufferedAmount, 10);
    const first = s.pollTransmit()!;
    assert.equal(s.pollTransmit(), undefined, "window 1: one data IQ in flight");
    assert.equal(first.payload.attrs["seq"], "0");
    assert.ok(r.handleIq(first.payload).ok);
    s.handleResult(1, first.tag);
    pump();
    assert.equal(s.bufferedAmount, 0);
    s.close(2);
    pump();
    for (const e of drain<IbbEvent>(() => r.pollEvent()))
      if (e.type === "data") received.push(...e.data);
    assert.deepEqual(received, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(r.closed, true);
    assert.deepEqual(
      drain<IbbEvent>(() => s.pollEvent()),
      [{ type: "bufferedamountlow" }, { type: "closed" }],
    );
  });

  it("a receiver closes the stream on an out-of-order seq with unexpected-request", () => {
    const r = new IbbReceiver({ sid: "s" });
    assert.ok(r.handleIq(buildIbbOpen("s", 16)).ok);
    assert.ok(r.handleIq(buildIbbData("s", 0, new Uint8Array(1))).ok);
    const reply = r.handleIq(buildIbbData("s", 2, new Uint8Array(1)));
    assert.ok(!reply.ok && reply.error.condition === "unexpected-request");
    assert.equal(r.closed, true);
    const events = drain<IbbEvent>(() => r.pollEvent());
    assert.equal(events.at(-1)?.type, "closed");
  });

  it("a receiver takes seq 65535 then 0", () => {
    const r = new IbbReceiver({ sid: "s" });
    r.handleIq(buildIbbOpen("s", 1));
    for (let i = 0; i <= 65_535; i++)
      assert.ok(r.handleIq(buildIbbData("s", i, new Uint8Array(1))).ok);
    assert.ok(r.handleIq(buildIbbData("s", 0, new Uint8Array(1))).ok);
    assert.equal(r.bytes, 65_537);
  });

  it("a receiver answers unknown sids with item-not-found, a second open with not-acceptable, and a too large block by closing", () => {
    const r = new IbbReceiver({ sid: "s", maxBlockSize: 8 });
    const unknown = r.handleIq(buildIbbOpen("other", 8));
    assert.ok(!unknown.ok && unknown.error.condition === "item-not-found");
    const early = r.handleIq(buildIbbData("s", 0, new Uint8Array(1)));
    assert.ok(!early.ok && early.error.condition === "item-not-found");
    assert.ok(r.handleIq(buildIbbOpen("s", 2)).ok);
    const again = r.handleIq(buildIbbOpen("s", 2));
    assert.ok(!again.ok && again.error.condition === "not-acceptable");
    const big = r.handleIq(buildIbbData("s", 0, new Uint8Array(3)));
    assert.ok(!big.ok && big.error.condition === "bad-request");
    assert.equal(r.closed, true);
  });

  it("a sender ends on an IQ error or a missing answer, and refuses to buffer past its cap", () => {
    const s = new IbbSender({ sid: "s", blockSize: 4, iqTimeoutMs: 100, maxBuffered: 8 });
    s.open(0);
    const open = s.pollTransmit()!;
    assert.equal(s.pollTimeout(), 100);
    s.handleResult(1, open.tag);
    assert.throws(() => s.send(1, new Uint8Array(9)), /buffer full/);
    s.send(1, new Uint8Array(8));
    const data = s.pollTransmit()!;
    s.handleError(2, data.tag, "item-not-found");
    const closed = drain<IbbEvent>(() => s.pollEvent()).at(-1);
    assert.ok(closed?.type === "closed" && closed.error?.condition === "item-not-found");
    const t = new IbbSender({ sid: "s", blockSize: 4, iqTimeoutMs: 100 });
    t.open(0);
    t.handleTimeout(99);
    assert.equal(drain<IbbEvent>(() => t.pollEvent()).length, 0);
    t.handleTimeout(100);
    assert.equal(drain<IbbEvent>(() => t.pollEvent()).at(-1)?.type, "closed");
    assert.throws(() => new IbbSender({ sid: "s", blockSize: 70_000 }), RangeError);
  });
});

describe("XEP-0261 Jingle IBB transport", () => {
  it("parses and builds the transport, and the responder never raises the block-size", () => {
    const t = buildIbbTransport({ sid: "ch3d9s71", blockSize: 4096 });
    assert.deepEqual(t.attrs, { xmlns: NS_JINGLE_IBB, "block-size": "4096", sid: "ch3d9s71" });
    assert.deepEqual(parseIbbTransport(t), { sid: "ch3d9s71", blockSize: 4096 });
    assert.deepEqual(acceptIbbTransport({ sid: "a", blockSize: 8192 }, 4096), {
      sid: "a",
      blockSize: 4096,
    });
    assert.deepEqual(acceptIbbTransport({ sid: "a", blockSize: 2048 }, 4096), {
      sid: "a",
      blockSize: 2048,
    });
  });

  it("refuses a transport without sid or with a bad block-size with failed-transport", () => {
    for (const attrs of [
      { "block-size": "4096" },
      { sid: "a", "block-size": "0" },
      { sid: "a", "block-size": "x" },
      { sid: "a" },
    ]) {
      assert.throws(
        () => parseIbbTransport(x("transport", { xmlns: NS_JINGLE_IBB, ...attrs })),
        (e: unknown) => e instanceof FileTransferParseError && e.condition === "failed-transport",
      );
    }
  });

  it("builds transport-replace and transport-accept for the fallback", () => {
    const content = { creator: "initiator", name: "a-file-offer" } as const;
    const replace = buildTransportReplace("sess", content, { sid: "ibb1", blockSize: 4096 });
    assert.deepEqual(replace.attrs, { xmlns: NS_JINGLE, action: "transport-replace", sid: "sess" });
    const c = child(replace, "content")!;
    assert.deepEqual(c.attrs, content);
    assert.deepEqual(parseIbbTransport(child(c, "transport", NS_JINGLE_IBB, NS_JINGLE)!), {
      sid: "ibb1",
      blockSize: 4096,
    });
    assert.equal(
      buildTransportAccept("sess", content, { sid: "ibb1", blockSize: 2048 }).attrs["action"],
      "transport-accept",
    );
  });
});
