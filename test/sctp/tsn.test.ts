import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ssnAdd,
  ssnLt,
  ssnLte,
  tsnAdd,
  tsnDiff,
  tsnGt,
  tsnLt,
  tsnLte,
  tsnMax,
} from "../../src/sctp/tsn.js";

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe("serial number arithmetic (RFC 1982)", () => {
  it("orders a TSN before the next one, also across the wrap at 2^32", () => {
    assert.ok(tsnLt(0xffffffff, 0));
    assert.ok(tsnGt(0, 0xffffffff));
    assert.equal(tsnAdd(0xffffffff, 1), 0);
    assert.equal(tsnDiff(0xfffffffe, 1), 3);
    assert.equal(tsnMax(0xfffffff0, 5), 5);
  });

  it("puts every TSN after the ones up to 2^31 − 1 behind it", () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 1, max: 0x7fffffff }), (a, n) => {
        const b = tsnAdd(a, n);
        assert.ok(tsnLt(a, b));
        assert.ok(!tsnLt(b, a));
        assert.ok(tsnLte(a, b) && tsnLte(a, a));
        assert.equal(tsnDiff(a, b), n);
      }),
    );
  });

  it("orders 16-bit stream sequence numbers across their wrap", () => {
    assert.ok(ssnLt(0xffff, 0));
    assert.equal(ssnAdd(0xffff, 1), 0);
    assert.ok(ssnLte(7, 7));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1, max: 0x7fff }),
        (a, n) => {
          assert.ok(ssnLt(a, ssnAdd(a, n)));
          assert.ok(!ssnLt(ssnAdd(a, n), a));
        },
      ),
    );
  });
});
