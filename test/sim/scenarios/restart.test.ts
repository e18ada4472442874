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

describe("scenario: ICE restart whose new generation finds no pair", () => {
  it("keeps consent on the old pair both ways with the old credentials, then fails both sides when the path dies", () => {
    const s = new IceScenario({
      seed: 82,
      a: { role: "controlling", stun: false },
      b: { role: "controlled", stun: false },
    });
    s.start();
    const connected = s.runUntilBoth(["completed"], 10_000);
    // New credentials go through, candidates do not: the new generation has nothing to check.
    s.a.trickle = false;
    s.b.trickle = false;
    const restartAt = connected + 100;
    s.sim.at(restartAt, () => s.restart(s.a));
    let sent = 0;
    for (let i = 0; i < 40; i++)
      s.sim.at(restartAt + 1000 * (i + 1), () => (sent += s.a.send(`seq ${i}`) ? 1 : 0));
    const consentAt = (side: typeof s.a) => side.agent.stats().consentChecksSent;
    let atRestart = [0, 0];
    s.sim.at(restartAt, () => (atRestart = [consentAt(s.a), consentAt(s.b)]));
    const cutAt = restartAt + 45_000;
    s.sim.run({ maxTime: cutAt });
    assert.equal(s.a.agent.state(), "checking");
    assert.equal(s.b.agent.state(), "checking");
    assert.equal(sent, 40, "the old pair carried every datagram");
    assert.equal(s.b.received.length, 40);
    // A consent check every 4–6 s for 45 s, on each side (this seed: 8 and 9), each answered
    // with the old credentials.
    assert.equal(consentAt(s.a) - atRestart[0]!, 8);
    assert.equal(consentAt(s.b) - atRestart[1]!, 9);
    for (const side of [s.a, s.b]) {
      assert.equal(side.agent.stats().dropped["bad-credentials"], undefined, side.name);
      assert.equal(side.timeOf("disconnected"), undefined, side.name);
    }
    s.internet.configure({ loss: 1 });
    s.sim.run({ maxTime: cutAt + 60_000 });
    for (const side of [s.a, s.b]) {
      const failed = side.timeOf("failed")!;
      assert.ok(failed > cutAt && failed <= cutAt + 30_000, `${side.name} failed at ${failed}`);
      assert.equal(failed - side.timeOf("disconnected")!, 20_000, side.name);
    }
    assert.equal(s.a.send("after"), false);
  });
});
