import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StunMethod, encodeStunMessage } from "../../src/stun/index.js";
import { PEER, checkFromPeer, succeed, testParts, v4, withPairs } from "./parts.js";

describe("Inbound", () => {
  it("tells ICE's STUN from data, and data from validated sources from the rest", () => {
    const p = testParts({ role: "controlled" });
    const [pair] = withPairs(p, [PEER]);
    const socket = p.registry.sockets[0]!;
    const check = encodeStunMessage(
      {
        class: "request",
        method: StunMethod.Binding,
        transactionId: checkFromPeer(p).transactionId,
        attributes: [],
      },
      { fingerprint: true },
    );
    assert.equal(p.inbound.receive(0, socket, PEER, check), "stun", "answered, with a 400");
    assert.equal(p.inbound.receive(0, socket, PEER, Uint8Array.of(0x80, 1)), "dropped");
    succeed(p, pair!);
    assert.equal(p.inbound.receive(0, socket, PEER, Uint8Array.of(0x80, 1)), "data");
    assert.deepEqual(p.counters.snapshot().dropped, { "bad-request": 1, "unvalidated-source": 1 });
  });

  it("leaves STUN of other methods to the caller and drops malformed STUN", () => {
    const p = testParts();
    withPairs(p, []);
    const socket = p.registry.sockets[0]!;
    const allocate = encodeStunMessage(
      {
        class: "request",
        method: StunMethod.Allocate,
        transactionId: new Uint8Array(12),
        attributes: [],
      },
      { fingerprint: true },
    );
    assert.equal(p.inbound.receive(0, socket, PEER, allocate), "foreign");
    // A well-framed Binding success whose XOR-MAPPED-ADDRESS has family 7: STUN, but no message.
    const malformed = Uint8Array.of(
      ...[0x01, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, ...new Uint8Array(12)],
      ...[0x00, 0x20, 0x00, 0x04, 0x00, 0x07, 0x00, 0x00],
    );
    assert.equal(p.inbound.receive(0, socket, PEER, malformed), "dropped");
    assert.deepEqual(p.counters.snapshot().dropped, { "malformed-stun": 1 });
  });

  it("with the relay-only policy drops whatever reaches a host socket", () => {
    const p = testParts({ relayOnly: true });
    p.registry.addHost(1, v4("192.0.2.1", 1000));
    const socket = p.registry.sockets[0]!;
    assert.equal(p.inbound.receive(0, socket, PEER, Uint8Array.of(0x80)), "dropped");
    assert.deepEqual(p.counters.snapshot().dropped, { "relay-only": 1 });
  });
});
