// Consent freshness (RFC 7675): when the path dies, the agent reports `disconnected` after
// disconnectedTimeoutMs without a consent response, then `failed` at consentTimeoutMs, and stops
// sending. A path that comes back before that restores the state.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IceScenario } from "../ice-scenario.js";

function connectedScenario(seed: number): { s: IceScenario; t: number } {
  const s = new IceScenario({
    seed,
    a: { role: "controlling", stun: false },
    b: { role: "controlled", stun: false },
  });
  s.start();
  return { s, t: s.runUntilBoth(["completed"], 10_000) };
}

describe("scenario: consent loss", () => {
  it("goes disconnected 10 s and failed 30 s after the last consent response, then refuses to send", () => {
    const { s, t } = connectedScenario(91);
    const cutAt = t + 12_000;
    s.sim.at(cutAt, () => s.internet.configure({ loss: 1 }));
    s.sim.run({ until: () => s.a.agent.state() === "failed", maxTime: cutAt + 60_000 });
    const disconnected = s.a.timeOf("disconnected")!;
    const failed = s.a.timeOf("failed")!;
    assert.equal(failed - disconnected, 20_000, "consentTimeoutMs − disconnectedTimeoutMs");
    // The last consent response came at most one consent interval (≤ 6 s) before the cut.
    assert.ok(
      disconnected - cutAt <= 10_000 && disconnected - cutAt > 10_000 - 6_000,
      `disconnected ${disconnected - cutAt} ms after the cut`,
    );
    assert.equal(s.a.send("after failure"), false);
    assert.ok(s.a.agent.stats().consentChecksSent >= 4);
  });

  it("comes back from disconnected to completed when the path returns in time", () => {
    const { s, t } = connectedScenario(92);
    s.sim.at(t + 1_000, () => s.internet.configure({ loss: 1 }));
    s.sim.at(t + 16_000, () => s.internet.configure({ loss: 0 }));
    s.sim.run({ maxTime: t + 30_000 });
    assert.ok(s.a.timeOf("disconnected") !== undefined, "it was disconnected");
    assert.equal(s.a.agent.state(), "completed");
    assert.equal(s.a.timeOf("failed"), undefined);
  });
});
