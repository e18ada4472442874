import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { warmUpIce } from "../../src/ice/warm-up.js";

describe("warmUpIce", () => {
  it("completes every in-memory connection it runs", () => {
    assert.equal(warmUpIce(2), true);
  });
});
