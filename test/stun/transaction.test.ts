import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StunClientTransaction } from "../../src/stun/transaction.js";
import type { RetransmissionOptions } from "../../src/stun/transaction.js";

const transactionId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
const request = Uint8Array.of(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...transactionId);

function create(options?: RetransmissionOptions, start = 0): StunClientTransaction {
  return new StunClientTransaction(start, transactionId, request, options);
}

interface Run {
  readonly sends: number[];
  /** When the driver loop ended (the timeout moment when the transaction timed out). */
  readonly end: number;
}

/** Drives a transaction like a sans-IO driver until it stops asking to be woken. */
function drive(tx: StunClientTransaction, start = 0): Run {
  const sends: number[] = [];
  let now = start;
  for (let steps = 0; steps < 1000; steps++) {
    tx.handleTimeout(now);
    for (let bytes = tx.pollTransmit(); bytes; bytes = tx.pollTransmit()) {
      assert.equal(bytes, request);
      sends.push(now);
    }
    const t = tx.pollTimeout();
    if (t === undefined) return { sends, end: now };
    assert.ok(t >= now, `timeout ${t} is before now ${now}`);
    now = t;
  }
  assert.fail("the transaction never finished");
}

describe("StunClientTransaction over UDP (RFC 8489 §6.2.1)", () => {
  it("sends at 0, 500, 1500, 3500, 7500, 15500 and 31500 ms and times out at 39500 ms by default", () => {
    const tx = create();
    const run = drive(tx);
    assert.deepEqual(run.sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(run.end, 39500);
    assert.equal(tx.state, "timed-out");
    assert.equal(tx.transmissions, 7);
    assert.equal(tx.retransmissions, 6);
    assert.equal(tx.initialRtoMs, 500);
  });

  it("offsets the whole schedule by the start time", () => {
    const tx = create({}, 10_000);
    const run = drive(tx, 10_000);
    assert.deepEqual(run.sends, [10_000, 10_500, 11_500, 13_500, 17_500, 25_500, 41_500]);
    assert.equal(run.end, 49_500);
    assert.equal(tx.startedAt, 10_000);
  });

  it("doubles a custom RTO and waits Rm times the initial RTO after the last of Rc sends", () => {
    const tx = create({ rtoMs: 100, maxTransmissions: 4, lastWaitMultiplier: 3 });
    const run = drive(tx);
    assert.deepEqual(run.sends, [0, 100, 300, 700]);
    assert.equal(run.end, 700 + 300);
    assert.equal(tx.state, "timed-out");
    assert.equal(tx.retransmissions, 3);
  });

  it("caps the doubled interval at maxRtoMs", () => {
    const tx = create({ maxRtoMs: 2000 });
    const run = drive(tx);
    assert.deepEqual(run.sends, [0, 500, 1500, 3500, 5500, 7500, 9500]);
    // The final wait is Rm · initial RTO, not affected by the cap.
    assert.equal(run.end, 9500 + 8000);
  });

  it("sends once and times out after Rm · RTO when Rc is 1", () => {
    const run = drive(create({ maxTransmissions: 1 }));
    assert.deepEqual(run.sends, [0]);
    assert.equal(run.end, 8000);
  });

  it("still sends once when maxTransmissions is 0 or negative", () => {
    for (const maxTransmissions of [0, -3]) {
      const run = drive(create({ maxTransmissions }));
      assert.deepEqual(run.sends, [0]);
      assert.equal(run.end, 8000);
    }
  });

  it("times out right after the last send when lastWaitMultiplier is 0", () => {
    const tx = create({ rtoMs: 10, maxTransmissions: 2, lastWaitMultiplier: 0 });
    const run = drive(tx);
    assert.deepEqual(run.sends, [0, 10]);
    assert.equal(run.end, 10);
    assert.equal(tx.state, "timed-out");
  });

  it("reports the first send as due immediately, before anything is sent", () => {
    const tx = create({}, 250);
    assert.equal(tx.pollTimeout(), 250);
    assert.equal(tx.transmissions, 0);
    assert.equal(tx.retransmissions, 0);
    assert.equal(tx.pollTransmit(), undefined, "nothing before handleTimeout");
    tx.handleTimeout(249);
    assert.equal(tx.pollTransmit(), undefined);
    tx.handleTimeout(250);
    assert.equal(tx.pollTransmit(), request);
    assert.equal(tx.pollTransmit(), undefined);
    assert.equal(tx.pollTimeout(), 750);
  });

  it("does not resend before the retransmission is due", () => {
    const tx = create();
    tx.handleTimeout(0);
    tx.pollTransmit();
    tx.handleTimeout(499);
    assert.equal(tx.pollTransmit(), undefined);
    assert.equal(tx.state, "pending");
    tx.handleTimeout(500);
    assert.equal(tx.pollTransmit(), request);
    assert.equal(tx.retransmissions, 1);
  });

  it("schedules the next send from when the previous one actually went out", () => {
    const tx = create();
    tx.handleTimeout(0);
    tx.pollTransmit();
    tx.handleTimeout(700); // 200 ms late
    assert.equal(tx.pollTransmit(), request);
    assert.equal(tx.pollTimeout(), 700 + 1000);
  });

  it("makes at most one send due per handleTimeout, however late the call", () => {
    const tx = create();
    tx.handleTimeout(0);
    tx.handleTimeout(100_000);
    assert.equal(tx.transmissions, 2);
    assert.equal(tx.pollTransmit(), request);
    assert.equal(tx.pollTransmit(), undefined);
    assert.equal(tx.pollTimeout(), 100_000 + 1000);
  });

  it("does not time out before the final wait has passed, and says so once when it does", () => {
    const tx = create({ maxTransmissions: 1 });
    tx.handleTimeout(0);
    tx.pollTransmit();
    tx.handleTimeout(7999);
    assert.equal(tx.state, "pending");
    assert.equal(tx.pollEvent(), undefined);
    assert.equal(tx.pollTimeout(), 8000);
    tx.handleTimeout(8000);
    assert.equal(tx.state, "timed-out");
    assert.equal(tx.pollEvent(), "timed-out");
    assert.equal(tx.pollEvent(), undefined);
    assert.equal(tx.pollTimeout(), undefined);
    tx.handleTimeout(100_000);
    assert.equal(tx.pollTransmit(), undefined);
  });

  it("does not time out on a handleTimeout call while sends are still owed", () => {
    const tx = create();
    tx.handleTimeout(1_000_000);
    assert.equal(tx.state, "pending");
    assert.equal(tx.pollTransmit(), request);
  });
});

describe("StunClientTransaction over a reliable transport (RFC 8489 §6.2.2)", () => {
  it("sends once and times out after Ti = 39500 ms by default", () => {
    const tx = create({ reliable: true });
    const run = drive(tx);
    assert.deepEqual(run.sends, [0]);
    assert.equal(run.end, 39500);
    assert.equal(tx.state, "timed-out");
    assert.equal(tx.retransmissions, 0);
  });

  it("uses a custom reliableTimeoutMs and ignores the UDP settings", () => {
    const tx = create({
      reliable: true,
      reliableTimeoutMs: 5000,
      maxTransmissions: 9,
      lastWaitMultiplier: 2,
      rtoMs: 100,
    });
    const run = drive(tx, 0);
    assert.deepEqual(run.sends, [0]);
    assert.equal(run.end, 5000);
  });

  it("behaves as UDP when reliable is false", () => {
    const run = drive(create({ reliable: false }));
    assert.equal(run.sends.length, 7);
    assert.equal(run.end, 39500);
  });
});

describe("StunClientTransaction completion and cancellation", () => {
  it("stops sending and asking for timeouts once complete() is called", () => {
    const tx = create();
    tx.handleTimeout(0);
    assert.equal(tx.pollTransmit(), request);
    tx.handleTimeout(500);
    assert.equal(tx.pollTransmit(), request);
    tx.complete();
    assert.equal(tx.state, "completed");
    assert.equal(tx.pollTimeout(), undefined);
    tx.handleTimeout(1500);
    assert.equal(tx.pollTransmit(), undefined);
    tx.handleTimeout(100_000);
    assert.equal(tx.state, "completed");
    assert.equal(tx.transmissions, 2);
    assert.equal(tx.retransmissions, 1);
  });

  it("stops sending and asking for timeouts once cancel() is called", () => {
    const tx = create();
    tx.handleTimeout(0);
    assert.equal(tx.pollTransmit(), request);
    tx.cancel();
    assert.equal(tx.state, "cancelled");
    assert.equal(tx.pollTimeout(), undefined);
    tx.handleTimeout(500);
    assert.equal(tx.pollTransmit(), undefined);
    assert.deepEqual(drive(tx, 500).sends, []);
    assert.equal(tx.transmissions, 1);
  });

  it("never hands out a send that became due when it was cancelled before it was taken", () => {
    const tx = create();
    tx.handleTimeout(0);
    tx.cancel();
    assert.equal(tx.pollTransmit(), undefined);
  });

  it("can be cancelled before the first send", () => {
    const tx = create();
    tx.cancel();
    assert.deepEqual(drive(tx).sends, []);
    assert.equal(tx.transmissions, 0);
  });

  it("keeps the first outcome: complete after cancel, cancel after complete or timeout do nothing", () => {
    const cancelled = create();
    cancelled.cancel();
    cancelled.complete();
    assert.equal(cancelled.state, "cancelled");

    const completed = create();
    completed.complete();
    completed.cancel();
    assert.equal(completed.state, "completed");

    const timedOut = create({ maxTransmissions: 1 });
    drive(timedOut);
    timedOut.complete();
    timedOut.cancel();
    assert.equal(timedOut.state, "timed-out");
  });

  it("exposes the request bytes and transaction id it was created with", () => {
    const tx = create();
    assert.equal(tx.request, request);
    assert.equal(tx.transactionId, transactionId);
  });
});

describe("StunClientTransaction options", () => {
  it("throws RangeError for an RTO that is zero, negative or NaN", () => {
    for (const rtoMs of [0, -1, -500, Number.NaN]) {
      assert.throws(() => create({ rtoMs }), RangeError, `rto ${rtoMs}`);
    }
  });

  it("accepts a fractional positive RTO", () => {
    const run = drive(create({ rtoMs: 0.5, maxTransmissions: 3, lastWaitMultiplier: 2 }));
    assert.deepEqual(run.sends, [0, 0.5, 1.5]);
    assert.equal(run.end, 2.5);
  });
});
