import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: two public hosts", () => {
  it("connects host to host in two round trips and selects the same host pair on both sides", () => {
    const s = new IceScenario({
      seed: 1,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    const t = s.runUntilBoth(["completed"], 10_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
    // Credentials and candidates arrive after 20 ms of signalling; then a check, its response
    // and the nomination check take three 10 ms hops, and the nomination response one more.
    assert.equal(t, 60);
    const [pa] = s.a.selections;
    const [pb] = s.b.selections;
    assert.equal(s.a.selections.length, 1, "no flapping");
    assert.equal(pa?.local.type, "host");
    assert.equal(pa?.remote.type, "host");
    assert.deepEqual(pa?.local.address, pb?.remote.address);
    assert.deepEqual(pa?.remote.address, pb?.local.address);
    const stats = s.a.agent.stats();
    assert.equal(stats.checksSent, 2, "one ordinary check and one nomination");
    // Both start checking at 20 ms; each one's check reaches the other while its own is in
    // progress, which prompts one immediate retransmission (RFC 8445 §7.3.1.4) on each side.
    assert.equal(stats.checkRetransmissions, 1);
    assert.equal(s.b.agent.stats().checksSent, 1, "one check (the pair was already in progress)");
    assert.equal(s.b.agent.stats().checkRetransmissions, 1);
  });

  it("carries data both ways once connected", () => {
    const s = new IceScenario({
      seed: 2,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    s.runUntilBoth(["completed"], 10_000);
    assert.equal(s.a.send("to b"), true);
    assert.equal(s.b.send("to a"), true);
    s.sim.run({ maxTime: s.sim.now + 100 });
    assert.deepEqual(s.b.received, ["to b"]);
    assert.deepEqual(s.a.received, ["to a"]);
  });
});
