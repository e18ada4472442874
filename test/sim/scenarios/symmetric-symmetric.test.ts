// Two symmetric NATs: no direct path exists, and without TURN both agents must fail cleanly —
// after their checks time out and end-of-candidates was signalled, not before, not never.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

const symmetric = {
  mapping: "address-and-port-dependent",
  filtering: "address-and-port-dependent",
} as const;

describe("scenario: symmetric NAT × symmetric NAT", () => {
  it("fails on both sides once every check timed out, with no selected pair and no data path", () => {
    const s = new IceScenario({
      seed: 31,
      a: { role: "controlling", nat: symmetric },
      b: { role: "controlled", nat: symmetric },
    });
    s.start();
    const t = s.runUntilBoth(["failed"], 120_000);
    assert.equal(s.a.agent.state(), "failed");
    assert.equal(s.b.agent.state(), "failed");
    // The last check starts within the first second; it times out 20.5 s later (RTO 500 ms
    // doubling up to maxRtoMs 3 s, 7 sends, a final wait of 8 s) and failureGraceMs (1 s) follows.
    assert.ok(t >= 21_500 && t <= 23_000, `failed at ${t} ms`);
    assert.deepEqual(s.a.selections, []);
    assert.equal(s.a.send("lost"), false, "no pair was validated, so nothing is sent");
    assert.equal(s.a.agent.stats().validPairs, 0);
    assert.ok((s.b.nat?.counters.inboundFiltered ?? 0) > 0, "the NATs dropped the checks");
  });
});
