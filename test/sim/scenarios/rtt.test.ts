// 200 ms round trip (100 ms each way) between two public hosts with 20 ms of jitter.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: 200 ms RTT", () => {
  it("connects within two round trips after signalling, and agrees on the pair", () => {
    const s = new IceScenario({
      seed: 51,
      internet: { latency: 100, jitter: 20 },
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    const t = s.runUntilBoth(["completed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    // Signalling (20 ms), then check + response + nomination + response: four one-way trips of
    // at most 120 ms each. No timer-driven retransmission is needed (the RTO, 500 ms, exceeds
    // the RTT): both retransmissions are immediate ones (RFC 8445 §7.3.1.4), prompted by b's
    // check and, jittered ahead of b's response, by b's own immediate retransmission of it.
    assert.ok(t <= 20 + 4 * 120, `completed at ${t} ms`);
    assert.equal(s.a.agent.stats().checkRetransmissions, 2);
    assert.deepEqual(
      s.a.agent.selectedPair(1)!.remote.address,
      s.b.agent.selectedPair(1)!.local.address,
    );
  });
});
