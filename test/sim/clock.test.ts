import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Clock } from "./index.js";

describe("Clock", () => {
  it("runs events in time order and events at the same time in the order they were scheduled", () => {
    const clock = new Clock();
    const seen: string[] = [];
    clock.schedule(20, () => seen.push("c@20"));
    clock.schedule(10, () => seen.push("a@10"));
    clock.schedule(10, () => seen.push("b@10"));
    clock.schedule(0, () => clock.schedule(10, () => seen.push("d@10, scheduled last")));
    assert.equal(clock.run({ maxTime: 100 }), 100);
    assert.deepEqual(seen, ["a@10", "b@10", "d@10, scheduled last", "c@20"]);
  });

  it("stops as soon as the condition holds and returns the virtual time reached", () => {
    const clock = new Clock();
    let count = 0;
    for (let t = 5; t <= 50; t += 5) clock.schedule(t, () => count++);
    assert.equal(clock.run({ until: () => count === 3, maxTime: 1000 }), 15);
    assert.equal(clock.now, 15);
    assert.equal(clock.pendingEvents, 7);
  });

  it("returns at once when the condition already holds", () => {
    const clock = new Clock();
    clock.schedule(1, () => assert.fail("must not run"));
    assert.equal(clock.run({ until: () => true, maxTime: 10 }), 0);
  });

  it("runs events at exactly maxTime, leaves later ones queued and stands at maxTime", () => {
    const clock = new Clock();
    const seen: number[] = [];
    for (const t of [10, 30, 31]) clock.schedule(t, () => seen.push(t));
    assert.equal(clock.run({ maxTime: 30 }), 30);
    assert.deepEqual(seen, [10, 30]);
    assert.equal(clock.pendingEvents, 1);
    assert.equal(clock.run({ maxTime: 40 }), 40);
    assert.deepEqual(seen, [10, 30, 31]);
  });

  it("never runs a cancelled event", () => {
    const clock = new Clock();
    const seen: number[] = [];
    const handle = clock.schedule(10, () => seen.push(10));
    clock.schedule(20, () => seen.push(20));
    handle.cancel();
    assert.equal(handle.pending, false);
    assert.equal(clock.pendingEvents, 1);
    clock.run({ maxTime: 100 });
    assert.deepEqual(seen, [20]);
  });

  it("refuses to schedule in the past or to run backwards", () => {
    const clock = new Clock();
    clock.run({ maxTime: 50 });
    assert.throws(() => clock.schedule(49, () => {}), RangeError);
    assert.throws(() => clock.schedule(Number.NaN, () => {}), RangeError);
    assert.throws(() => clock.run({ maxTime: 10 }), RangeError);
  });

  it("refuses a run started from inside an event", () => {
    const clock = new Clock();
    clock.schedule(1, () => clock.run({ maxTime: 5 }));
    assert.throws(() => clock.run({ maxTime: 5 }), /inside an event/);
  });
});
