// Property: in any generated topology where a direct path exists, both agents end up
// `completed` on the same pair (each side's local address is the other's remote address) within
// a bounded virtual time. Topologies: public hosts and the four classic NAT types on each side,
// except the combinations with no direct path (symmetric × symmetric, symmetric × port-
// restricted cone), with random latency, jitter, light loss, roles and one or two components.
// Loss stays light here: with heavy loss a server-reflexive candidate can be lost during
// gathering and then no path is known to exist (loss.test.ts covers 30 % loss on its own).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { IceScenario, type SideOptions } from "../ice-scenario.js";

const nats = {
  public: undefined,
  "full cone": { mapping: "endpoint-independent", filtering: "endpoint-independent" },
  "restricted cone": { mapping: "endpoint-independent", filtering: "address-dependent" },
  "port-restricted cone": {
    mapping: "endpoint-independent",
    filtering: "address-and-port-dependent",
  },
  symmetric: { mapping: "address-and-port-dependent", filtering: "address-and-port-dependent" },
} as const satisfies Record<string, SideOptions["nat"]>;
type NatName = keyof typeof nats;
const names = Object.keys(nats) as NatName[];

const noPath = (a: NatName, b: NatName): boolean =>
  (a === "symmetric" && (b === "symmetric" || b === "port-restricted cone")) ||
  (b === "symmetric" && a === "port-restricted cone");

const topology = fc
  .record(
    {
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      natA: fc.constantFrom(...names),
      natB: fc.constantFrom(...names),
      latency: fc.integer({ min: 1, max: 80 }),
      jitter: fc.integer({ min: 0, max: 10 }),
      loss: fc.constantFrom(0, 0.01, 0.03),
      aControls: fc.boolean(),
      components: fc.constantFrom(1, 2),
    },
    { noNullPrototype: true },
  )
  .filter((t) => !noPath(t.natA, t.natB));

const side = (nat: NatName, controlling: boolean): SideOptions => {
  const options = nats[nat];
  return options === undefined
    ? { role: controlling ? "controlling" : "controlled" }
    : { role: controlling ? "controlling" : "controlled", nat: options };
};

describe("property: convergence", () => {
  it("makes both agents select the same pair within 20 s whenever a direct path exists", () => {
    fc.assert(
      fc.property(topology, (t) => {
        const s = new IceScenario({
          seed: t.seed,
          components: t.components,
          internet: { latency: t.latency, jitter: t.jitter, loss: t.loss },
          a: side(t.natA, t.aControls),
          b: side(t.natB, !t.aControls),
        });
        s.start();
        const time = s.runUntilBoth(["completed", "failed"], 20_000);
        assert.equal(s.a.agent.state(), "completed", `a: ${JSON.stringify(t)} at ${time} ms`);
        assert.equal(s.b.agent.state(), "completed", `b: ${JSON.stringify(t)} at ${time} ms`);
        for (let component = 1; component <= t.components; component++) {
          const pa = s.a.agent.selectedPair(component)!;
          const pb = s.b.agent.selectedPair(component)!;
          assert.deepEqual(pa.local.address, pb.remote.address);
          assert.deepEqual(pa.remote.address, pb.local.address);
        }
      }),
      {
        numRuns: Number(process.env["FC_RUNS"] ?? 40),
        seed: Number(process.env["FC_SEED"] ?? 20261129),
      },
    );
  });
});
