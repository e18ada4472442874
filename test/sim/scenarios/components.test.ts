// Two components (RTP and RTCP style) in one agent, behind cone NATs: each gets its own
// server-reflexive candidate and its own selected pair, and the agent completes when both do.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: two components", () => {
  it("selects a pair per component on separate ports and completes the agent when both are done", () => {
    const cone = { mapping: "endpoint-independent", filtering: "address-dependent" } as const;
    const s = new IceScenario({
      seed: 121,
      components: 2,
      a: { role: "controlling", nat: cone },
      b: { role: "controlled", nat: cone },
    });
    s.start();
    const t = s.runUntilBoth(["completed", "failed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
    assert.ok(t <= 400, `completed at ${t} ms`);
    for (const side of [s.a, s.b]) {
      const one = side.agent.selectedPair(1)!;
      const two = side.agent.selectedPair(2)!;
      assert.equal(one.local.component, 1);
      assert.equal(two.local.component, 2);
      assert.notDeepEqual(one.local.address, two.local.address);
      assert.ok(side.timeOf("completed", 1)! <= side.timeOf("completed")!);
    }
    assert.equal(s.a.agent.stats().localCandidates, 4, "host and srflx for each component");
  });
});
