import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TransportAddress } from "../../src/common/address.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import { Simulator, type SimDatagram, type SimTransmit } from "./index.js";

/** An endpoint that logs its inputs and follows a script of deadlines and transmits. */
class Scripted implements DatagramSansIo<SimTransmit, never> {
  readonly log: string[] = [];
  readonly outbox: SimTransmit[] = [];
  deadline: number | undefined;
  accept = true;
  onTimeout: (now: number) => void = () => {};

  handleDatagram(now: number, d: SimDatagram): boolean {
    this.log.push(`datagram@${now} from ${d.remote.address}:${d.remote.port}`);
    return this.accept;
  }
  handleTimeout(now: number): void {
    this.log.push(`timeout@${now}`);
    this.onTimeout(now);
  }
  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimTransmit | undefined {
    return this.outbox.shift();
  }
  pollTimeout(): number | undefined {
    return this.deadline;
  }
}

function pair(latency = 10) {
  const sim = new Simulator({ seed: 1 });
  const internet = sim.network("internet", { latency });
  const a = sim.host("a", { ip: "198.51.100.10", on: internet });
  const b = sim.host("b", { ip: "198.51.100.20", on: internet });
  const ea = new Scripted();
  const eb = new Scripted();
  const aa = sim.attach(a, ea, [{ port: 1000 }]);
  const bb = sim.attach(b, eb, [{ port: 2000 }]);
  return { sim, internet, a, b, ea, eb, aa, bb };
}

const data = Uint8Array.of(1, 2, 3);

describe("the endpoint driver", () => {
  it("drains every transmit an input produced, in order", () => {
    const { sim, ea, eb, aa, bb } = pair();
    const to = bb.addresses[0]!;
    aa.input(() => {
      for (let i = 0; i < 3; i++) ea.outbox.push({ local: aa.addresses[0]!, remote: to, data });
    });
    assert.equal(aa.counters.datagramsOut, 3);
    sim.run({ maxTime: 100 });
    assert.deepEqual(eb.log, [
      "datagram@10 from 198.51.100.10:1000",
      "datagram@10 from 198.51.100.10:1000",
      "datagram@10 from 198.51.100.10:1000",
    ]);
    assert.equal(bb.counters.datagramsIn, 3);
  });

  it("wakes the endpoint exactly at its deadline and re-arms from pollTimeout each time", () => {
    const { sim, ea, aa } = pair();
    ea.onTimeout = (now) => {
      ea.deadline = now < 300 ? now + 100 : undefined;
    };
    aa.input(() => {
      ea.deadline = 100;
    });
    sim.run({ maxTime: 1000 });
    assert.deepEqual(ea.log, ["timeout@100", "timeout@200", "timeout@300"]);
    assert.equal(sim.pendingEvents, 0);
  });

  it("fires a deadline that is already past at the current time", () => {
    const { sim, ea, aa } = pair();
    sim.at(50, () =>
      aa.input(() => {
        ea.deadline = 20;
      }),
    );
    ea.onTimeout = () => {
      ea.deadline = undefined;
    };
    sim.run({ maxTime: 1000 });
    assert.deepEqual(ea.log, ["timeout@50"]);
  });

  it("keeps one timer when the deadline moves and drops it when the deadline goes away", () => {
    const { sim, ea, aa } = pair();
    aa.input(() => {
      ea.deadline = 100;
    });
    aa.input(() => {
      ea.deadline = 60;
    });
    assert.equal(sim.pendingEvents, 1);
    sim.at(30, () =>
      aa.input(() => {
        ea.deadline = undefined;
      }),
    );
    sim.run({ maxTime: 1000 });
    assert.deepEqual(ea.log, []);
  });

  it("fails with a clear error when an endpoint keeps asking to be woken in the past", () => {
    const { sim, ea, aa } = pair();
    aa.input(() => {
      ea.deadline = 0;
    });
    assert.throws(
      () => sim.run({ maxTime: 1000 }),
      /"a#0" was woken 1000 times at t=0.*no progress/,
    );
  });

  it("fails with a clear error when an endpoint asks for a deadline of Infinity instead of none", () => {
    const { ea, aa } = pair();
    assert.throws(
      () =>
        aa.input(() => {
          ea.deadline = Infinity;
        }),
      /"a#0" pollTimeout\(\) is Infinity \(the contract: a time, or undefined\)/,
    );
  });

  it("carries datagrams tagged like the agent's transmits and refuses any other transmit", () => {
    const { sim, ea, eb, aa, bb } = pair();
    const local = aa.addresses[0]!;
    aa.input(() => ea.outbox.push({ type: "datagram", local, remote: bb.addresses[0]!, data }));
    sim.run({ maxTime: 100 });
    assert.deepEqual(eb.log, ["datagram@10 from 198.51.100.10:1000"]);
    assert.throws(
      () => aa.input(() => ea.outbox.push({ type: "stream-open" })),
      /"a#0" asked for a stream-open; the simulator carries datagrams only/,
    );
  });

  it("fails with a clear error when an endpoint sends from an address it has not bound", () => {
    const { ea, aa, bb } = pair();
    const stranger: TransportAddress = { family: "IPv4", address: "198.51.100.10", port: 9 };
    assert.throws(
      () => aa.input(() => ea.outbox.push({ local: stranger, remote: bb.addresses[0]!, data })),
      /"a#0" sent from 198\.51\.100\.10:9, which it has not bound \(bound: 198\.51\.100\.10:1000\)/,
    );
  });

  it("counts datagrams the endpoint refuses, for a port nobody bound and across families", () => {
    const { sim, a, b, ea, eb, aa, bb } = pair();
    eb.accept = false;
    const local = aa.addresses[0]!;
    const v6: TransportAddress = { family: "IPv6", address: "2001:db8::1", port: 1 };
    aa.input(() => {
      ea.outbox.push({ local, remote: bb.addresses[0]!, data });
      ea.outbox.push({ local, remote: { ...bb.addresses[0]!, port: 2001 }, data });
      ea.outbox.push({ local, remote: v6, data });
    });
    sim.run({ maxTime: 100 });
    assert.deepEqual(bb.counters, { datagramsIn: 1, notHandled: 1, datagramsOut: 0, timeouts: 0 });
    assert.deepEqual(b.counters, { noListener: 1, sendFailed: 0 });
    assert.deepEqual(a.counters, { noListener: 0, sendFailed: 1 });
  });

  it("lets onDrained feed the endpoint more input and drains that too", () => {
    const sim = new Simulator({ seed: 1 });
    const internet = sim.network("internet");
    const a = sim.host("a", { ip: ["198.51.100.10", "2001:db8::10"], on: internet });
    const b = sim.host("b", { ip: "198.51.100.20", on: internet });
    const ea = new Scripted();
    const eb = new Scripted();
    let drains = 0;
    const aa = sim.attach(a, ea, undefined, {
      onDrained: () => {
        if (drains++ === 0) {
          aa.input(() =>
            ea.outbox.push({ local: aa.addresses[0]!, remote: bb.addresses[0]!, data }),
          );
        }
      },
    });
    const bb = sim.attach(b, eb, [{ port: 3478 }]);
    assert.deepEqual(
      aa.addresses.map((x) => `${x.family} ${x.address} ${x.port}`),
      ["IPv4 198.51.100.10 50000", "IPv6 2001:db8::10 50000"],
    );
    aa.input(() => {});
    sim.run({ maxTime: 10 });
    assert.deepEqual(eb.log, ["datagram@0 from 198.51.100.10:50000"]);
  });

  it("stops delivering to an endpoint once it is detached", () => {
    const { sim, b, ea, eb, aa, bb } = pair();
    const to = bb.addresses[0]!;
    aa.input(() => ea.outbox.push({ local: aa.addresses[0]!, remote: to, data }));
    bb.detach();
    sim.run({ maxTime: 100 });
    assert.deepEqual(eb.log, []);
    assert.equal(b.counters.noListener, 1);
  });
});
