import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatTransportAddress as fmt } from "../../src/common/address.js";
import { Simulator, StunProbe, type NatBehavior } from "./index.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * alice (10.0.0.2, behind an endpoint-independent-mapping NAT with the given filtering) says
 * hello to 198.51.100.1:3478 at t=0. At t=100 three senders write to the public address that
 * revealed — 198.51.100.1:3478, 198.51.100.1:3479 and 198.51.100.2:3478 — and one writes to a
 * public port that has no mapping. Returns who got through to alice.
 */
function unsolicited(filtering: NatBehavior) {
  const sim = new Simulator({ seed: 1 });
  const internet = sim.network("internet", { latency: 10 });
  const nat = sim.nat("nat", {
    on: internet,
    publicIp: "203.0.113.1",
    mapping: "endpoint-independent",
    filtering,
    lan: { latency: 1 },
  });
  const alice = new StunProbe(sim.rng("alice"));
  const a = sim.attach(sim.host("alice", { ip: "10.0.0.2", on: nat.lan }), alice);
  const one = new StunProbe(sim.rng("peer1"));
  const p1 = sim.attach(sim.host("peer1", { ip: "198.51.100.1", on: internet }), one, [
    { port: 3478 },
    { port: 3479 },
  ]);
  const two = new StunProbe(sim.rng("peer2"));
  const p2 = sim.attach(sim.host("peer2", { ip: "198.51.100.2", on: internet }), two, [
    { port: 3478 },
  ]);

  a.input(() => alice.send(a.addresses[0]!, p1.addresses[0]!, text("hello")));
  sim.run({ maxTime: 100 });
  assert.equal(one.received.length, 1);
  const mapped = one.received[0]!.remote;
  const unmapped = { ...mapped, port: 40000 };
  p1.input(() => {
    one.send(p1.addresses[0]!, mapped, text("same ip, same port"));
    one.send(p1.addresses[1]!, mapped, text("same ip, other port"));
  });
  p2.input(() => {
    two.send(p2.addresses[0]!, mapped, text("other ip"));
    two.send(p2.addresses[0]!, unmapped, text("no mapping"));
  });
  sim.run({ maxTime: 1000 });
  const got = alice.received.map(
    (d) => `${new TextDecoder().decode(d.data)} from ${fmt(d.remote)} at ${d.at}`,
  );
  return { got, nat };
}

describe("NAT filtering of unsolicited inbound datagrams", () => {
  it("lets anyone in through a mapping with endpoint-independent filtering", () => {
    const { got, nat } = unsolicited("endpoint-independent");
    assert.deepEqual(got, [
      "same ip, same port from 198.51.100.1:3478 at 111",
      "same ip, other port from 198.51.100.1:3479 at 111",
      "other ip from 198.51.100.2:3478 at 111",
    ]);
    assert.equal(nat.counters.inbound, 3);
    assert.equal(nat.counters.inboundFiltered, 0);
    assert.equal(nat.counters.inboundNoMapping, 1);
  });

  it("lets in only the addresses alice contacted with address-dependent filtering", () => {
    const { got, nat } = unsolicited("address-dependent");
    assert.deepEqual(got, [
      "same ip, same port from 198.51.100.1:3478 at 111",
      "same ip, other port from 198.51.100.1:3479 at 111",
    ]);
    assert.equal(nat.counters.inbound, 2);
    assert.equal(nat.counters.inboundFiltered, 1);
    assert.equal(nat.counters.inboundNoMapping, 1);
  });

  it("lets in only the exact address and port alice contacted with address-and-port-dependent filtering", () => {
    const { got, nat } = unsolicited("address-and-port-dependent");
    assert.deepEqual(got, ["same ip, same port from 198.51.100.1:3478 at 111"]);
    assert.equal(nat.counters.inbound, 1);
    assert.equal(nat.counters.inboundFiltered, 2);
    assert.equal(nat.counters.inboundNoMapping, 1);
  });

  it("lets nothing in before alice has sent anything, whatever the filtering", () => {
    const sim = new Simulator({ seed: 1 });
    const internet = sim.network("internet", { latency: 10 });
    const nat = sim.nat("nat", {
      on: internet,
      publicIp: "203.0.113.1",
      mapping: "endpoint-independent",
      filtering: "endpoint-independent",
    });
    const alice = new StunProbe(sim.rng("alice"));
    sim.attach(sim.host("alice", { ip: "10.0.0.2", on: nat.lan }), alice);
    const peer = new StunProbe(sim.rng("peer"));
    const p = sim.attach(sim.host("peer", { ip: "198.51.100.1", on: internet }), peer);
    const guess = { family: "IPv4", address: "203.0.113.1", port: 50000 } as const;
    p.input(() => peer.send(p.addresses[0]!, guess, text("knock")));
    sim.run({ maxTime: 100 });
    assert.deepEqual(alice.received, []);
    assert.equal(nat.counters.inboundNoMapping, 1);
    assert.equal(nat.counters.mappingsCreated, 0);
  });
});
