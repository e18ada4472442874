import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  StunMethod,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
} from "../../src/stun/index.js";
import { SimStunServer, Simulator, StunProbe } from "./index.js";

function setup(seed = 9) {
  const sim = new Simulator({ seed });
  const internet = sim.network("internet", { latency: 10 });
  const server = new SimStunServer();
  const s = sim.attach(sim.host("stun", { ip: "198.51.100.1", on: internet }), server, [
    { port: 3478 },
  ]);
  const probe = new StunProbe(sim.rng("client"));
  const c = sim.attach(sim.host("client", { ip: "198.51.100.7", on: internet }), probe, [
    { port: 4000 },
  ]);
  return { sim, internet, server, s, probe, c, rng: sim.rng("raw") };
}

describe("SimStunServer", () => {
  it("answers a Binding request with the source address as XOR-MAPPED-ADDRESS and a FINGERPRINT", () => {
    const { sim, server, s, probe, c, rng } = setup();
    const transactionId = createTransactionId(rng);
    const request = encodeStunMessage({
      class: "request",
      method: StunMethod.Binding,
      transactionId,
      attributes: [],
    });
    c.input(() => probe.send(c.addresses[0]!, s.addresses[0]!, request));
    sim.run({ maxTime: 100 });
    assert.equal(probe.received.length, 1);
    const reply = probe.received[0]!;
    assert.equal(reply.at, 20);
    assert.deepEqual(reply.remote, { family: "IPv4", address: "198.51.100.1", port: 3478 });
    const response = decodeStunMessage(reply.data);
    assert.equal(response.class, "success");
    assert.deepEqual(response.transactionId, transactionId);
    assert.equal(response.fingerprint, true);
    assert.deepEqual(getAttribute(response, "XOR-MAPPED-ADDRESS"), {
      family: "IPv4",
      address: "198.51.100.7",
      port: 4000,
    });
    assert.deepEqual(server.counters, { requests: 1, ignored: 0 });
  });

  it("ignores STUN indications, responses and non-STUN datagrams without answering", () => {
    const { sim, server, s, probe, c, rng } = setup();
    const message = (cls: "indication" | "success"): Uint8Array =>
      encodeStunMessage({
        class: cls,
        method: StunMethod.Binding,
        transactionId: createTransactionId(rng),
        attributes: [],
      });
    c.input(() => {
      probe.send(c.addresses[0]!, s.addresses[0]!, message("indication"));
      probe.send(c.addresses[0]!, s.addresses[0]!, message("success"));
      probe.send(c.addresses[0]!, s.addresses[0]!, Uint8Array.of(0x80, 0, 0, 0));
    });
    sim.run({ maxTime: 100 });
    assert.deepEqual(probe.received, []);
    assert.deepEqual(server.counters, { requests: 0, ignored: 3 });
    assert.equal(s.counters.notHandled, 1);
  });

  it("lets the probe retransmit until an answer comes through a lossy link", () => {
    const { sim, internet, server, probe, c, s } = setup(6);
    internet.configure({ loss: 0.5 });
    const r = c.input((now) => probe.binding(now, c.addresses[0]!, s.addresses[0]!));
    sim.run({ until: () => probe.idle, maxTime: 60_000 });
    assert.equal(r.state, "success");
    // sends at 0, 500, 1500 and 3500 ms; the last one's answer arrives 20 ms later
    assert.equal(r.completedAt, 3520);
    assert.equal(server.counters.requests, 2);
    assert.deepEqual(internet.counters, {
      sent: 6,
      delivered: 3,
      lost: 3,
      duplicated: 0,
      unroutable: 0,
    });
  });
});
