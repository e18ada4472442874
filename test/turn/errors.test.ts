import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TurnError } from "../../src/turn/errors.js";

describe("TurnError", () => {
  it("reads TURN <phase> failed: <code> <Name> (<reason>) for a server's error code", () => {
    const error = new TurnError("allocate", 486, "Allocation Quota Reached");
    assert.equal(
      error.message,
      "TURN allocate failed: 486 AllocationQuotaReached (Allocation Quota Reached)",
    );
    assert.deepEqual(
      [error.code, error.errorName, error.phase],
      [486, "AllocationQuotaReached", "allocate"],
    );
  });

  it("names a failure without a code Timeout unless it names itself, and keeps its cause", () => {
    assert.equal(new TurnError("refresh", 0, "").message, "TURN refresh failed: Timeout");
    const cause = new Error("ECONNRESET");
    const closed = new TurnError("transport", 0, "connection closed: ECONNRESET", {
      errorName: "ConnectionClosed",
      cause,
    });
    assert.equal(
      closed.message,
      "TURN transport failed: ConnectionClosed (connection closed: ECONNRESET)",
    );
    assert.equal(closed.cause, cause);
  });

  it("names an unregistered code ErrorNNN", () => {
    assert.equal(new TurnError("permission", 499, "").errorName, "Error499");
  });
});
