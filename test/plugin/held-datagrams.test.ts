import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import type { DatagramChannel } from "../../src/node/datagram-channel.js";
import { HeldDatagrams, MAX_HELD_DATAGRAMS } from "../../src/plugin/held-datagrams.js";

/** A stand-in ICE channel: emits what the test tells it to. */
function channel() {
  return new EventEmitter() as EventEmitter & DatagramChannel;
}

describe("HeldDatagrams", () => {
  it("hands what arrived before anyone listened to the first listener, then passes datagrams through", async () => {
    const ice = channel();
    const held = new HeldDatagrams(ice);
    ice.emit("message", new Uint8Array([1]));
    ice.emit("message", new Uint8Array([2]));
    const got: number[] = [];
    held.on("message", (data) => got.push(data[0]!));
    assert.deepEqual(got, [], "released after the listener's caller finished");
    await Promise.resolve();
    ice.emit("message", new Uint8Array([3]));
    assert.deepEqual(got, [1, 2, 3]);
  });

  it(`holds at most ${MAX_HELD_DATAGRAMS} datagrams and counts the rest`, async () => {
    const ice = channel();
    const held = new HeldDatagrams(ice);
    for (let i = 0; i < MAX_HELD_DATAGRAMS + 5; i++) ice.emit("message", new Uint8Array([i]));
    let count = 0;
    held.on("message", () => count++);
    await Promise.resolve();
    assert.equal(count, MAX_HELD_DATAGRAMS);
    assert.equal(held.dropped, 5);
  });

  it("passes the channel's close on", () => {
    const ice = channel();
    const held = new HeldDatagrams(ice);
    let closed = false;
    held.on("close", () => (closed = true));
    ice.emit("close");
    assert.equal(closed, true);
  });
});
