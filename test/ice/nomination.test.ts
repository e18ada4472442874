import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PEER, PEER2, succeed, testParts, withPairs } from "./parts.js";

function setup(role: "controlling" | "controlled" = "controlling") {
  const p = testParts({ role });
  const pairs = withPairs(p, [PEER, PEER2]);
  p.identity.setRemote("rem", "remote-password-0123456789");
  return { p, best: pairs[0]!, worse: pairs[1]! };
}

describe("Nomination", () => {
  it("waits up to nominationSettleMs for a better pair still pending, then nominates the best valid one", () => {
    const { p, best, worse } = setup();
    succeed(p, worse);
    p.nomination.succeeded(10, worse, false);
    p.nomination.nominate(10);
    assert.equal(p.components.get(1)!.nominating, undefined, "the better pair is still waiting");
    assert.equal(p.nomination.deadline(p.components.get(1)!), 110);
    p.nomination.nominate(110);
    assert.equal(p.components.get(1)!.nominating, worse);
    assert.equal(worse.check?.useCandidate, true);
    assert.equal(best.state, "waiting");
    assert.equal(p.nomination.deadline(p.components.get(1)!), undefined, "nominating now");
  });

  it("nominates at once when no better pair is pending, and never as the controlled agent", () => {
    const { p, best } = setup();
    succeed(p, best);
    p.nomination.succeeded(10, best, false);
    p.nomination.nominate(10);
    assert.equal(p.components.get(1)!.nominating, best);
    const controlled = setup("controlled");
    succeed(controlled.p, controlled.best);
    controlled.p.nomination.nominate(10);
    assert.equal(controlled.p.components.get(1)!.nominating, undefined);
  });

  it("selects the nominated pair when its USE-CANDIDATE check succeeds, and keeps a better selection", () => {
    const { p, best, worse } = setup();
    succeed(p, best);
    p.nomination.succeeded(10, best, true);
    assert.equal(p.components.get(1)!.selected, best);
    assert.equal(p.states.of(1), "completed");
    succeed(p, worse);
    p.nomination.select(20, worse);
    assert.equal(p.components.get(1)!.selected, best, "a worse nominated pair does not replace it");
    const selections = p.takeEvents().filter((e) => e.type === "selected-pair");
    assert.equal(selections.length, 1);
  });

  it("as the controlled agent selects a pair the peer nominated once our check on it succeeds", () => {
    const { p, best } = setup("controlled");
    best.remoteNominated = true;
    succeed(p, best);
    p.nomination.succeeded(30, best, false);
    assert.equal(p.components.get(1)!.selected, best);
    assert.equal(p.components.get(1)!.firstValidAt, 30);
  });

  it("finds the best valid pair by the priority of the pair the peer saw", () => {
    const { p, best, worse } = setup();
    assert.equal(p.nomination.bestValid(1), undefined);
    succeed(p, worse);
    succeed(p, best);
    assert.equal(p.nomination.bestValid(1), best);
  });
});
