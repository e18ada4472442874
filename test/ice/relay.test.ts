// The interface TURN fills: a relayed candidate whose transport the caller provides. Here the
// "relay" is the test itself: whatever the agent sends from the relayed address reaches the peer
// from that address, and what the peer sends to it comes back in on it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransportAddress } from "../../src/common/address.js";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { sameAddress, toRemoteCandidateInput } from "../../src/ice/candidate.js";
import type { AgentEvent } from "../../src/ice/types.js";

const v4 = (address: string, port: number): TransportAddress => ({ family: "IPv4", address, port });
const hostA = v4("10.0.0.2", 5000);
const relayed = v4("198.51.100.7", 49152);
const mapped = v4("203.0.113.1", 40000);
const server = v4("198.51.100.7", 3478);
const hostB = v4("192.0.2.2", 6000);

function drainEvents(agent: IceAgent): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (let e; (e = agent.pollEvent());) events.push(e);
  return events;
}

function setup(relayOnly: boolean) {
  const a = new IceAgent({ role: "controlling", rng: seededRng(1), relayOnly });
  const b = new IceAgent({ role: "controlled", rng: seededRng(2) });
  a.addHostAddress(0, 1, hostA);
  a.addRelayedCandidate(0, 1, relayed, mapped, server);
  b.addHostAddress(0, 1, hostB);
  a.setRemoteCredentials(0, b.localCredentials.ufrag, b.localCredentials.pwd);
  b.setRemoteCredentials(0, a.localCredentials.ufrag, a.localCredentials.pwd);
  a.startGathering(0);
  b.startGathering(0);
  const aEvents = drainEvents(a);
  const bEvents = drainEvents(b);
  for (const e of aEvents)
    if (e.type === "local-candidate") b.addRemoteCandidate(0, toRemoteCandidateInput(e.candidate));
  for (const e of bEvents)
    if (e.type === "local-candidate") a.addRemoteCandidate(0, toRemoteCandidateInput(e.candidate));
  return { a, b, aEvents };
}

/** Delivers transmits: only those sent from the relayed address reach b (a's host is private). */
function run(a: IceAgent, b: IceAgent): number {
  let now = 0;
  for (; now < 5000 && !(a.state() === "completed" && b.state() === "completed"); now++) {
    a.handleTimeout(now);
    b.handleTimeout(now);
    for (let t; (t = a.pollTransmit());) {
      if (t.type === "datagram" && t.local === relayed)
        b.handleDatagram(now, { local: hostB, remote: relayed, data: t.data });
    }
    for (let t; (t = b.pollTransmit());) {
      if (t.type === "datagram" && sameAddress(t.remote, relayed)) {
        a.handleDatagram(now, { local: relayed, remote: t.local, data: t.data });
      }
    }
    drainEvents(a);
    drainEvents(b);
  }
  return now;
}

describe("relayed candidates", () => {
  it("offers a relay candidate with rel-addr = the mapped address and the relay type preference", () => {
    const { aEvents } = setup(false);
    const candidates = aEvents.flatMap((e) => (e.type === "local-candidate" ? [e.candidate] : []));
    assert.deepEqual(
      candidates.map((c) => c.type),
      ["host", "relay"],
    );
    const relay = candidates[1]!;
    assert.deepEqual(relay.address, relayed);
    assert.deepEqual(relay.relatedAddress, mapped);
    assert.equal(relay.priority >>> 24, 0, "type preference 0 (RFC 8445 §5.1.2.2)");
  });

  it("connects through the relayed address when it is the only path", () => {
    const { a, b } = setup(false);
    run(a, b);
    assert.equal(a.state(), "completed");
    assert.equal(a.selectedPair(1)!.local.type, "relay");
    assert.deepEqual(b.selectedPair(1)!.remote.address, relayed);
  });

  it("with the relay-only policy reveals and checks only the relayed candidate", () => {
    const { a, b, aEvents } = setup(true);
    const types = aEvents.flatMap((e) => (e.type === "local-candidate" ? [e.candidate.type] : []));
    assert.deepEqual(types, ["relay"]);
    run(a, b);
    assert.equal(a.state(), "completed");
    assert.equal(a.stats().pairs, 1, "no pair on the host candidate");
    assert.equal(
      a.handleDatagram(10_000, { local: hostA, remote: hostB, data: new Uint8Array(4) }),
      true,
    );
    assert.equal(a.stats().dropped["relay-only"], 1);
  });
});
