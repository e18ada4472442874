import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { SctpAssociation } from "../../src/node/sctp-association.js";
import type { DataChannel } from "../../src/node/data-channel.js";
import { SctpError } from "../../src/sctp/errors.js";
import { memoryTransportPair } from "../support/memory-transport.js";

/** Two associations over an in-memory transport pair, both established. */
async function connected(loss = 0, options: { rtoMinMs?: number; rtoInitialMs?: number } = {}) {
  const [ta, tb] = memoryTransportPair(loss, 7);
  const a = new SctpAssociation(ta, { role: "client", ...options });
  const b = new SctpAssociation(tb, { role: "server", ...options });
  await Promise.all([once(a, "open"), once(b, "open")]);
  return { a, b, ta, tb };
}

describe("SctpAssociation and DataChannel (Node driver)", () => {
  it("opens a channel, announces it to the peer and carries text and binary both ways", async () => {
    const { a, b } = await connected();
    const channel = a.createDataChannel("chat", { protocol: "xmpp-jingle" });
    assert.equal(channel.readyState, "connecting");
    const opened = once(channel, "open");
    const [remote] = (await once(b, "datachannel")) as [DataChannel];
    await opened;
    assert.equal(channel.readyState, "open");
    assert.deepEqual(
      [
        remote.label,
        remote.protocol,
        remote.id,
        remote.readyState,
        remote.ordered,
        remote.maxRetransmits,
      ],
      ["chat", "xmpp-jingle", 0, "open", true, null],
    );
    const toRemote = once(remote, "message");
    channel.send("ping ✓");
    assert.deepEqual(await toRemote, ["ping ✓"]);
    const back = once(channel, "message");
    remote.send(new Uint8Array([1, 2, 3]));
    assert.deepEqual(await back, [new Uint8Array([1, 2, 3])]);
    assert.equal(a.maxMessageSize, 256 * 1024);
    a.abort();
    b.abort();
  });

  it("fires bufferedamountlow as the queue drains and keeps bufferedAmount under a bound with it", async () => {
    const { a, b } = await connected();
    const channel = a.createDataChannel("bulk");
    channel.bufferedAmountLowThreshold = 256 * 1024;
    let received = 0;
    const total = 4 * 1024 * 1024;
    const done = new Promise<void>((resolve) =>
      b.on("datachannel", (remote) =>
        remote.on("message", (data) => {
          received += (data as Uint8Array).length;
          if (received === total) resolve();
        }),
      ),
    );
    await once(channel, "open");
    let sent = 0;
    let lows = 0;
    let highest = 0;
    const pump = (): void => {
      while (sent < total && channel.bufferedAmount <= 1024 * 1024) {
        channel.send(new Uint8Array(16 * 1024));
        sent += 16 * 1024;
        highest = Math.max(highest, channel.bufferedAmount);
      }
    };
    channel.on("bufferedamountlow", () => {
      lows++;
      pump();
    });
    pump();
    await done;
    assert.ok(lows > 0);
    assert.ok(highest <= 1024 * 1024 + 16 * 1024);
    assert.equal(channel.bufferedAmount, 0);
    a.abort();
    b.abort();
  });

  it("closes a channel on both sides and then the association gracefully", async () => {
    const { a, b } = await connected();
    const channel = a.createDataChannel("bye");
    const [remote] = (await once(b, "datachannel")) as [DataChannel];
    const remoteClosed = once(remote, "close");
    channel.close();
    await Promise.all([once(channel, "close"), remoteClosed]);
    assert.equal(channel.readyState, "closed");
    assert.equal(remote.readyState, "closed");
    assert.throws(
      () => channel.send("late"),
      (e: unknown) => e instanceof SctpError && e.code === "not-open",
    );
    const peerClosed = once(b, "close");
    await a.close();
    assert.deepEqual(await peerClosed, ["shutdown", undefined]);
    assert.equal(a.state, "closed");
  });

  it("delivers everything in order over a transport that loses 5 % of the datagrams", async () => {
    const { a, b, ta } = await connected(0.05, { rtoMinMs: 50, rtoInitialMs: 100 });
    const channel = a.createDataChannel("lossy");
    const got: number[] = [];
    const done = new Promise<void>((resolve) =>
      b.on("datachannel", (remote) =>
        remote.on("message", (data) => {
          got.push((data as Uint8Array)[0]!);
          if (got.length === 200) resolve();
        }),
      ),
    );
    await once(channel, "open");
    for (let i = 0; i < 200; i++) channel.send(new Uint8Array(3000).fill(i));
    await done;
    assert.deepEqual(
      got,
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.ok(ta.lost > 0);
    assert.ok(a.stats().retransmissions > 0);
    a.abort();
    b.abort();
  });

  it("reports the end of the association when the peer aborts, closing its channels", async () => {
    const { a, b } = await connected();
    const channel = a.createDataChannel("doomed");
    await once(channel, "open");
    const closed = once(channel, "close");
    const ended = once(a, "close");
    b.abort("gone");
    assert.deepEqual(await ended, ["peer-abort", "cause 12"]);
    await closed;
  });
});
