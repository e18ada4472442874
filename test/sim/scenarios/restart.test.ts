// ICE restart in the middle of a flow (RFC 8445 §9): new credentials on both sides, new checks,
// and the old selected pair keeps carrying data until the new one is selected.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: ICE restart mid-flow", () => {
  it("restarts, selects a pair again, and loses no datagram sent every 10 ms meanwhile", () => {
    const cone = {
      mapping: "endpoint-independent",
      filtering: "address-and-port-dependent",
    } as const;
    const s = new IceScenario({
      seed: 81,
      a: { role: "controlling", nat: cone },
      b: { role: "controlled", nat: cone },
    });
    s.start();
    const connected = s.runUntilBoth(["completed"], 10_000);
    const before = s.a.agent.localCredentials;
    let sent = 0;
    for (let i = 0; i < 100; i++) {
      s.sim.at(connected + 10 * (i + 1), () => {
        if (s.a.send(`seq ${i}`)) sent++;
      });
    }
    s.sim.at(connected + 200, () => s.restart(s.a));
    s.sim.run({ maxTime: connected + 1200 });
    assert.notEqual(s.a.agent.localCredentials.ufrag, before.ufrag, "new credentials");
    assert.equal(s.a.selections.length, 2, "selected before and after the restart");
    assert.equal(s.b.selections.length, 2);
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.b.agent.state(), "completed");
    assert.equal(sent, 100);
    assert.deepEqual(
      s.b.received,
      Array.from({ length: 100 }, (_, i) => `seq ${i}`),
    );
  });
});
