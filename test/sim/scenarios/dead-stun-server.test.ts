// A STUN server that never answers must not delay the others (docs/ice.md): the live server's
// srflx candidate is trickled at once, checks start on it, and gathering completes at
// stunServerTimeoutMs, not after the RFC 8489 transaction timeout.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

describe("scenario: a dead STUN server", () => {
  it("connects on the live server's srflx candidate and completes gathering at stunServerTimeoutMs", () => {
    const cone = { mapping: "endpoint-independent", filtering: "address-dependent" } as const;
    const dead = { family: "IPv4" as const, address: "198.51.100.99", port: 3478 };
    const s = new IceScenario({
      seed: 131,
      a: { role: "controlling", nat: cone, extraStunServers: [dead] },
      b: { role: "controlled", nat: cone },
    });
    s.start();
    const t = s.runUntilBoth(["completed", "failed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.ok(t <= 400, `completed at ${t} ms, long before the dead server gives up`);
    s.sim.run({ maxTime: 5_000 });
    const gathered = s.a.events.find(({ event }) => event.type === "gathering-complete");
    assert.equal(gathered?.at, 3_000, "stunServerTimeoutMs after gathering started at 0");
    const errors = s.a.events.filter(({ event }) => event.type === "stun-server-error");
    assert.equal(errors.length, 1);
  });
});
