// 30 % packet loss on the internet link, both directions: retransmissions (RFC 8489 §6.2.1) still
// get the STUN queries and checks through. A check and its response both survive with
// probability 0.49, and retransmissions back off 0.5, 1, 2, 4 s, so a few seconds is expected.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: 30 % loss", () => {
  for (const seed of [41, 42, 43]) {
    it(`connects two cone-NATed agents despite 30 % loss (seed ${seed})`, () => {
      const cone = { mapping: "endpoint-independent", filtering: "address-dependent" } as const;
      const s = new IceScenario({
        seed,
        internet: { latency: 10, loss: 0.3 },
        a: { role: "controlling", nat: cone },
        b: { role: "controlled", nat: cone },
      });
      s.start();
      const t = s.runUntilBoth(["completed", "failed"], 60_000);
      assert.equal(s.a.agent.state(), "completed");
      assert.equal(s.b.agent.state(), "completed");
      assert.ok(t <= 15_000, `completed at ${t} ms`);
      assert.ok(s.internet.counters.lost > 0, "packets were lost");
      const retransmissions =
        s.a.agent.stats().checkRetransmissions + s.b.agent.stats().checkRetransmissions;
      assert.ok(retransmissions > 0, "checks were retransmitted");
      assert.deepEqual(
        s.a.agent.selectedPair(1)!.local.address,
        s.b.agent.selectedPair(1)!.remote.address,
      );
    });
  }
});
