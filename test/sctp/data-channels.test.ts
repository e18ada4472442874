import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SctpError } from "../../src/sctp/errors.js";
import { chunksOf } from "./support/associations.js";
import { channelPair, eventsOf } from "./support/channels.js";

describe("data channels over SCTP (RFC 8831, DCEP RFC 8832)", () => {
  it("opens a channel with DATA_CHANNEL_OPEN; the peer sees its label, protocol and reliability", () => {
    const pair = channelPair();
    const created = pair.a.createChannel(pair.clock.now, "ünïcødé 📡", {
      protocol: "xmpp-jingle",
      ordered: false,
      maxRetransmits: 2,
    });
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "channel").length === 1);
    const [announced] = eventsOf(pair, "b", "channel");
    assert.deepEqual(announced?.channel, { ...created, readyState: "open" });
    assert.deepEqual(eventsOf(pair, "a", "open"), [{ type: "open", id: 0 }]);
  });

  it("picks even stream ids on the DTLS client and odd ones on the server (§6)", () => {
    const pair = channelPair();
    const ids = [0, 1, 2].map((i) => pair.a.createChannel(pair.clock.now, `a${i}`).id);
    const peerIds = [0, 1, 2].map((i) => pair.b.createChannel(pair.clock.now, `b${i}`).id);
    pair.drive();
    pair.run(
      () =>
        eventsOf(pair, "a", "channel").length === 3 && eventsOf(pair, "b", "channel").length === 3,
    );
    assert.deepEqual(ids, [0, 2, 4]);
    assert.deepEqual(peerIds, [1, 3, 5]);
    assert.deepEqual(
      eventsOf(pair, "a", "channel").map((e) => e.channel.label),
      ["b0", "b1", "b2"],
    );
  });

  it("carries strings, binary and empty messages of both kinds with their PPIDs (RFC 8831 §6.6)", () => {
    const pair = channelPair();
    const ppids: number[] = [];
    pair.tap = (from, bytes) => {
      for (const c of chunksOf(bytes)) if (from === "a" && c.type === 0) ppids.push(c.ppid);
      return bytes;
    };
    const { id } = pair.a.createChannel(pair.clock.now, "mixed");
    for (const message of ["hello ✓", new Uint8Array([1, 2, 3]), "", new Uint8Array(0)])
      pair.a.send(pair.clock.now, id, message);
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 4);
    assert.deepEqual(
      eventsOf(pair, "b", "message").map((e) => e.data),
      ["hello ✓", new Uint8Array([1, 2, 3]), "", new Uint8Array(0)],
    );
    assert.deepEqual(ppids, [50, 51, 53, 56, 57]);
  });

  it("accepts the deprecated partial PPIDs 52 and 54, joined until the final part", () => {
    const pair = channelPair();
    const { id } = pair.a.createChannel(pair.clock.now, "old");
    pair.a.association.send(pair.clock.now, id, 52, new TextEncoder().encode("split "));
    pair.a.association.send(pair.clock.now, id, 51, new TextEncoder().encode("string"));
    pair.a.association.send(pair.clock.now, id, 54, new Uint8Array([9]));
    pair.a.association.send(pair.clock.now, id, 53, new Uint8Array([8]));
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 2);
    assert.deepEqual(
      eventsOf(pair, "b", "message").map((e) => e.data),
      ["split string", new Uint8Array([9, 8])],
    );
  });

  it("sends ordered until the peer's DATA_CHANNEL_ACK, then as the channel says (§6)", () => {
    const pair = channelPair({ link: { latency: 10 } });
    const unordered: boolean[] = [];
    pair.tap = (from, bytes) => {
      for (const c of chunksOf(bytes))
        if (from === "a" && c.type === 0 && c.ppid !== 50) unordered.push(c.unordered);
      return bytes;
    };
    const { id } = pair.a.createChannel(pair.clock.now, "fast", { ordered: false });
    pair.a.send(pair.clock.now, id, "before the ACK");
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 1);
    pair.run(() => false, 50);
    pair.a.send(pair.clock.now, id, "after the ACK");
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 2);
    assert.deepEqual(unordered, [false, true]);
  });

  it("closes a channel on both sides by resetting its stream both ways, and frees the id (RFC 8831 §6.7)", () => {
    const pair = channelPair({ link: { latency: 5, loss: 0.05 }, seed: 3 });
    const { id } = pair.a.createChannel(pair.clock.now, "short-lived");
    for (let i = 0; i < 20; i++) pair.a.send(pair.clock.now, id, `message ${i}`);
    pair.a.close(pair.clock.now, id);
    pair.drive();
    pair.run(
      () =>
        eventsOf(pair, "a", "closed").length === 1 && eventsOf(pair, "b", "closed").length === 1,
    );
    assert.equal(
      eventsOf(pair, "b", "message").length,
      20,
      "queued messages are sent before the reset",
    );
    assert.deepEqual(eventsOf(pair, "b", "closing"), [{ type: "closing", id }]);
    assert.equal(pair.a.channel(id), undefined);
    assert.equal(pair.a.createChannel(pair.clock.now, "again").id, id);
    assert.throws(
      () => pair.b.send(pair.clock.now, id, "late"),
      (e: unknown) => e instanceof SctpError && e.code === "not-open",
    );
  });

  it("opens negotiated channels on both sides without DCEP", () => {
    const pair = channelPair();
    const dcep: number[] = [];
    pair.tap = (from, bytes) => {
      for (const c of chunksOf(bytes)) if (c.type === 0 && c.ppid === 50) dcep.push(c.tsn);
      return bytes;
    };
    pair.a.createChannel(pair.clock.now, "agreed", { negotiated: true, id: 7 });
    pair.b.createChannel(pair.clock.now, "agreed", { negotiated: true, id: 7 });
    pair.a.send(pair.clock.now, 7, "over the agreed stream");
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 1);
    assert.deepEqual(dcep, []);
    assert.deepEqual(eventsOf(pair, "b", "channel"), []);
    assert.throws(() => pair.a.createChannel(pair.clock.now, "x", { negotiated: true }), SctpError);
    assert.throws(
      () => pair.a.createChannel(pair.clock.now, "x", { id: 7 }),
      (e: unknown) => e instanceof SctpError && e.code === "stream-in-use",
    );
    assert.throws(
      () => pair.a.createChannel(pair.clock.now, "x", { maxRetransmits: 1, maxPacketLifeTime: 1 }),
      SctpError,
    );
  });

  it("opens channels created before the association is up once it is", () => {
    const pair = channelPair({ connect: false });
    const { id } = pair.a.createChannel(0, "early");
    assert.equal(pair.a.channel(id)?.readyState, "connecting");
    assert.throws(() => pair.a.send(0, id, "too early"), SctpError);
    pair.a.connect(0);
    pair.b.connect(0);
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "channel").length === 1);
    assert.equal(pair.a.channel(id)?.readyState, "open");
  });

  it("reports bufferedAmount falling to the low threshold once (W3C bufferedamountlow)", () => {
    const pair = channelPair({ link: { latency: 20 } });
    const { id } = pair.a.createChannel(pair.clock.now, "bulk");
    pair.a.setBufferedAmountLowThreshold(id, 32 * 1024);
    for (let i = 0; i < 16; i++) pair.a.send(pair.clock.now, id, new Uint8Array(16 * 1024));
    assert.ok(pair.a.bufferedAmount(id) > 200_000);
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "message").length === 16);
    assert.deepEqual(eventsOf(pair, "a", "buffered-amount-low"), [
      { type: "buffered-amount-low", id },
    ]);
    assert.equal(pair.a.bufferedAmount(id), 0);
  });

  it("counts messages on streams without a channel and malformed DCEP messages", () => {
    const pair = channelPair();
    pair.a.association.send(pair.clock.now, 9, 51, new TextEncoder().encode("nobody listens"));
    pair.a.association.send(pair.clock.now, 11, 50, new Uint8Array([3, 0]));
    pair.a.association.send(pair.clock.now, 13, 99, new Uint8Array([1]));
    pair.drive();
    pair.run(() => false, 200);
    const stats = pair.b.stats();
    assert.deepEqual(
      { noChannel: stats.droppedNoChannel, dcep: stats.droppedDcep },
      { noChannel: 2, dcep: 1 },
    );
  });

  it("closes every channel when the association ends", () => {
    const pair = channelPair();
    pair.a.createChannel(pair.clock.now, "one");
    pair.a.createChannel(pair.clock.now, "two");
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "channel").length === 2);
    pair.a.abort(pair.clock.now, "done");
    pair.drive();
    pair.run(() => eventsOf(pair, "b", "association-closed").length === 1);
    assert.deepEqual(
      eventsOf(pair, "b", "closed").map((e) => e.id),
      [0, 2],
    );
    assert.deepEqual(eventsOf(pair, "b", "association-closed"), [
      { type: "association-closed", reason: "peer-abort", detail: "cause 12" },
    ]);
  });

  it("drops a DATA_CHANNEL_OPEN that arrives once it is shutting down, instead of answering it (RFC 9260 §9.2)", () => {
    const pair = channelPair();
    pair.a.createChannel(pair.clock.now, "late");
    pair.b.shutdown(pair.clock.now);
    pair.drive();
    pair.run(() => pair.a.association.state === "closed" && pair.b.association.state === "closed");
    assert.equal(pair.b.association.state, "closed");
    assert.deepEqual(eventsOf(pair, "b", "channel"), []);
    assert.equal(pair.b.stats().droppedDcep, 1);
    assert.deepEqual(
      eventsOf(pair, "a", "closed").map((e) => e.id),
      [0],
      "the opener's channel closes with the association",
    );
  });
});
