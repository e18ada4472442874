// Consent freshness across an ICE restart (RFC 8445 §9, RFC 7675 §5.1): the peer restarts with
// new credentials and (for now) no candidates, so the old selected pair keeps carrying data —
// and keeps its consent checks, with the old generation's credentials. One agent on a virtual
// clock against a scripted peer that answers the checks it can verify.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";
import { encodeCheckRequest, encodeCheckSuccess } from "../../src/ice/messages.js";
import type { Transmit } from "../../src/ice/types.js";
import { shortTermKey } from "../../src/stun/credentials.js";
import { decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { verifyMessageIntegrity } from "../../src/stun/verify.js";
import { HOST, PEER, PEER2, remoteHost } from "./fixtures.js";

const OLD = { ufrag: "peer1", pwd: "peer-password-one-0123456789" };
const NEW = { ufrag: "peer2", pwd: "peer-password-two-0123456789" };
/** Our first generation's credentials. */
const US = { ufrag: "us01", pwd: "our-password-one-0123456789" };

/** A request the peer saw: when, where it went, its USERNAME. */
interface Seen {
  readonly at: number;
  readonly port: number;
  readonly username: string;
}

/** The agent (controlling, consent every ~1 s, disconnected at 3 s, failed at 6 s) and its peer. */
function rig() {
  const agent = new IceAgent({
    role: "controlling",
    rng: seededRng(11),
    consentIntervalMs: 1000,
    disconnectedTimeoutMs: 3000,
    consentTimeoutMs: 6000,
    ufrag: US.ufrag,
    pwd: US.pwd,
  });
  const peer = { credentials: [OLD], answering: true, seen: [] as Seen[] };
  const states: string[] = [];
  let now = 0;
  /** The peer answers a Binding request it can verify with one of its passwords. */
  const answer = (t: Transmit): void => {
    assert.ok(t.type === "datagram");
    const message = decodeStunMessage(t.data);
    if (message.class !== "request") return;
    const username = getAttribute(message, "USERNAME") ?? "";
    peer.seen.push({ at: now, port: t.remote.port, username });
    const mine = peer.credentials.find((c) => username.startsWith(`${c.ufrag}:`));
    if (mine === undefined || !peer.answering) return;
    const key = shortTermKey(mine.pwd, "none");
    if (!verifyMessageIntegrity(message, key)) return;
    const data = encodeCheckSuccess(message.transactionId, t.local, key);
    agent.handleDatagram(now, { local: t.local, remote: t.remote, data });
  };
  const drain = (): void => {
    for (let i = 0; i < 10; i++) {
      const transmits: Transmit[] = [];
      for (let t; (t = agent.pollTransmit());) transmits.push(t);
      for (let e; (e = agent.pollEvent());)
        if (e.type === "agent-state") states.push(`${now} ${e.state}`);
      if (transmits.length === 0) return;
      for (const t of transmits) answer(t);
    }
  };
  /** Runs timers up to `until` (virtual ms), the peer answering at once. */
  const runUntil = (until: number): void => {
    for (
      let due = agent.pollTimeout();
      due !== undefined && due <= until;
      due = agent.pollTimeout()
    ) {
      now = Math.max(now, due);
      agent.handleTimeout(now);
      drain();
    }
    now = until;
  };
  const at = (time: number, input: (now: number) => void): void => {
    runUntil(time);
    input(now);
    drain();
  };
  agent.addHostAddress(0, 1, HOST);
  agent.setRemoteCredentials(0, OLD.ufrag, OLD.pwd);
  agent.startGathering(0);
  agent.addRemoteCandidate(0, toRemoteCandidateInput(remoteHost(PEER)));
  drain();
  runUntil(100);
  assert.equal(agent.state(), "completed", "selected host to host in the first generation");
  const oldUfrag = agent.localCredentials.ufrag;
  /** The peer's restart: new credentials in a transport-info, and no candidates. */
  at(1000, (t) => agent.setRemoteCredentials(t, NEW.ufrag, NEW.pwd));
  assert.notEqual(agent.localCredentials.ufrag, oldUfrag, "we restarted too");
  const consentAfterRestart = () => peer.seen.filter((s) => s.at > 1000);
  return { agent, peer, states, at, runUntil, oldUfrag, consentAfterRestart };
}

describe("consent across an ICE restart", () => {
  it("keeps checking the old pair's consent with the old credentials while it carries data", () => {
    const { agent, peer, states, runUntil, oldUfrag, consentAfterRestart } = rig();
    const before = agent.stats().consentChecksSent;
    runUntil(21_000);
    const seen = consentAfterRestart();
    // Every 0.8–1.2 s from the selection at 0 to 21 s: 17 to 26 checks; this seed gives 20.
    assert.equal(before, 0, "the first consent check was due after the restart");
    assert.equal(seen.length, 20);
    assert.equal(agent.stats().consentChecksSent, 20);
    for (const s of seen) assert.deepEqual([s.port, s.username], [PEER.port, `peer1:${oldUfrag}`]);
    assert.equal(agent.state(), "checking", "no new pair yet, and nothing lost");
    assert.deepEqual(states, ["0 checking", "0 connected", "0 completed", "1000 checking"]);
    assert.equal(agent.send(21_000, 1, new Uint8Array([1])), true, "the old pair carries data");
    assert.equal(peer.seen.filter((s) => s.username.startsWith("peer2:")).length, 0);
  });

  it("fails the old pair consentTimeoutMs after its last answer when the peer stops answering", () => {
    const { agent, peer, states, at, runUntil } = rig();
    at(5000, () => (peer.answering = false));
    const lastAnswered = Math.max(...peer.seen.filter((s) => s.at < 5000).map((s) => s.at));
    runUntil(60_000);
    assert.deepEqual(states, [
      "0 checking",
      "0 connected",
      "0 completed",
      "1000 checking",
      `${lastAnswered + 3000} disconnected`,
      `${lastAnswered + 6000} failed`,
    ]);
    assert.equal(lastAnswered, 3979, "this seed's last answered consent check");
    const unanswered = peer.seen.filter((s) => s.at > lastAnswered);
    // 4 answered consent checks (the last at 3979), then 5 unanswered ones (at 5123, 6243,
    // 7441, 8370 and 9303) sent 16 times in all (each up to 4 times, 500 ms apart, doubling).
    assert.equal(agent.stats().consentChecksSent, 9);
    assert.equal(unanswered.length, 16);
    assert.equal(new Set(unanswered.map((s) => s.username)).size, 1, "all with the old USERNAME");
    assert.equal(
      agent.send(60_000, 1, new Uint8Array([1])),
      false,
      "no sending after consent expired",
    );
    const after = peer.seen.filter((s) => s.at >= lastAnswered + 6000);
    assert.deepEqual(after, [], "no consent checks after the failure");
    assert.equal(agent.pollTimeout(), undefined);
  });

  it("stops the old pair's consent once the new generation selects a pair", () => {
    const { agent, peer, at, runUntil } = rig();
    peer.credentials = [OLD, NEW];
    at(3000, (t) => agent.addRemoteCandidate(t, toRemoteCandidateInput(remoteHost(PEER2))));
    assert.equal(agent.state(), "completed");
    assert.equal(agent.selectedPair(1)?.remote.address.port, PEER2.port);
    const oldBefore = peer.seen.filter((s) => s.port === PEER.port).length;
    runUntil(20_000);
    assert.equal(
      peer.seen.filter((s) => s.port === PEER.port).length,
      oldBefore,
      "none on the old pair",
    );
    const fresh = peer.seen.filter((s) => s.at > 3000);
    assert.equal(fresh.length, 17, "consent on the new pair, every 0.8–1.2 s for 17 s");
    for (const s of fresh) assert.equal(s.port, PEER2.port);
    for (const s of fresh) assert.ok(s.username.startsWith("peer2:"));
    assert.equal(agent.state(), "completed");
  });

  it("answers the peer's consent checks on the old pair with the old credentials, and only on that pair", () => {
    const { agent, oldUfrag, runUntil } = rig();
    assert.equal(oldUfrag, US.ufrag);
    runUntil(5000);
    const ours = shortTermKey(US.pwd, "none");
    // The peer's consent check in the old generation: USERNAME `ours:theirs`, signed with our
    // old password.
    const check = (key: Uint8Array, username = `${US.ufrag}:${OLD.ufrag}`) =>
      encodeCheckRequest({
        transactionId: new Uint8Array(12).fill(4),
        username,
        priority: 1,
        role: "controlled",
        tieBreaker: 1n,
        useCandidate: false,
        key,
      });
    const reply = (from: typeof PEER, data: Uint8Array): string => {
      agent.handleDatagram(5000, { local: HOST, remote: from, data });
      const t = agent.pollTransmit();
      assert.ok(t?.type === "datagram");
      assert.deepEqual(t.remote, from);
      assert.equal(agent.pollTransmit(), undefined);
      const message = decodeStunMessage(t.data);
      if (message.class !== "success") return String(getAttribute(message, "ERROR-CODE")?.code);
      return verifyMessageIntegrity(message, ours) ? "success, signed with the old key" : "?";
    };
    assert.equal(reply(PEER, check(ours)), "success, signed with the old key");
    assert.equal(reply(PEER2, check(ours)), "401", "not over the old pair");
    assert.equal(reply(PEER, check(shortTermKey("wrong-password-0123456789", "none"))), "401");
    const stats = agent.stats();
    assert.equal(stats.remoteCandidates, 0, "nothing learnt from the old generation's checks");
    assert.equal(stats.pairs, 0);
  });
});
