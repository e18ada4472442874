// Two symmetric NATs have no direct path (symmetric-symmetric.test.ts fails cleanly); with a
// TURN server the agents connect through relayed candidates (RFC 8445 §5.1.1.2, RFC 8656).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

const symmetric = {
  mapping: "address-and-port-dependent",
  filtering: "address-and-port-dependent",
} as const;

describe("scenario: symmetric × symmetric with TURN", () => {
  it("connects through a relayed candidate and carries data both ways", () => {
    const s = new IceScenario({
      seed: 141,
      turnServer: true,
      a: { role: "controlling", nat: symmetric, turn: true },
      b: { role: "controlled", nat: symmetric, turn: true },
    });
    s.start();
    const t = s.runUntilBoth(["completed", "failed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
    assert.ok(t <= 1_000, `completed at ${t} ms`);
    const pa = s.a.agent.selectedPair(1)!;
    const pb = s.b.agent.selectedPair(1)!;
    assert.ok(
      pa.local.type === "relay" || pb.local.type === "relay",
      "one side at least sends through the relay",
    );
    assert.deepEqual(pa.local.address, pb.remote.address);
    assert.equal(s.a.send("through the relay"), true);
    assert.equal(s.b.send("and back"), true);
    s.sim.run({ maxTime: s.sim.now + 200 });
    assert.deepEqual(s.b.received, ["through the relay"]);
    assert.deepEqual(s.a.received, ["and back"]);
    assert.equal(s.turnServer?.counters.allocations, 2);
  });
});
