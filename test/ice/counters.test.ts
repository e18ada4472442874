import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentCounters } from "../../src/ice/counters.js";

describe("agent counters", () => {
  it("counts drops and ignored candidates by reason, returning true and false for early returns", () => {
    const counters = new AgentCounters();
    assert.equal(counters.drop("bad-integrity"), true);
    counters.drop("bad-integrity");
    assert.equal(counters.ignoreRemote("cap"), false);
    const snapshot = counters.snapshot();
    assert.deepEqual(snapshot.dropped, { "bad-integrity": 2 });
    assert.deepEqual(snapshot.ignoredRemoteCandidates, { cap: 1 });
  });

  it("hands out copies that later counting does not change", () => {
    const counters = new AgentCounters();
    const before = counters.snapshot();
    counters.drop("relay-only");
    counters.values.checksSent++;
    assert.deepEqual(before.dropped, {});
    assert.equal(before.checksSent, 0);
    assert.equal(counters.snapshot().checksSent, 1);
  });
});
