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
    assert.equal(stats.checkRetransmissions, 0);
    assert.equal(s.b.agent.stats().checksSent, 1, "one triggered check");
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
