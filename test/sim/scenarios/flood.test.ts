// A peer that trickles far more candidates than anyone needs: the agent keeps at most
// maxRemoteCandidates (100) and maxPairs (100), counts the rest, and still connects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: remote candidate flood", () => {
  it("caps remote candidates and pairs, counts what it ignored, and connects", () => {
    const s = new IceScenario({
      seed: 101,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    // 500 bogus candidates for b at 30 ms, after a's real one (signalled at 20 ms).
    s.sim.at(30, () =>
      s.b.attachment.input((now) => {
        for (let i = 0; i < 500; i++) {
          s.b.agent.addRemoteCandidate(now, {
            foundation: `f${i}`,
            component: 1,
            transport: "udp",
            priority: 1000 + i,
            address: `192.0.2.${1 + (i % 250)}`,
            port: 10_000 + i,
            type: "host",
          });
        }
      }),
    );
    s.runUntilBoth(["completed"], 60_000);
    const stats = s.b.agent.stats();
    assert.equal(stats.remoteCandidates, 100);
    assert.equal(stats.ignoredRemoteCandidates["cap"], 401);
    assert.ok(stats.pairs <= 100);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
  });

  it("ignores hostname, .local, zone-id and TCP candidates without failing", () => {
    const s = new IceScenario({
      seed: 102,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    const base = { foundation: "x", component: 1, priority: 5, port: 9, type: "host" as const };
    s.sim.at(5, () =>
      s.b.attachment.input((now) => {
        s.b.agent.addRemoteCandidate(now, { ...base, transport: "udp", address: "peer.example" });
        s.b.agent.addRemoteCandidate(now, { ...base, transport: "udp", address: "a1b2c3.local" });
        s.b.agent.addRemoteCandidate(now, { ...base, transport: "udp", address: "fe80::1%eth0" });
        s.b.agent.addRemoteCandidate(now, { ...base, transport: "tcp", address: "192.0.2.9" });
      }),
    );
    s.runUntilBoth(["completed"], 10_000);
    assert.deepEqual(s.b.agent.stats().ignoredRemoteCandidates, {
      hostname: 2,
      "zone-id": 1,
      "not-udp": 1,
    });
    assert.equal(s.b.agent.state(), "completed");
  });
});
