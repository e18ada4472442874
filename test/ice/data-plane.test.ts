import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PEER, PEER2, succeed, testParts, withPairs } from "./parts.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("DataPlane", () => {
  it("lets data in only from remote addresses a check validated on that socket, and counts it", () => {
    const p = testParts();
    const [pair] = withPairs(p, [PEER, PEER2]);
    const socket = p.registry.sockets[0]!;
    assert.equal(p.dataPlane.receive(socket, PEER, bytes("early")), false);
    succeed(p, pair!);
    assert.equal(p.dataPlane.receive(socket, PEER, bytes("hello")), true);
    assert.equal(p.dataPlane.receive(socket, { ...PEER, port: PEER.port + 1 }, bytes("x")), false);
    assert.equal(p.dataPlane.receive(socket, PEER2, bytes("x")), false);
    assert.deepEqual(
      p.takeEvents().filter((e) => e.type === "data"),
      [{ type: "data", component: 1, data: bytes("hello") }],
    );
    const stats = p.counters.snapshot();
    assert.deepEqual([stats.dataReceived, stats.bytesReceived], [1, 5]);
    assert.deepEqual(stats.dropped, { "unvalidated-source": 3 });
    p.dataPlane.clear();
    assert.equal(p.dataPlane.receive(socket, PEER, bytes("after a restart")), false);
  });

  it("sends over the selected pair, else the best valid one, else the one kept from before a restart", () => {
    const p = testParts();
    const [best, worse] = withPairs(p, [PEER, PEER2]);
    const destination = () => {
      const [t] = p.takeTransmits();
      return t?.type === "datagram" ? t.remote : undefined;
    };
    assert.equal(p.dataPlane.send(0, 1, bytes("x")), false);
    assert.deepEqual(p.counters.snapshot().dropped, { "no-valid-pair": 1 });
    p.components.get(1)!.previous = worse;
    assert.equal(p.dataPlane.send(0, 1, bytes("x")), true);
    assert.deepEqual(destination(), PEER2);
    succeed(p, best!);
    p.dataPlane.send(0, 1, bytes("x"));
    assert.deepEqual(destination(), PEER);
    p.components.get(1)!.selected = worse;
    p.dataPlane.send(0, 1, bytes("x"));
    assert.deepEqual(destination(), PEER2);
    assert.deepEqual([p.counters.values.dataSent, p.counters.values.bytesSent], [3, 3]);
  });

  it("sends nothing on a failed component or one that does not exist", () => {
    const p = testParts();
    const [pair] = withPairs(p, [PEER]);
    succeed(p, pair!);
    assert.equal(p.dataPlane.send(0, 2, bytes("x")), false);
    p.states.set(1, "failed");
    assert.equal(p.dataPlane.send(0, 1, bytes("x")), false);
    assert.equal(p.counters.values.dataSent, 0);
  });
});
