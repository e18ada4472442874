import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodePacket, sealPacket } from "../../src/sctp/packet.js";
import { readU32 } from "../../src/common/bytes.js";
import { associationPair, chunksOf, connectBoth } from "./support/associations.js";

describe("SCTP association handshake (RFC 9260 §5)", () => {
  it("establishes when both sides send INIT at once, the WebRTC case (INIT collision, §5.2.1)", () => {
    const pair = associationPair();
    connectBoth(pair);
    // INIT, INIT ACK, COOKIE ECHO, COOKIE ACK each way; the second COOKIE ACK finds us established.
    assert.equal(pair.clock.now, 30);
    pair.run(() => false, 100); // the COOKIE ACKs land at 40 ms
    for (const side of [pair.a, pair.b]) {
      const stats = side.stats();
      assert.equal(stats.packetsSent, 4);
      assert.equal(stats.packetsReceived, 4);
      assert.equal(stats.droppedUnexpected, 1);
    }
    assert.deepEqual(
      pair.events.a.map((e) => e.type),
      ["state", "state", "state", "established"],
    );
  });

  it("establishes in two round trips when only one side connects", () => {
    const pair = associationPair();
    pair.a.connect(0);
    pair.drive();
    pair.run(() => pair.a.state === "established" && pair.b.state === "established");
    assert.equal(pair.clock.now, 40);
    assert.equal(pair.b.stats().packetsSent, 2); // INIT ACK, COOKIE ACK: nothing kept before the cookie
    assert.equal(pair.a.outboundStreams, 65535);
    assert.equal(pair.a.partialReliability, true);
  });

  it("keeps no state for an INIT: a passive side stays closed until a valid COOKIE ECHO", () => {
    const pair = associationPair();
    pair.tap = (from, bytes) =>
      from === "a" && chunksOf(bytes)[0]?.type === 10 ? undefined : bytes;
    pair.a.connect(0);
    pair.drive();
    pair.run(() => false, 500);
    assert.equal(pair.b.state, "closed");
    assert.equal(pair.a.state, "cookie-echoed");
  });

  it("resends INIT with a doubling RTO and gives up after Max.Init.Retransmits (§5.1, §6.3.3)", () => {
    const pair = associationPair({ link: { loss: 1 } });
    pair.a.connect(0);
    pair.drive();
    pair.run(() => pair.a.state === "closed");
    // RTO 1 s doubling to RTO.Max 60 s: sends at 0, 1, 3, 7, 15, 31, 63, 123, 183 s; gives up at 243 s.
    assert.equal(pair.clock.now, 243_000);
    assert.equal(pair.link.a.sent, 9);
    assert.deepEqual(pair.events.a.at(-1), {
      type: "closed",
      reason: "timeout",
      detail: "INIT unanswered",
    });
  });

  it("refuses a COOKIE ECHO whose cookie was tampered with, and counts it", () => {
    const pair = associationPair();
    pair.tap = (from, bytes) => {
      if (from !== "a" || chunksOf(bytes)[0]?.type !== 10) return bytes;
      const copy = bytes.slice();
      copy[20]! ^= 0x01; // inside the cookie (after the 12-byte header and 4-byte chunk header)
      sealPacket(copy);
      return copy;
    };
    pair.a.connect(0);
    pair.drive();
    pair.run(() => pair.a.state === "closed");
    assert.equal(pair.b.state, "closed");
    assert.equal(pair.b.stats().droppedCookie, 9); // the COOKIE ECHO and its 8 retransmissions
    assert.deepEqual(pair.events.a.at(-1), {
      type: "closed",
      reason: "timeout",
      detail: "COOKIE ECHO unanswered",
    });
  });

  it("answers a COOKIE ECHO older than Valid.Cookie.Life with a Stale Cookie error (§5.2.6)", () => {
    const pair = associationPair({ b: { cookieLifetimeMs: 60_000 } });
    let echo: Uint8Array | undefined;
    pair.tap = (from, bytes) => {
      if (from === "a" && chunksOf(bytes)[0]?.type === 10) {
        echo ??= bytes;
        return undefined;
      }
      return bytes;
    };
    pair.a.connect(0);
    pair.drive();
    pair.run(() => false, 61_000);
    assert.ok(echo !== undefined);
    pair.b.handlePacket(pair.clock.now, echo);
    const reply = pair.b.pollTransmit();
    assert.ok(reply !== undefined);
    const [error] = chunksOf(reply);
    assert.equal(error?.type, 9);
    assert.equal(error.type === 9 ? error.causes[0]?.type : undefined, 3);
    const staleness = error.type === 9 ? readU32(error.causes[0]!.value, 0) : 0;
    assert.ok(staleness > 0 && staleness < 1_000_000, `staleness ${staleness} µs`);
    assert.equal(pair.b.stats().droppedCookie, 1);
    assert.equal(pair.b.state, "closed");
  });

  it("drops a duplicate INIT once established instead of restarting (restart is not supported)", () => {
    const pair = associationPair();
    connectBoth(pair);
    const init = encodePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: 0 }, [
      {
        type: 1,
        initiateTag: 77,
        aRwnd: 100_000,
        outboundStreams: 10,
        inboundStreams: 10,
        initialTsn: 5,
        params: [],
      },
    ]);
    const before = pair.b.stats().droppedUnexpected;
    pair.b.handlePacket(pair.clock.now, init);
    assert.equal(pair.b.stats().droppedUnexpected, before + 1);
    assert.equal(pair.b.pollTransmit(), undefined);
    assert.equal(pair.b.state, "established");
  });
});
