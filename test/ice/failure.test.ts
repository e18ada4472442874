import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";
import type { AgentOptions } from "../../src/ice/types.js";
import { HOST, PEER, checkFromPeer, remoteHost, succeed, testParts, withPairs } from "./parts.js";

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

  it("without end-of-candidates fails noEndOfCandidatesTimeoutMs after its last pair failed", () => {
    const p = testParts({ failureGraceMs: 500, noEndOfCandidatesTimeoutMs: 4000 });
    const [pair] = withPairs(p, [PEER]);
    p.gathering.start(0);
    p.gathering.checkDone();
    p.takeEvents();
    p.judge.judge(0);
    pair!.state = "failed";
    p.judge.judge(1000);
    assert.equal(p.judge.deadline(p.components.get(1)!), 5000);
    p.judge.judge(4999);
    assert.deepEqual(states(p), []);
    p.judge.judge(5000);
    assert.deepEqual(states(p), ["failed"]);
  });

  it("without end-of-candidates starts its wait again when a new remote candidate comes", () => {
    const p = testParts({ failureGraceMs: 500, noEndOfCandidatesTimeoutMs: 4000 });
    const [pair] = withPairs(p, [PEER]);
    p.gathering.start(0);
    p.gathering.checkDone();
    p.takeEvents();
    pair!.state = "failed";
    p.judge.judge(1000);
    p.judge.remoteCandidateAdded();
    p.judge.judge(3000);
    assert.equal(p.judge.deadline(p.components.get(1)!), 7000);
    p.judge.judge(6999);
    assert.deepEqual(states(p), []);
    p.judge.remoteEnded = true;
    p.judge.judge(7000);
    assert.deepEqual(states(p), ["failed"], "end-of-candidates: only failureGraceMs is left");
  });

  it("without end-of-candidates and without any pair never fails (nothing was checked yet)", () => {
    const p = testParts({ noEndOfCandidatesTimeoutMs: 4000 });
    withPairs(p, []);
    p.gathering.start(0);
    p.gathering.checkDone();
    p.takeEvents();
    p.judge.judge(0);
    p.judge.judge(1_000_000);
    assert.deepEqual(states(p), []);
    assert.equal(p.judge.deadline(p.components.get(1)!), undefined);
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

describe("IceAgent without end-of-candidates", () => {
  /** Runs the agent on virtual time (nobody answers); returns the times of its events. */
  function silentPeer(options: Partial<AgentOptions> = {}) {
    const agent = new IceAgent({ role: "controlling", rng: seededRng(3), ...options });
    agent.addHostAddress(0, 1, HOST);
    agent.setRemoteCredentials(0, "peer", "peer-password-0123456789");
    agent.startGathering(0);
    agent.addRemoteCandidate(0, toRemoteCandidateInput(remoteHost(PEER)));
    const log: string[] = [];
    let checks = 0;
    let lastCheckAt = 0;
    const drain = (now: number) => {
      while (agent.pollTransmit() !== undefined) {
        checks++;
        lastCheckAt = now;
      }
      for (let e; (e = agent.pollEvent());)
        if (e.type === "agent-state") log.push(`${now} ${e.state}`);
    };
    drain(0);
    for (
      let now = agent.pollTimeout();
      now !== undefined && now <= 120_000;
      now = agent.pollTimeout()
    ) {
      agent.handleTimeout(now);
      drain(now);
    }
    return { agent, log, checks, lastCheckAt };
  }

  it("fails noEndOfCandidatesTimeoutMs (10 s) after its only check timed out, and then stops its timers", () => {
    const { agent, log, checks, lastCheckAt } = silentPeer();
    assert.equal(checks, 7, "maxCheckTransmissions");
    assert.equal(
      lastCheckAt,
      12_500,
      "sends at 0, 0.5, 1.5, 3.5, 6.5, 9.5, 12.5 s (RTO capped at 3 s)",
    );
    // The check times out Rm × RTO = 16 × 500 ms after its last send (RFC 8489 §6.2.1), at
    // 20.5 s; the agent fails 10 s later.
    assert.deepEqual(log, ["0 checking", "30500 failed"]);
    assert.equal(agent.pollTimeout(), undefined);
  });

  it("takes its wait from noEndOfCandidatesTimeoutMs", () => {
    const { log } = silentPeer({ noEndOfCandidatesTimeoutMs: 2000 });
    assert.deepEqual(log, ["0 checking", "22500 failed"]);
  });
});
