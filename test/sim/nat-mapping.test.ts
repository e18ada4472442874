import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatTransportAddress as fmt } from "../../src/common/address.js";
import { SimStunServer, Simulator, StunProbe, type NatBehavior, type NatOptions } from "./index.js";

type Extra = Omit<Partial<NatOptions>, "on">;

/**
 * alice (10.0.0.2) behind a NAT (lan 1 ms) on a 10 ms internet with STUN servers on
 * 198.51.100.1 (ports 3478 and 3479) and 198.51.100.2 (port 3478).
 */
function scenario(mapping: NatBehavior, extra: Extra = {}, seed = 1) {
  const sim = new Simulator({ seed, trace: true });
  const internet = sim.network("internet", { latency: 10 });
  const nat = sim.nat("nat", {
    on: internet,
    publicIp: "203.0.113.1",
    mapping,
    filtering: "address-and-port-dependent",
    lan: { latency: 1 },
    ...extra,
  });
  const s1 = new SimStunServer();
  const s2 = new SimStunServer();
  const one = sim.attach(sim.host("stun1", { ip: "198.51.100.1", on: internet }), s1, [
    { port: 3478 },
    { port: 3479 },
  ]);
  const two = sim.attach(sim.host("stun2", { ip: "198.51.100.2", on: internet }), s2, [
    { port: 3478 },
  ]);
  const servers = [...one.addresses, ...two.addresses];
  const alice = sim.host("alice", { ip: "10.0.0.2", on: nat.lan });
  const probe = new StunProbe(sim.rng("alice"));
  const a = sim.attach(alice, probe);
  return { sim, internet, nat, s1, s2, servers, alice, probe, a };
}

/** Binds from alice's first address to each server at once; returns the mapped addresses. */
function bindAll(s: ReturnType<typeof scenario>): string[] {
  const { sim, probe, a, servers } = s;
  const start = sim.now;
  const results = servers.map((server) =>
    a.input((now) => probe.binding(now, a.addresses[0]!, server)),
  );
  sim.run({ until: () => probe.idle, maxTime: start + 60_000 });
  return results.map((r) => {
    assert.equal(r.state, "success");
    return fmt(r.mapped!);
  });
}

describe("NAT mapping behaviour seen through STUN Binding", () => {
  it("keeps one public port towards every server with endpoint-independent mapping", () => {
    const s = scenario("endpoint-independent");
    const mapped = bindAll(s);
    assert.deepEqual(mapped, ["203.0.113.1:56963", "203.0.113.1:56963", "203.0.113.1:56963"]);
    assert.equal(s.nat.counters.mappingsCreated, 1);
    assert.deepEqual(s.nat.mappings(), [
      {
        internal: { family: "IPv4", address: "10.0.0.2", port: 50000 },
        external: { family: "IPv4", address: "203.0.113.1", port: 56963 },
        lastUsed: 1,
      },
    ]);
  });

  it("uses a new public port per server address with address-dependent mapping", () => {
    const s = scenario("address-dependent");
    const mapped = bindAll(s);
    assert.equal(mapped[0], mapped[1]);
    assert.notEqual(mapped[0], mapped[2]);
    assert.deepEqual(mapped, ["203.0.113.1:56963", "203.0.113.1:56963", "203.0.113.1:65434"]);
    assert.equal(s.nat.counters.mappingsCreated, 2);
  });

  it("uses a new public port per server address and port with address-and-port-dependent mapping", () => {
    const s = scenario("address-and-port-dependent");
    const mapped = bindAll(s);
    assert.equal(new Set(mapped).size, 3);
    assert.deepEqual(mapped, ["203.0.113.1:56963", "203.0.113.1:65434", "203.0.113.1:55006"]);
    assert.equal(s.nat.counters.mappingsCreated, 3);
  });

  it("answers after exactly two lan hops and two internet hops, and counts each request", () => {
    const s = scenario("endpoint-independent");
    bindAll(s);
    assert.deepEqual(
      s.probe.results.map((r) => r.completedAt),
      [22, 22, 22],
    );
    assert.deepEqual(s.s1.counters, { requests: 2, ignored: 0 });
    assert.deepEqual(s.s2.counters, { requests: 1, ignored: 0 });
    assert.deepEqual(s.nat.counters, {
      mappingsCreated: 1,
      mappingsExpired: 0,
      outbound: 3,
      inbound: 3,
      inboundNoMapping: 0,
      inboundFiltered: 0,
      hairpinned: 0,
      hairpinDropped: 0,
    });
  });

  it("gives the same ports and the same trace on every run with the same seed, others with another", () => {
    const first = scenario("address-and-port-dependent", {}, 5);
    const second = scenario("address-and-port-dependent", {}, 5);
    const other = scenario("address-and-port-dependent", {}, 6);
    const ports = bindAll(first);
    assert.deepEqual(bindAll(second), ports);
    assert.deepEqual(second.sim.trace, first.sim.trace);
    assert.notDeepEqual(bindAll(other), ports);
  });

  it("hands out ports upwards from 49152 with sequential allocation", () => {
    const s = scenario("address-and-port-dependent", { portAllocation: "sequential" });
    assert.deepEqual(bindAll(s), ["203.0.113.1:49152", "203.0.113.1:49153", "203.0.113.1:49154"]);
  });

  it("keeps the internal port when it is free with port preservation, and falls back when not", () => {
    const s = scenario("endpoint-independent", { portAllocation: "preserve" });
    const bob = s.sim.host("bob", { ip: "10.0.0.3", on: s.nat.lan });
    const bobProbe = new StunProbe(s.sim.rng("bob"));
    const b = s.sim.attach(bob, bobProbe);
    assert.deepEqual(bindAll(s)[0], "203.0.113.1:50000");
    const r = b.input((now) => bobProbe.binding(now, b.addresses[0]!, s.servers[0]!));
    s.sim.run({ until: () => bobProbe.idle, maxTime: 60_000 });
    assert.equal(fmt(b.addresses[0]!), "10.0.0.3:50000");
    assert.equal(fmt(r.mapped!), "203.0.113.1:49152");
  });

  it("forgets a mapping left idle longer than the mapping timeout but not one kept in use", () => {
    const s = scenario("endpoint-independent", { mappingTimeout: 30_000 });
    const first = bindAll(s)[0];
    s.sim.run({ maxTime: 20_000 });
    assert.equal(bindAll(s)[0], first);
    s.sim.run({ maxTime: 55_000 });
    const later = bindAll(s)[0];
    assert.notEqual(later, first);
    assert.equal(s.nat.counters.mappingsCreated, 2);
    assert.equal(s.nat.counters.mappingsExpired, 1);
  });

  it("shows the outer NAT's address to a host behind two nested NATs", () => {
    const sim = new Simulator({ seed: 1 });
    const internet = sim.network("internet", { latency: 10 });
    const cgn = sim.nat("cgn", {
      on: internet,
      publicIp: "203.0.113.100",
      mapping: "endpoint-independent",
      filtering: "endpoint-independent",
      portAllocation: "sequential",
      lan: { latency: 2 },
    });
    const home = sim.nat("home", {
      on: cgn.lan,
      publicIp: "10.64.0.2",
      mapping: "endpoint-independent",
      filtering: "address-and-port-dependent",
      portAllocation: "preserve",
      lan: { latency: 1 },
    });
    const server = sim.attach(
      sim.host("stun", { ip: "198.51.100.1", on: internet }),
      new SimStunServer(),
      [{ port: 3478 }],
    );
    const probe = new StunProbe(sim.rng("alice"));
    const a = sim.attach(sim.host("alice", { ip: "10.0.0.2", on: home.lan }), probe);
    const r = a.input((now) => probe.binding(now, a.addresses[0]!, server.addresses[0]!));
    sim.run({ until: () => probe.idle, maxTime: 60_000 });
    assert.equal(fmt(r.mapped!), "203.0.113.100:49152");
    assert.equal(r.completedAt, 26);
    assert.equal(fmt(home.mappings()[0]!.external), "10.64.0.2:50000");
    assert.equal(cgn.counters.mappingsCreated, 1);
  });

  it("shows a public host and an IPv6 address their own address", () => {
    const s = scenario("endpoint-independent");
    const internet = s.internet;
    s.alice.addAddress("2001:db8::2", internet);
    const v6 = s.sim.host("stun6", { ip: "2001:db8::1", on: internet });
    const server6 = s.sim.attach(v6, new SimStunServer(), [{ port: 3478 }]);
    const bob = s.sim.host("bob", { ip: "198.51.100.30", on: internet });
    const bobProbe = new StunProbe(s.sim.rng("bob"));
    const b = s.sim.attach(bob, bobProbe);
    const [v6local] = s.a.bind({ ip: "2001:db8::2", port: 7000 });
    const r6 = s.a.input((now) => s.probe.binding(now, v6local!, server6.addresses[0]!));
    const rb = b.input((now) => bobProbe.binding(now, b.addresses[0]!, s.servers[0]!));
    s.sim.run({ until: () => s.probe.idle && bobProbe.idle, maxTime: 60_000 });
    assert.equal(fmt(r6.mapped!), "[2001:db8::2]:7000");
    assert.equal(fmt(rb.mapped!), "198.51.100.30:50000");
    assert.equal(s.nat.counters.mappingsCreated, 0);
  });
});
