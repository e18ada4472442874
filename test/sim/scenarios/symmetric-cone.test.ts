// A symmetric NAT (address-and-port-dependent mapping and filtering) against cone NATs. The
// symmetric side's address towards the peer differs from its server-reflexive one, so the path is
// found through a peer-reflexive candidate (RFC 8445 §7.3.1.3) when the cone side's filtering lets
// the first check in; against a port-restricted cone it cannot be, and both fail cleanly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NatBehavior } from "../nat.js";
import { IceScenario } from "../ice-scenario.js";

const symmetric = {
  mapping: "address-and-port-dependent",
  filtering: "address-and-port-dependent",
} as const;

describe("scenario: symmetric NAT × cone NAT", () => {
  for (const filtering of ["endpoint-independent", "address-dependent"] as NatBehavior[]) {
    for (const symmetricRole of ["controlling", "controlled"] as const) {
      it(`connects through a peer-reflexive candidate against ${filtering} filtering (symmetric side ${symmetricRole})`, () => {
        const other = symmetricRole === "controlling" ? "controlled" : "controlling";
        const s = new IceScenario({
          seed: 21,
          a: { role: symmetricRole, nat: symmetric },
          b: { role: other, nat: { mapping: "endpoint-independent", filtering } },
        });
        s.start();
        const t = s.runUntilBoth(["completed", "failed"], 60_000);
        assert.equal(s.a.agent.state(), "completed");
        assert.equal(s.b.agent.state(), "completed");
        assert.ok(t <= 400, `completed at ${t} ms`);
        const pa = s.a.agent.selectedPair(1)!;
        const pb = s.b.agent.selectedPair(1)!;
        assert.equal(pa.local.type, "prflx", "the symmetric side is seen at a new mapping");
        assert.equal(pb.remote.type, "prflx", "learnt from the symmetric side's check");
        assert.deepEqual(pa.local.address, pb.remote.address);
        assert.deepEqual(pa.remote.address, pb.local.address);
      });
    }
  }

  it("fails cleanly on both sides against a port-restricted cone, with nothing selected", () => {
    const s = new IceScenario({
      seed: 22,
      a: { role: "controlling", nat: symmetric },
      b: {
        role: "controlled",
        nat: { mapping: "endpoint-independent", filtering: "address-and-port-dependent" },
      },
    });
    s.start();
    s.runUntilBoth(["failed"], 120_000);
    assert.equal(s.a.agent.state(), "failed");
    assert.equal(s.b.agent.state(), "failed");
    assert.deepEqual(s.a.selections, []);
    assert.deepEqual(s.b.selections, []);
  });
});
