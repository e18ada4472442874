import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { REPLAY_WINDOW_SIZE, ReplayWindow } from "../../src/dtls/replay-window.js";

describe("ReplayWindow (RFC 6347 §4.1.2.6)", () => {
  it("accepts new numbers, refuses repeats, and accepts late ones inside the window", () => {
    const w = new ReplayWindow();
    for (const n of [0, 1, 5]) {
      assert.equal(w.check(n), true);
      w.mark(n);
    }
    assert.equal(w.check(5), false);
    assert.equal(w.check(1), false);
    assert.equal(w.check(3), true, "late but never seen");
    w.mark(3);
    assert.equal(w.check(3), false);
  });

  it("refuses what fell left of the window", () => {
    const w = new ReplayWindow();
    w.mark(1000);
    assert.equal(w.check(1000 - REPLAY_WINDOW_SIZE + 1), true);
    assert.equal(w.check(1000 - REPLAY_WINDOW_SIZE), false);
  });

  it("handles 48-bit sequence numbers", () => {
    const w = new ReplayWindow();
    const top = 2 ** 48 - 1;
    w.mark(top - 1);
    assert.equal(w.check(top), true);
    w.mark(top);
    assert.equal(w.check(top - 1), false);
  });

  it("a number that was only checked (it did not authenticate) stays acceptable", () => {
    const w = new ReplayWindow();
    assert.equal(w.check(7), true);
    assert.equal(w.check(7), true);
  });

  it("agrees with a set of everything received, within the window (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }), (sequence) => {
        const w = new ReplayWindow();
        const seen = new Set<number>();
        let top = -1;
        for (const n of sequence) {
          const fresh = !seen.has(n) && n > top - REPLAY_WINDOW_SIZE;
          assert.equal(w.check(n), fresh, `sequence number ${n}`);
          if (fresh) {
            w.mark(n);
            seen.add(n);
            top = Math.max(top, n);
          }
        }
      }),
    );
  });
});
