// Both agents think they are controlling, or both controlled: the tie-breakers settle it
// (RFC 8445 §7.3.1.1 for requests, §7.2.5.1 for 487 responses), in both directions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: role conflict", () => {
  for (const role of ["controlling", "controlled"] as const) {
    for (const [ta, tb] of [
      [5n, 9n],
      [9n, 5n],
    ] as const) {
      it(`resolves both ${role} with tie-breakers ${ta} and ${tb}: the larger one controls`, () => {
        const s = new IceScenario({
          seed: 61,
          a: { role, stun: false, agent: { tieBreaker: ta } },
          b: { role, stun: false, agent: { tieBreaker: tb } },
        });
        s.start();
        s.runUntilBoth(["completed"], 10_000);
        const [winner, loser] = ta > tb ? [s.a, s.b] : [s.b, s.a];
        assert.equal(winner.agent.role, "controlling");
        assert.equal(loser.agent.role, "controlled");
        assert.equal(s.a.agent.state(), "completed");
        assert.equal(s.b.agent.state(), "completed");
        assert.ok(s.a.agent.stats().roleConflicts + s.b.agent.stats().roleConflicts >= 1);
        assert.deepEqual(
          s.a.agent.selectedPair(1)!.remote.address,
          s.b.agent.selectedPair(1)!.local.address,
        );
      });
    }
  }
});
