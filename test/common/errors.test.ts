import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JingleIceError } from "../../src/common/errors.js";
import { StunCredentialError, StunDecodeError, StunEncodeError } from "../../src/stun/errors.js";
import { TurnError } from "../../src/turn/errors.js";
import { TurnUriError } from "../../src/turn/uri.js";
import { StunServerError } from "../../src/ice/errors.js";
import { SocketBindError } from "../../src/node/errors.js";
import { UsageError } from "../../src/cli/errors.js";

describe("JingleIceError", () => {
  it("keeps the standard cause and leaves it out when none is given", () => {
    const cause = new Error("root");
    assert.equal(new JingleIceError("x", { cause }).cause, cause);
    assert.equal("cause" in new JingleIceError("x"), false);
  });

  it("is the base of every error class of stun, turn, ice, node and cli, each with its own name", () => {
    const errors: [Error, string][] = [
      [new StunDecodeError("header/length", 2, "short"), "StunDecodeError"],
      [new StunEncodeError("attribute/username", "too long"), "StunEncodeError"],
      [new StunCredentialError("prohibited"), "StunCredentialError"],
      [new TurnError("allocate", 401, "Unauthorized"), "TurnError"],
      [new TurnUriError("not a TURN URI"), "TurnUriError"],
      [new StunServerError(0, "timeout"), "StunServerError"],
      [new SocketBindError("127.0.0.1", "any port"), "SocketBindError"],
      [new UsageError("--role"), "UsageError"],
    ];
    for (const [error, name] of errors) {
      assert.ok(error instanceof JingleIceError, name);
      assert.equal(error.name, name);
    }
  });
});
