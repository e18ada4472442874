import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { earliest, isDue, Outbox } from "../../src/common/sans-io.js";

describe("the sans-IO contract's helpers", () => {
  it("earliest picks the smallest set deadline and is undefined when none is set", () => {
    assert.equal(earliest(), undefined);
    assert.equal(earliest(undefined, undefined), undefined);
    assert.equal(earliest(undefined, 30, 10, undefined, 20), 10);
    assert.equal(earliest(0, 5), 0);
  });

  it("a deadline is due once set and reached", () => {
    assert.equal(isDue(undefined, 1e9), false);
    assert.equal(isDue(10, 9.999), false);
    assert.equal(isDue(10, 10), true);
  });

  it("an Outbox hands items out first in, first out, and drops the oldest over its limit, counting them", () => {
    const outbox = new Outbox<number>(3);
    for (const n of [1, 2, 3, 4, 5]) outbox.push(n);
    assert.equal(outbox.size, 3);
    assert.equal(outbox.dropped, 2);
    assert.deepEqual(
      [outbox.shift(), outbox.shift(), outbox.shift(), outbox.shift()],
      [3, 4, 5, undefined],
    );
    outbox.push(6);
    outbox.clear();
    assert.equal(outbox.shift(), undefined);
  });

  it("an Outbox keeps its order across the compaction of long runs", () => {
    const outbox = new Outbox<number>();
    const out: number[] = [];
    for (let n = 0; n < 5000; n++) {
      outbox.push(n);
      if (n % 3 === 0) out.push(outbox.shift()!);
    }
    for (let x; (x = outbox.shift()) !== undefined;) out.push(x);
    assert.deepEqual(
      out,
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.equal(outbox.dropped, 0);
  });
});
