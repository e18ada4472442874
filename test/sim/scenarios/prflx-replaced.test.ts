// The peer's checks arrive before its candidates: the agent learns a peer-reflexive remote
// candidate (RFC 8445 §7.3.1.3), connects on it, and when the signalled candidate arrives it
// replaces the peer-reflexive one in place — the selected pair does not change or flap.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: peer-reflexive candidate replaced by the signalled one", () => {
  it("selects once, on the prflx candidate, and keeps that pair when the host candidate arrives", () => {
    const s = new IceScenario({
      seed: 111,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.a.trickle = false; // b learns a only from a's checks
    s.start();
    s.runUntilBoth(["completed"], 10_000);
    assert.equal(s.b.agent.selectedPair(1)!.remote.type, "prflx");
    const selected = s.b.agent.selectedPair(1)!;
    s.releaseHeld(s.a);
    s.sim.run({ maxTime: s.sim.now + 1_000 });
    const after = s.b.agent.selectedPair(1)!;
    assert.equal(after.remote.type, "host", "the signalled candidate replaced the prflx one");
    assert.deepEqual(after.remote.address, selected.remote.address);
    assert.deepEqual(after.local, selected.local);
    assert.equal(s.b.selections.length, 1, "no new selection: no flapping");
    assert.equal(s.b.agent.stats().remoteCandidates, 1);
    assert.equal(s.b.agent.state(), "completed");
  });
});
