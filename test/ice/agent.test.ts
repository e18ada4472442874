// Two agents wired back to back without NAT: a direct, deterministic loop that delivers every
// transmit after a fixed latency. The NAT scenarios live in test/sim/.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransportAddress } from "../../src/common/address.js";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";
import type { Datagram } from "../../src/common/sans-io.js";
import type { AgentEvent, AgentOptions } from "../../src/ice/types.js";

const addr = (address: string, port: number): TransportAddress => ({
  family: "IPv4",
  address,
  port,
});

interface Side {
  agent: IceAgent;
  events: AgentEvent[];
  address: TransportAddress;
}

/** Runs two agents back to back; returns the virtual time when `until` held. */
function run(
  a: Side,
  b: Side,
  until: () => boolean,
  latency = 1,
  maxTime = 60_000,
  signal = true,
): number {
  let now = 0;
  const inFlight: { at: number; to: Side; t: Datagram }[] = [];
  const drain = (side: Side, other: Side): void => {
    for (let t; (t = side.agent.pollTransmit());) {
      assert.equal(t.type, "datagram", "no TURN server, no streams");
      if (t.type === "datagram") inFlight.push({ at: now + latency, to: other, t });
    }
    for (let e; (e = side.agent.pollEvent());) {
      side.events.push(e);
      if (!signal) continue;
      if (e.type === "local-candidate")
        other.agent.addRemoteCandidate(now, toRemoteCandidateInput(e.candidate));
      if (e.type === "gathering-complete") other.agent.endOfRemoteCandidates(now);
    }
  };
  const drainAll = (): void => {
    for (let i = 0; i < 4; i++) {
      drain(a, b);
      drain(b, a);
    }
  };
  drainAll();
  while (!until() && now < maxTime) {
    const timers = [
      a.agent.pollTimeout(),
      b.agent.pollTimeout(),
      ...inFlight.map((f) => f.at),
    ].filter((x): x is number => x !== undefined);
    if (timers.length === 0) break;
    now = Math.max(now, Math.min(...timers));
    for (const f of inFlight.filter((x) => x.at <= now)) {
      inFlight.splice(inFlight.indexOf(f), 1);
      f.to.agent.handleDatagram(now, { local: f.t.remote, remote: f.t.local, data: f.t.data });
      drainAll();
    }
    for (const side of [a, b]) {
      const due = side.agent.pollTimeout();
      if (due !== undefined && due <= now) side.agent.handleTimeout(now);
    }
    drainAll();
  }
  return now;
}

function side(
  seed: number,
  role: AgentOptions["role"],
  address: TransportAddress,
  extra: Partial<AgentOptions> = {},
): Side {
  const agent = new IceAgent({ role, rng: seededRng(seed), ...extra });
  agent.addHostAddress(0, 1, address);
  return { agent, events: [], address };
}

function connect(a: Side, b: Side): void {
  a.agent.setRemoteCredentials(0, b.agent.localCredentials.ufrag, b.agent.localCredentials.pwd);
  b.agent.setRemoteCredentials(0, a.agent.localCredentials.ufrag, a.agent.localCredentials.pwd);
  a.agent.startGathering(0);
  b.agent.startGathering(0);
}

describe("IceAgent back to back", () => {
  it("connects host to host, selects the same pair on both sides and completes within 3 round trips", () => {
    const a = side(1, "controlling", addr("192.0.2.1", 1000));
    const b = side(2, "controlled", addr("192.0.2.2", 2000));
    connect(a, b);
    const t = run(a, b, () => a.agent.state() === "completed" && b.agent.state() === "completed");
    assert.equal(a.agent.state(), "completed");
    assert.equal(b.agent.state(), "completed");
    assert.ok(t <= 6, `took ${t} ms of virtual time`);
    const pa = a.agent.selectedPair(1)!;
    const pb = b.agent.selectedPair(1)!;
    assert.deepEqual(pa.local.address, pb.remote.address);
    assert.deepEqual(pa.remote.address, pb.local.address);
    assert.equal(pa.local.type, "host");
    assert.equal(pa.remote.type, "host");
  });

  it("delivers data both ways over the selected pair and drops datagrams from unvalidated sources", () => {
    const a = side(3, "controlling", addr("192.0.2.1", 1000));
    const b = side(4, "controlled", addr("192.0.2.2", 2000));
    connect(a, b);
    run(a, b, () => a.agent.state() === "completed" && b.agent.state() === "completed");
    assert.equal(a.agent.send(10, 1, new TextEncoder().encode("hello")), true);
    const t = a.agent.pollTransmit()!;
    assert.ok(t.type === "datagram");
    assert.deepEqual(t.remote, b.address);
    b.agent.handleDatagram(11, { local: t.remote, remote: t.local, data: t.data });
    const received = [];
    for (let e; (e = b.agent.pollEvent());)
      if (e.type === "data") received.push(new TextDecoder().decode(e.data));
    assert.deepEqual(received, ["hello"]);
    assert.equal(
      b.agent.handleDatagram(12, {
        local: b.address,
        remote: addr("192.0.2.99", 9),
        data: Uint8Array.of(0x80, 1),
      }),
      true,
    );
    assert.equal(b.agent.stats().dropped["unvalidated-source"], 1);
    assert.equal(b.agent.stats().dataReceived, 1);
  });

  it("resolves a role conflict when both start controlling (RFC 8445 §7.3.1.1)", () => {
    const a = side(5, "controlling", addr("192.0.2.1", 1000), { tieBreaker: 10n });
    const b = side(6, "controlling", addr("192.0.2.2", 2000), { tieBreaker: 20n });
    connect(a, b);
    run(a, b, () => a.agent.state() === "completed" && b.agent.state() === "completed");
    assert.equal(a.agent.role, "controlled");
    assert.equal(b.agent.role, "controlling");
    assert.equal(a.agent.state(), "completed");
  });

  it("resolves a role conflict when both start controlled", () => {
    const a = side(7, "controlled", addr("192.0.2.1", 1000), { tieBreaker: 10n });
    const b = side(8, "controlled", addr("192.0.2.2", 2000), { tieBreaker: 20n });
    connect(a, b);
    run(a, b, () => a.agent.state() === "completed" && b.agent.state() === "completed");
    assert.equal(b.agent.role, "controlling");
    assert.equal(a.agent.role, "controlled");
    assert.equal(b.agent.state(), "completed");
  });

  it("fails after end-of-candidates when the peer never answers", () => {
    const a = side(9, "controlling", addr("192.0.2.1", 1000));
    const b = side(10, "controlled", addr("192.0.2.2", 2000));
    connect(a, b);
    // Only signalling flows: b's agent never gets a's datagrams because we drop them all.
    let now = 0;
    for (let e; (e = b.agent.pollEvent());) {
      if (e.type === "local-candidate")
        a.agent.addRemoteCandidate(now, toRemoteCandidateInput(e.candidate));
    }
    a.agent.endOfRemoteCandidates(now);
    while (a.agent.state() !== "failed" && now < 120_000) {
      now = a.agent.pollTimeout() ?? Infinity;
      if (now === Infinity) break;
      a.agent.handleTimeout(now);
      while (a.agent.pollTransmit());
    }
    assert.equal(a.agent.state(), "failed");
    // Sends at 0, 0.5, 1.5, 3.5 s, then every maxRtoMs (3 s): 6.5, 9.5, 12.5 s; the last wait is
    // Rm × RTO = 8 s, so the check times out at 20.5 s, and failureGraceMs (1 s) follows.
    assert.equal(now, 20_500 + 1000);
    assert.equal(a.agent.stats().checksSent, 1);
    assert.equal(a.agent.stats().checkRetransmissions, 6);
  });
});
