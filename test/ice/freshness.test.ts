import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PEER, PEER2, succeed, testParts, withPairs } from "./parts.js";

/** An agent part set with a selected pair at t = 0 (consent fresh, the first check due later). */
function selected() {
  const p = testParts({
    consentIntervalMs: 1000,
    disconnectedTimeoutMs: 3000,
    consentTimeoutMs: 6000,
  });
  const [pair] = withPairs(p, [PEER]);
  p.identity.setRemote("rem", "remote-password-0123456789");
  succeed(p, pair!);
  p.nomination.select(0, pair!);
  p.takeEvents();
  p.takeTransmits();
  return { p, pair: pair! };
}

const states = (p: ReturnType<typeof testParts>) =>
  p.takeEvents().flatMap((e) => (e.type === "state" ? [e.state] : []));

describe("ConsentFreshness", () => {
  it("sends a consent check when one is due, and nothing in between", () => {
    const { p } = selected();
    const record = p.components.get(1)!;
    const due = p.freshness.deadline(record)!;
    assert.ok(due >= 800 && due <= 1200, `first check at ${due}`);
    p.freshness.run(due - 1);
    assert.equal(p.counters.values.consentChecksSent, 0);
    p.freshness.run(due);
    assert.equal(p.counters.values.consentChecksSent, 1);
    assert.equal(p.takeTransmits().length, 1);
  });

  it("goes disconnected, then failed without answers, and stops judging a failed component", () => {
    const { p } = selected();
    p.freshness.run(2999);
    assert.deepEqual(states(p), []);
    p.freshness.run(3000);
    assert.deepEqual(states(p), ["disconnected"]);
    assert.equal(p.freshness.deadline(p.components.get(1)!)! <= 6000, true);
    p.freshness.run(6000);
    assert.deepEqual(states(p), ["failed"]);
    assert.equal(p.freshness.deadline(p.components.get(1)!), undefined);
    const sent = p.counters.values.consentChecksSent;
    p.freshness.run(60_000);
    assert.equal(p.counters.values.consentChecksSent, sent, "no more checks once failed");
  });

  it("comes back to completed when an answer arrives for the selected pair, and ignores answers for others", () => {
    const { p, pair } = selected();
    p.freshness.run(3000);
    states(p);
    withPairs(p, [PEER2]);
    const other = p.checklist.pairs.find((x) => x.remote.address.port === PEER2.port)!;
    p.freshness.granted(3050, other);
    assert.deepEqual(states(p), [], "an answer on another pair changes nothing");
    p.freshness.granted(3100, pair);
    assert.deepEqual(states(p), ["completed"]);
    assert.equal(pair.lastSuccessAt, 3100);
    p.freshness.run(6000);
    assert.deepEqual(states(p), [], "consent was refreshed at 3100: still fresh at 6000");
  });
});
