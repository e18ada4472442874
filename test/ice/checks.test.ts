// Starting checks (src/ice/checks.ts) and the transactions they run (src/ice/check-transactions.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeStunMessage, encodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { PEER, PEER2, testParts, withPairs, type TestParts } from "./parts.js";

const REMOTE_PWD = "remote-password-0123456789";

function ready(options: Parameters<typeof testParts>[0] = {}) {
  const p = testParts({ ufrag: "loc", ...options });
  const pairs = withPairs(p, [PEER, PEER2]);
  p.identity.setRemote("rem", REMOTE_PWD);
  return { p, pairs };
}

const sentTo = (p: TestParts) =>
  p.takeTransmits().map((t) => (t.type === "datagram" ? t.remote.address : t.type));

describe("CheckScheduler", () => {
  it("starts no check before the peer's credentials, then one per Ta, best pair first", () => {
    const p = testParts();
    withPairs(p, [PEER, PEER2]);
    p.scheduler.pace(0);
    assert.deepEqual(sentTo(p), []);
    p.identity.setRemote("rem", REMOTE_PWD);
    p.scheduler.pace(0);
    p.scheduler.pace(19);
    assert.deepEqual(sentTo(p), [PEER.address]);
    assert.equal(p.scheduler.deadline(), 20);
    p.scheduler.pace(20);
    assert.deepEqual(sentTo(p), [PEER2.address]);
    assert.equal(p.scheduler.deadline(), undefined, "nothing left to start");
    assert.equal(p.counters.values.checksSent, 2);
  });

  it("signs its checks with the peer's password and names both ufrags, USE-CANDIDATE only when nominating", () => {
    const { p, pairs } = ready();
    p.scheduler.startCheck(0, pairs[0]!, true);
    const [t] = p.takeTransmits();
    assert.ok(t?.type === "datagram");
    const request = decodeStunMessage(t.data);
    assert.equal(getAttribute(request, "USERNAME"), "rem:loc");
    assert.equal(getAttribute(request, "USE-CANDIDATE"), true);
    assert.equal(getAttribute(request, "ICE-CONTROLLING"), p.identity.tieBreaker);
    assert.equal(pairs[0]!.state, "in-progress");
    assert.deepEqual(pairs[0]!.check?.useCandidate, true);
  });

  it("sets the RTO to max(minRto, Ta × active pairs) and stops doubling it at maxRtoMs, never below that RTO", () => {
    const { p, pairs } = ready({ minRtoMs: 10, taMs: 30, maxRtoMs: 50 });
    p.scheduler.startCheck(0, pairs[0]!, false);
    assert.equal(
      pairs[0]!.check?.transaction.initialRtoMs,
      60,
      "30 ms × 2 pairs waiting or in progress",
    );
    assert.equal(p.transactions.deadline(), 60);
    p.scheduler.pump(60);
    assert.equal(p.transactions.deadline(), 120, "60 again: the cap of 50 does not go below it");
    assert.equal(p.counters.values.checkRetransmissions, 1);
  });

  it("fails a pair whose check is never answered, and its nomination with it", () => {
    const { p, pairs } = ready({ maxCheckTransmissions: 1 });
    const pair = pairs[0]!;
    p.components.get(1)!.nominating = pair;
    p.scheduler.startCheck(0, pair, true);
    p.scheduler.pump(8000); // Rm × RTO after the only send
    assert.equal(pair.state, "failed");
    assert.equal(pair.check, undefined);
    assert.equal(p.components.get(1)!.nominating, undefined);
  });

  it("skips, and fails, ordinary checks of a component that already has a nominated pair", () => {
    const { p, pairs } = ready();
    pairs[0]!.nominated = true;
    p.components.get(1)!.selected = pairs[0];
    p.scheduler.pace(0);
    assert.deepEqual(sentTo(p), []);
    assert.deepEqual(
      pairs.map((pair) => pair.state),
      ["failed", "failed"],
    );
  });

  it("still checks a pair the peer nominates after our selection, so that its data is let in", () => {
    // libwebrtc, controlling, switches its selected pair after ICE completed and sends
    // USE-CANDIDATE on the new one, then its data (seen with StanzaJS, docs/field-notes.md).
    const { p, pairs } = ready();
    pairs[0]!.nominated = true;
    p.components.get(1)!.selected = pairs[0];
    pairs[1]!.remoteNominated = true;
    p.checklist.trigger(pairs[1]!, 0);
    p.scheduler.pace(0);
    assert.deepEqual(sentTo(p), [PEER2.address]);
    assert.equal(pairs[1]!.state, "in-progress");
  });

  it("counts consent checks apart from connectivity checks and retransmits them at minRtoMs", () => {
    const { p, pairs } = ready({ minRtoMs: 100 });
    p.scheduler.startConsentCheck(0, pairs[0]!, p.identity.current!);
    p.scheduler.pump(100);
    assert.deepEqual(sentTo(p), [PEER.address, PEER.address]);
    assert.equal(p.counters.values.consentChecksSent, 1);
    assert.equal(p.counters.values.checkRetransmissions, 0);
    assert.equal(pairs[0]!.state, "waiting", "consent checks leave the pair alone");
  });
});

describe("CheckTransactions", () => {
  it("matches a response by transaction id and MESSAGE-INTEGRITY, once", () => {
    const { p, pairs } = ready();
    p.scheduler.startCheck(0, pairs[0]!, false);
    const [t] = p.takeTransmits();
    assert.ok(t?.type === "datagram");
    const { transactionId } = decodeStunMessage(t.data);
    const response = (key: Uint8Array, id = transactionId) =>
      decodeStunMessage(
        encodeStunMessage(
          { class: "success", method: 1, transactionId: id, attributes: [] },
          { messageIntegrity: key, fingerprint: true },
        ),
      );
    const key = p.identity.remoteKey!;
    const match = (m: ReturnType<typeof response>) => p.transactions.match(m, t.local, t.remote);
    assert.equal(match(response(key, new Uint8Array(12))), "unknown-transaction");
    assert.equal(match(response(new Uint8Array(16))), "bad-integrity");
    const entry = match(response(key));
    assert.ok(typeof entry === "object");
    assert.equal(entry.pair, pairs[0]);
    assert.equal(entry.transaction.state, "completed");
    assert.equal(match(response(key)), "unknown-transaction");
  });
});
