import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { agentSettings } from "../../src/ice/settings.js";

const base = { role: "controlling" as const, rng: seededRng(1) };

describe("agent settings", () => {
  it("fills in the documented defaults, every duration in ms", () => {
    assert.deepEqual(agentSettings(base), {
      components: 1,
      taMs: 20,
      minRtoMs: 500,
      maxRtoMs: 3000,
      maxCheckTransmissions: 7,
      stunServerTimeoutMs: 3000,
      nominationSettleMs: 100,
      maxRemoteCandidates: 100,
      maxPairs: 100,
      consentIntervalMs: 5000,
      disconnectedTimeoutMs: 10_000,
      consentTimeoutMs: 30_000,
      failureGraceMs: 1000,
      noEndOfCandidatesTimeoutMs: 10_000,
      turnServerTimeoutMs: 5000,
      errorRepliesPerSourcePerSecond: 5,
      errorRepliesPerSecond: 50,
      maxErrorReplySources: 1000,
    });
    assert.equal(agentSettings({ ...base, taMs: 0, components: 2 }).taMs, 0);
  });

  it("refuses negative, infinite or NaN settings, naming them, and component counts outside 1..256", () => {
    for (const value of [-1, Infinity, NaN]) {
      assert.throws(() => agentSettings({ ...base, consentTimeoutMs: value }), {
        name: "RangeError",
        message: "consentTimeoutMs must be a finite number ≥ 0",
      });
    }
    for (const components of [0, 1.5, 257]) {
      assert.throws(() => agentSettings({ ...base, components }), RangeError);
    }
  });
});
