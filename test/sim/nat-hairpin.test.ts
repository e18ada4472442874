import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatTransportAddress as fmt, type TransportAddress } from "../../src/common/address.js";
import { SimStunServer, Simulator, StunProbe, type NatBehavior } from "./index.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * alice (10.0.0.2) and bob (10.0.0.3) behind one NAT (lan 1 ms, internet 10 ms) learn their
 * public addresses from a STUN server; then the test makes them write to each other's.
 */
function twoBehindOneNat(hairpin: boolean, filtering: NatBehavior) {
  const sim = new Simulator({ seed: 1 });
  const internet = sim.network("internet", { latency: 10 });
  const nat = sim.nat("nat", {
    on: internet,
    publicIp: "203.0.113.1",
    mapping: "endpoint-independent",
    filtering,
    hairpin,
    portAllocation: "sequential",
    lan: { latency: 1 },
  });
  const server = sim.attach(
    sim.host("stun", { ip: "198.51.100.1", on: internet }),
    new SimStunServer(),
    [{ port: 3478 }],
  );
  const peers = ["alice", "bob"].map((name, i) => {
    const probe = new StunProbe(sim.rng(name));
    const att = sim.attach(sim.host(name, { ip: `10.0.0.${i + 2}`, on: nat.lan }), probe);
    att.input((now) => probe.binding(now, att.addresses[0]!, server.addresses[0]!));
    return { probe, att };
  });
  sim.run({ until: () => peers.every((p) => p.probe.idle), maxTime: 60_000 });
  const [alice, bob] = peers.map(({ probe, att }) => ({
    probe,
    public: probe.results[0]!.mapped!,
    /** Writes `s` from this peer's host address to `to` at absolute time `at`. */
    write(at: number, to: TransportAddress, s: string): void {
      sim.at(at, () => att.input(() => probe.send(att.addresses[0]!, to, text(s))));
    },
  })) as [Peer, Peer];
  const log = (p: Peer): string[] =>
    p.probe.received.map(
      (d) => `${new TextDecoder().decode(d.data)} from ${fmt(d.remote)} at ${d.at}`,
    );
  return { sim, nat, alice, bob, log };
}

interface Peer {
  readonly probe: StunProbe;
  readonly public: TransportAddress;
  write(at: number, to: TransportAddress, s: string): void;
}

describe("NAT hairpinning", () => {
  it("loops a datagram for a public address of its own back inside, from the sender's public address", () => {
    const { sim, nat, alice, bob, log } = twoBehindOneNat(true, "endpoint-independent");
    assert.equal(fmt(alice.public), "203.0.113.1:49152");
    assert.equal(fmt(bob.public), "203.0.113.1:49153");
    alice.write(100, bob.public, "hi bob");
    sim.run({ maxTime: 1000 });
    assert.deepEqual(log(bob), ["hi bob from 203.0.113.1:49152 at 102"]);
    assert.equal(nat.counters.hairpinned, 1);
    assert.equal(nat.counters.hairpinDropped, 0);
  });

  it("drops a datagram for its own public address when hairpinning is off", () => {
    const { sim, nat, alice, bob, log } = twoBehindOneNat(false, "endpoint-independent");
    alice.write(100, bob.public, "hi bob");
    sim.run({ maxTime: 1000 });
    assert.deepEqual(log(bob), []);
    assert.equal(nat.counters.hairpinned, 0);
    assert.equal(nat.counters.hairpinDropped, 1);
    assert.equal(nat.counters.mappingsCreated, 2);
  });

  it("filters hairpinned datagrams like inbound ones, so each side gets through once the other wrote", () => {
    const { sim, nat, alice, bob, log } = twoBehindOneNat(true, "address-and-port-dependent");
    alice.write(100, bob.public, "first from alice");
    bob.write(200, alice.public, "first from bob");
    alice.write(300, bob.public, "second from alice");
    sim.run({ maxTime: 1000 });
    assert.deepEqual(log(alice), ["first from bob from 203.0.113.1:49153 at 202"]);
    assert.deepEqual(log(bob), ["second from alice from 203.0.113.1:49152 at 302"]);
    assert.equal(nat.counters.inboundFiltered, 1);
    assert.equal(nat.counters.hairpinned, 2);
  });
});
