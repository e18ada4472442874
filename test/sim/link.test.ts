import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Simulator, StunProbe, type LinkConditions, type LinkCounters } from "./index.js";

interface Blast {
  readonly counters: LinkCounters;
  /** Sequence number and arrival time of every datagram b received, in arrival order. */
  readonly arrivals: readonly { readonly seq: number; readonly at: number }[];
  readonly trace: readonly string[];
}

/** Sends `count` numbered datagrams from a to b, one every `spacing` ms from t=0. */
function blast(
  seed: number,
  conditions: Partial<LinkConditions>,
  count: number,
  spacing = 1,
): Blast {
  const sim = new Simulator({ seed, trace: true });
  const internet = sim.network("internet", conditions);
  const a = sim.host("a", { ip: "198.51.100.10", on: internet });
  const b = sim.host("b", { ip: "198.51.100.20", on: internet });
  const pa = new StunProbe(sim.rng("a"));
  const pb = new StunProbe(sim.rng("b"));
  const aa = sim.attach(a, pa);
  const bb = sim.attach(b, pb);
  const from = aa.addresses[0]!;
  const to = bb.addresses[0]!;
  for (let seq = 0; seq < count; seq++) {
    sim.at(seq * spacing, () => aa.input(() => pa.send(from, to, Uint8Array.of(seq >> 8, seq))));
  }
  sim.run({ maxTime: count * spacing + 1000 });
  const arrivals = pb.received.map((d) => ({ seq: (d.data[0]! << 8) | d.data[1]!, at: d.at }));
  return { counters: internet.counters, arrivals, trace: sim.trace };
}

describe("links", () => {
  it("delivers a datagram sent at t=0 over a 10 ms link at exactly t=10", () => {
    const run = blast(1, { latency: 10 }, 3, 5);
    assert.deepEqual(run.arrivals, [
      { seq: 0, at: 10 },
      { seq: 1, at: 15 },
      { seq: 2, at: 20 },
    ]);
    assert.deepEqual(run.counters, {
      sent: 3,
      delivered: 3,
      lost: 0,
      duplicated: 0,
      unroutable: 0,
    });
  });

  it("delays each datagram by the latency plus a uniform jitter, which reorders some of them", () => {
    const run = blast(7, { latency: 10, jitter: 5 }, 200, 1);
    assert.equal(run.arrivals.length, 200);
    for (const { seq, at } of run.arrivals) {
      assert.ok(at - seq >= 10 && at - seq < 15, `datagram ${seq} took ${at - seq} ms`);
    }
    let overtaken = 0;
    run.arrivals.forEach(({ seq }, i) => {
      if (i > 0 && seq < run.arrivals[i - 1]!.seq) overtaken++;
    });
    assert.equal(overtaken, 66);
  });

  it("drops exactly the same 30% share of datagrams on every run with the same seed", () => {
    const first = blast(42, { latency: 10, loss: 0.3 }, 1000);
    const second = blast(42, { latency: 10, loss: 0.3 }, 1000);
    assert.deepEqual(first.counters, {
      sent: 1000,
      delivered: 696,
      lost: 304,
      duplicated: 0,
      unroutable: 0,
    });
    assert.deepEqual(second.arrivals, first.arrivals);
    assert.deepEqual(second.trace, first.trace);
  });

  it("drops a different set of datagrams under another seed", () => {
    const first = blast(42, { loss: 0.3 }, 1000);
    const other = blast(43, { loss: 0.3 }, 1000);
    assert.notDeepEqual(other.arrivals, first.arrivals);
  });

  it("duplicates datagrams with the given probability and delivers both copies", () => {
    const run = blast(3, { latency: 10, duplicate: 0.1 }, 1000);
    assert.deepEqual(run.counters, {
      sent: 1000,
      delivered: 1101,
      lost: 0,
      duplicated: 101,
      unroutable: 0,
    });
    assert.equal(run.arrivals.length, 1101);
  });

  it("counts a datagram to an address that no node owns as unroutable", () => {
    const sim = new Simulator({ seed: 1 });
    const internet = sim.network("internet", { latency: 10 });
    const a = sim.host("a", { ip: "198.51.100.10", on: internet });
    const probe = new StunProbe(sim.rng("a"));
    const att = sim.attach(a, probe);
    const nowhere = { family: "IPv4", address: "192.0.2.99", port: 9 } as const;
    att.input(() => probe.send(att.addresses[0]!, nowhere, Uint8Array.of(1)));
    sim.run({ maxTime: 100 });
    assert.deepEqual(internet.counters, {
      sent: 1,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      unroutable: 1,
    });
  });

  it("cuts a link from the moment its loss is set to 1", () => {
    const sim = new Simulator({ seed: 1 });
    const internet = sim.network("internet", { latency: 10 });
    const a = sim.host("a", { ip: "198.51.100.10", on: internet });
    const b = sim.host("b", { ip: "198.51.100.20", on: internet });
    const pa = new StunProbe(sim.rng("a"));
    const pb = new StunProbe(sim.rng("b"));
    const aa = sim.attach(a, pa);
    const bb = sim.attach(b, pb);
    const ping = (): void =>
      aa.input(() => pa.send(aa.addresses[0]!, bb.addresses[0]!, Uint8Array.of(0)));
    sim.at(0, ping);
    sim.at(5, () => internet.configure({ loss: 1 }));
    sim.at(6, ping);
    sim.run({ maxTime: 100 });
    assert.deepEqual(
      pb.received.map((d) => d.at),
      [10],
    );
    assert.deepEqual(internet.counters, {
      sent: 2,
      delivered: 1,
      lost: 1,
      duplicated: 0,
      unroutable: 0,
    });
  });

  it("refuses impossible link conditions", () => {
    const sim = new Simulator({ seed: 1 });
    assert.throws(() => sim.network("bad", { loss: 1.5 }), RangeError);
    assert.throws(() => sim.network("worse", { latency: -1 }), RangeError);
  });
});
