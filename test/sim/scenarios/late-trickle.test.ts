// A peer that says end-of-candidates first and trickles its candidates afterwards (RFC 8838
// allows candidates to arrive at any time): the agent must still use them and must not fail
// in between.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: late trickle after end-of-candidates", () => {
  it("connects with candidates that arrive 500 ms after end-of-candidates", () => {
    const s = new IceScenario({
      seed: 71,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.a.trickle = false;
    s.b.trickle = false;
    s.start();
    // Both sides signal end-of-candidates with nothing before it.
    s.sim.at(10, () => {
      for (const side of [s.a, s.b]) {
        const peer = side === s.a ? s.b : s.a;
        peer.attachment.input((now) => peer.agent.endOfRemoteCandidates(now));
      }
    });
    s.sim.run({ maxTime: 500 });
    assert.equal(s.a.agent.state(), "new", "no candidates yet: nothing to check, and not failed");
    s.releaseHeld(s.a);
    s.releaseHeld(s.b);
    const t = s.runUntilBoth(["completed", "failed"], 10_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
    assert.equal(t, 560, "signalling (20 ms) and four 10 ms hops after the release at 500 ms");
  });

  it("fails failureGraceMs after end-of-candidates when no candidate ever comes", () => {
    const s = new IceScenario({
      seed: 72,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.a.trickle = false;
    s.b.trickle = false;
    s.start();
    s.sim.at(10, () => s.b.attachment.input((now) => s.b.agent.endOfRemoteCandidates(now)));
    s.sim.run({ until: () => s.b.agent.state() === "failed", maxTime: 10_000 });
    assert.equal(s.b.agent.state(), "failed");
    assert.equal(s.b.timeOf("failed"), 1010, "end-of-candidates at 10 ms plus failureGraceMs");
  });
});
