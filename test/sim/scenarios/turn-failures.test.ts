// A TURN server that is unreachable, refuses our credentials or dies mid-session is reported as
// a turn-error event; it never holds gathering past turnServerTimeoutMs (5 s) and never breaks a
// working direct pair.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario, type ScenarioSide } from "../ice-scenario.js";

const cone = { mapping: "endpoint-independent", filtering: "address-dependent" } as const;

const turnErrors = (side: ScenarioSide) =>
  side.events.flatMap(({ at, event }) =>
    event.type === "turn-error" ? [{ at, reason: event.error.message, error: event.error }] : [],
  );
const gatheredAt = (side: ScenarioSide) =>
  side.events.find(({ event }) => event.type === "gathering-complete")?.at;

describe("scenario: TURN server failures", () => {
  it("connects directly at once and completes gathering at turnServerTimeoutMs when the TURN server is gone", () => {
    const s = new IceScenario({
      seed: 161,
      turnServer: true,
      a: { role: "controlling", nat: cone, turn: true },
      b: { role: "controlled", nat: cone },
    });
    s.turnAttachment!.detach();
    s.start();
    const t = s.runUntilBoth(["completed", "failed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    assert.ok(t <= 400, `completed at ${t} ms, not held back by the dead TURN server`);
    s.sim.run({ maxTime: 6_000 });
    assert.equal(gatheredAt(s.a), 5_000);
    assert.equal(turnErrors(s.a).length, 1);
    assert.match(turnErrors(s.a)[0]!.reason, /no allocation within 5000 ms/);
    const { error } = turnErrors(s.a)[0]!;
    assert.deepEqual([error.phase, error.code, error.errorName], ["allocate", 0, "Timeout"]);
  });

  it("reports refused credentials as a turn-error and still connects directly", () => {
    const s = new IceScenario({
      seed: 162,
      turnServer: true,
      a: { role: "controlling", nat: cone, turn: true, turnPassword: "wrong" },
      b: { role: "controlled", nat: cone },
    });
    s.start();
    s.runUntilBoth(["completed", "failed"], 60_000);
    assert.equal(s.a.agent.state(), "completed");
    const [error] = turnErrors(s.a);
    assert.match(error!.reason, /401 Unauthorized/);
    assert.deepEqual([error!.error.phase, error!.error.code], ["allocate", 401]);
    assert.ok(gatheredAt(s.a)! < 200, "the refusal ends that allocation at once");
  });

  it("keeps a direct selected pair when the TURN server dies mid-session, and reports the lost allocation", () => {
    const s = new IceScenario({
      seed: 163,
      turnServer: true,
      a: { role: "controlling", nat: cone, turn: true },
      b: { role: "controlled", nat: cone },
    });
    s.start();
    const t = s.runUntilBoth(["completed"], 60_000);
    assert.equal(s.a.agent.selectedPair(1)!.local.type, "srflx");
    s.turnAttachment!.detach();
    s.sim.run({ maxTime: t + 20 * 60_000 });
    assert.equal(s.a.agent.state(), "completed", "consent still flows on the direct pair");
    const [error] = turnErrors(s.a);
    assert.match(error!.reason, /refresh/i, "the allocation refresh at 540 s timed out");
    assert.deepEqual([error!.error.phase, error!.error.errorName], ["refresh", "Timeout"]);
    assert.equal(s.a.send("still here"), true);
  });
});
