// Both sides behind cone NATs (endpoint-independent mapping), every filtering combination
// (RFC 4787: endpoint-independent = full cone, address-dependent = restricted cone,
// address-and-port-dependent = port-restricted cone). Server-reflexive candidates make it work.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NatBehavior } from "../nat.js";
import { IceScenario } from "../ice-scenario.js";

const filterings: NatBehavior[] = [
  "endpoint-independent",
  "address-dependent",
  "address-and-port-dependent",
];

describe("scenario: cone NAT × cone NAT", () => {
  for (const fa of filterings) {
    for (const fb of filterings) {
      it(`connects ${fa} filtering with ${fb} filtering through srflx candidates within 400 ms`, () => {
        const s = new IceScenario({
          seed: 11,
          a: { role: "controlling", nat: { mapping: "endpoint-independent", filtering: fa } },
          b: { role: "controlled", nat: { mapping: "endpoint-independent", filtering: fb } },
        });
        s.start();
        const t = s.runUntilBoth(["completed", "failed"], 60_000);
        assert.equal(s.a.agent.state(), "completed");
        assert.equal(s.b.agent.state(), "completed");
        assert.ok(t <= 400, `completed at ${t} ms`);
        const [pa] = s.a.selections;
        const [pb] = s.b.selections;
        assert.equal(s.a.selections.length, 1);
        assert.equal(s.b.selections.length, 1);
        assert.equal(pa?.local.type, "srflx");
        assert.deepEqual(pa?.local.address, pb?.remote.address);
        assert.deepEqual(pa?.remote.address, pb?.local.address);
        // One mapping per NAT: endpoint-independent mapping reuses the STUN server's one.
        assert.equal(s.a.nat?.counters.mappingsCreated, 1);
        assert.equal(s.b.nat?.counters.mappingsCreated, 1);
      });
    }
  }
});
