import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PEER, checkFromPeer, succeed, testParts, withPairs } from "./parts.js";

const states = (p: ReturnType<typeof testParts>) =>
  p.takeEvents().flatMap((e) => (e.type === "state" ? [e.state] : []));

/** Gathering done (no servers), end-of-candidates from the peer, one pair. */
function ended() {
  const p = testParts({ failureGraceMs: 500 });
  const [pair] = withPairs(p, [PEER]);
  p.gathering.start(0);
  p.gathering.checkDone();
  p.judge.remoteEnded = true;
  p.takeEvents();
  return { p, pair: pair! };
}

describe("FailureJudge", () => {
  it("fails a hopeless component only failureGraceMs after it became hopeless", () => {
    const { p, pair } = ended();
    p.judge.judge(0);
    assert.deepEqual(states(p), [], "a pair is still waiting");
    pair.state = "failed";
    p.judge.judge(100);
    assert.equal(p.judge.deadline(p.components.get(1)!), 600);
    p.judge.judge(599);
    assert.deepEqual(states(p), []);
    p.judge.judge(600);
    assert.deepEqual(states(p), ["failed"]);
    assert.equal(p.judge.deadline(p.components.get(1)!), undefined);
  });

  it("is not hopeless before end-of-candidates", () => {
    const { p, pair } = ended();
    pair.state = "failed";
    p.judge.remoteEnded = false;
    p.judge.judge(0);
    p.judge.judge(10_000);
    assert.deepEqual(states(p), []);
    p.judge.remoteEnded = true;
    p.judge.judge(10_000);
    p.judge.judge(10_500);
    assert.deepEqual(states(p), ["failed"]);
  });

  it("is not hopeless while a check from the peer waits for its credentials", () => {
    const p = testParts({ failureGraceMs: 500 });
    withPairs(p, []);
    p.gathering.start(0);
    p.gathering.checkDone();
    p.judge.remoteEnded = true;
    p.responder.handleRequest(0, p.registry.sockets[0]!, PEER, checkFromPeer(p));
    assert.equal(p.responder.earlyChecks, 1);
    p.judge.judge(0);
    p.judge.judge(10_000);
    assert.equal(p.states.of(1), "new");
  });

  it("moves a component with a valid pair to connected, and never fails it", () => {
    const { p, pair } = ended();
    succeed(p, pair);
    p.judge.judge(0);
    p.judge.judge(100_000);
    assert.deepEqual(states(p), ["connected"]);
  });
});
