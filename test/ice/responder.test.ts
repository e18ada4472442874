import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { PEER, checkFromPeer, succeed, testParts, withPairs } from "./parts.js";

function setup(role: "controlling" | "controlled" = "controlled") {
  const p = testParts({ role });
  withPairs(p, []);
  return { p, socket: p.registry.sockets[0]! };
}

const replies = (p: ReturnType<typeof testParts>) =>
  p.takeTransmits().map((t) => {
    assert.ok(t.type === "datagram");
    const message = decodeStunMessage(t.data);
    return message.class === "success"
      ? `success to ${t.remote.port}`
      : `${getAttribute(message, "ERROR-CODE")?.code} to ${t.remote.port}`;
  });

describe("CheckResponder", () => {
  it("answers a check at once, learns the peer-reflexive candidate and triggers a check on its pair", () => {
    const { p, socket } = setup();
    p.identity.setRemote("peer", "remote-password-0123456789");
    p.responder.handleRequest(0, socket, PEER, checkFromPeer(p));
    assert.deepEqual(replies(p), [`success to ${PEER.port}`]);
    assert.deepEqual(
      p.registry.remotes.map((r) => [r.type, r.address]),
      [["prflx", PEER]],
    );
    assert.equal(p.checklist.next(), p.checklist.pairs[0], "the triggered check comes first");
    assert.equal(p.states.of(1), "checking");
    assert.deepEqual([p.counters.values.checksReceived, p.counters.values.responsesSent], [1, 1]);
  });

  it("holds checks that arrive before the peer's credentials (answered all the same) and takes them when they come", () => {
    const { p, socket } = setup();
    p.responder.handleRequest(0, socket, PEER, checkFromPeer(p));
    assert.deepEqual(replies(p), [`success to ${PEER.port}`]);
    assert.equal(p.responder.earlyChecks, 1);
    assert.equal(p.registry.remotes.length, 0);
    p.identity.setRemote("peer", "remote-password-0123456789");
    p.responder.acceptEarly(20);
    assert.equal(p.responder.earlyChecks, 0);
    assert.equal(p.registry.remotes.length, 1);
  });

  it("refuses a check signed with another password with 401 and counts it", () => {
    const { p, socket } = setup();
    const check = checkFromPeer(p);
    p.identity.renewLocal();
    p.responder.handleRequest(0, socket, PEER, check);
    assert.deepEqual(replies(p), [`401 to ${PEER.port}`]);
    assert.deepEqual(p.counters.snapshot().dropped, { "bad-credentials": 1 });
    assert.equal(p.responder.earlyChecks, 0);
  });

  it("as the controlled agent selects a pair that already works when the peer nominates it", () => {
    const { p, socket } = setup();
    p.identity.setRemote("peer", "remote-password-0123456789");
    p.responder.handleRequest(0, socket, PEER, checkFromPeer(p));
    const pair = p.checklist.pairs[0]!;
    succeed(p, pair);
    p.responder.handleRequest(10, socket, PEER, checkFromPeer(p, { useCandidate: true }));
    assert.equal(p.components.get(1)!.selected, pair);
  });

  it("resolves a role conflict by tie-breaker: answers 487 when ours is larger, switches role when it is not", () => {
    const { p, socket } = setup("controlling");
    const ours = p.identity.tieBreaker;
    p.responder.handleRequest(
      0,
      socket,
      PEER,
      checkFromPeer(p, { role: "controlling", tieBreaker: ours - 1n }),
    );
    assert.deepEqual(replies(p), [`487 to ${PEER.port}`]);
    assert.equal(p.identity.role, "controlling");
    p.responder.handleRequest(
      0,
      socket,
      PEER,
      checkFromPeer(p, { role: "controlling", tieBreaker: ours + 1n }),
    );
    assert.deepEqual(replies(p), [`success to ${PEER.port}`]);
    assert.equal(p.identity.role, "controlled");
    assert.equal(p.counters.values.roleConflicts, 2);
  });
});
