// The relay-only policy: behind NATs that would allow a direct path, agents still offer and use
// only relayed candidates, so neither reveals its host or server-reflexive address.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

const cone = { mapping: "endpoint-independent", filtering: "endpoint-independent" } as const;

describe("scenario: relay-only policy", () => {
  it("offers only relayed candidates and connects relay to relay", () => {
    const s = new IceScenario({
      seed: 151,
      turnServer: true,
      a: { role: "controlling", nat: cone, turn: true, agent: { relayOnly: true } },
      b: { role: "controlled", nat: cone, turn: true, agent: { relayOnly: true } },
    });
    s.start();
    s.runUntilBoth(["completed", "failed"], 60_000);
    for (const side of [s.a, s.b]) {
      const offered = side.events.flatMap(({ event }) =>
        event.type === "local-candidate" ? [event.candidate.type] : [],
      );
      assert.deepEqual(offered, ["relay"]);
      assert.equal(side.agent.state(), "completed");
      const pair = side.agent.selectedPair(1)!;
      assert.equal(pair.local.type, "relay");
      assert.equal(pair.remote.type, "relay");
    }
    assert.equal(s.stunServer.counters.requests, 0, "no STUN query under relay-only");
  });
});
