/**
 * A deterministic network simulator for sans-IO endpoints (docs/testing.md): a virtual clock,
 * networks with latency, jitter, loss and duplication, RFC 4787 NATs, a STUN server and a STUN
 * probe. Nothing here touches a socket or a real clock.
 *
 * ```ts
 * const sim = new Simulator({ seed: 1 });
 * const internet = sim.network("internet", { latency: 10 });
 * const natA = sim.nat("natA", {
 *   on: internet, publicIp: "203.0.113.1",
 *   mapping: "endpoint-independent", filtering: "address-and-port-dependent",
 * });
 * const alice = sim.host("alice", { ip: "10.0.0.2", on: natA.lan });
 * const stun = sim.host("stun", { ip: "198.51.100.1", on: internet });
 * const server = sim.attach(stun, new SimStunServer(), [{ port: 3478 }]);
 * const probe = new StunProbe(sim.rng("alice"));
 * const a = sim.attach(alice, probe);
 * a.input((now) => probe.binding(now, a.addresses[0]!, server.addresses[0]!));
 * sim.run({ until: () => probe.idle, maxTime: 10_000 });
 * ```
 * @module
 */
export * from "./attachment.js";
export * from "./clock.js";
export * from "./host.js";
export * from "./nat.js";
export * from "./network.js";
export * from "./random.js";
export * from "./simulator.js";
export * from "./stun-probe.js";
export * from "./stun-server.js";
export * from "./types.js";
export * from "./turn-probe.js";
export * from "./turn-server.js";
