// Every collection of the agent that grows from what the network or the peer sends has a limit
// (docs/ice.md, "Limits"): a flood of checks, candidates and answers leaves each within it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeCheckRequest } from "../../src/ice/messages.js";
import { decodeStunMessage } from "../../src/stun/index.js";
import { PEER, remoteHost, succeed, testParts, v4, withPairs } from "./parts.js";

const limits = { maxRemoteCandidates: 20, maxPairs: 10 };

/** The `i`-th address of a flood (distinct IP and port). */
const flood = (i: number) => v4(`198.51.${100 + (i >> 8)}.${i & 0xff}`, 10_000 + i);

/** A valid check from the peer (signed for us), with a distinct transaction id. */
function check(p: ReturnType<typeof testParts>, i: number) {
  const id = new Uint8Array(12);
  new DataView(id.buffer).setUint32(0, i);
  return decodeStunMessage(
    encodeCheckRequest({
      transactionId: id,
      username: `${p.identity.localCredentials.ufrag}:peer`,
      priority: 1_862_270_975 - i,
      role: "controlling",
      tieBreaker: 1n,
      useCandidate: false,
      key: p.identity.localKey,
    }),
  );
}

describe("limits on what grows from network input", () => {
  it("keeps peer-reflexive remote candidates, pairs, the triggered queue and the checks in flight within maxRemoteCandidates and maxPairs", () => {
    const p = testParts({ role: "controlled", ...limits });
    withPairs(p, []);
    p.identity.setRemote("peer", "remote-password-0123456789");
    const socket = p.registry.sockets[0]!;
    for (let i = 0; i < 1000; i++) {
      p.responder.handleRequest(i, socket, flood(i), check(p, i));
      p.scheduler.pump(i);
      p.scheduler.pace(i);
      assert.ok(p.registry.remotes.length <= limits.maxRemoteCandidates);
      assert.ok(p.checklist.pairs.length <= limits.maxPairs);
      assert.ok(p.checklist.triggeredCount <= limits.maxPairs);
      assert.ok(p.transactions.size <= limits.maxPairs);
    }
    assert.equal(p.registry.remotes.length, limits.maxRemoteCandidates);
    assert.equal(p.counters.snapshot().ignoredRemoteCandidates["cap"], 1000 - 20);
    assert.equal(p.checklist.pairs.length, limits.maxPairs);
  });

  it("keeps signalled candidates within maxRemoteCandidates and their pairs within maxPairs", () => {
    const p = testParts(limits);
    withPairs(p, []);
    for (let i = 0; i < 1000; i++) p.registry.addRemote(remoteHost(flood(i), 1, 1000 + i));
    assert.equal(p.registry.remotes.length, limits.maxRemoteCandidates);
    assert.equal(p.checklist.pairs.length, limits.maxPairs);
    assert.equal(p.counters.snapshot().ignoredRemoteCandidates["cap"], 980);
  });

  it("keeps checks waiting for the peer's credentials within maxRemoteCandidates", () => {
    const p = testParts({ role: "controlled", ...limits });
    withPairs(p, []);
    const socket = p.registry.sockets[0]!;
    for (let i = 0; i < 1000; i++) p.responder.handleRequest(0, socket, flood(i), check(p, i));
    assert.equal(p.responder.earlyChecks, limits.maxRemoteCandidates);
  });

  it("learns at most maxPairs peer-reflexive local candidates, and forgets them on an ICE restart", () => {
    const p = testParts(limits);
    const [pair] = withPairs(p, [PEER]);
    succeed(p, pair!);
    const before = p.registry.locals.length;
    for (let i = 0; i < 1000; i++) {
      const local = p.registry.localFor(pair!, flood(i));
      if (i >= limits.maxPairs) assert.equal(local, pair!.local, "the pair's own stands in");
    }
    assert.equal(p.registry.locals.length - before, limits.maxPairs);
    p.registry.clearRemotes();
    assert.equal(p.registry.locals.length, before);
    assert.equal(p.registry.localFor(pair!, flood(5000)).candidate.type, "prflx");
  });
});
