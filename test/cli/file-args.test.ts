// The options of `jingle-ice send` and `jingle-ice receive` (src/cli/file-commands.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../src/cli/errors.js";
import { parseReceiveArgs, parseSendArgs } from "../../src/cli/file-commands.js";

const env = {
  XMPP_SERVICE: "xmpp://127.0.0.1:5222",
  XMPP_JID: "bot@example.test",
  XMPP_PASSWORD: "pw",
};

describe("send and receive options", () => {
  it("reads send's peer, path, name, media type and variant", () => {
    const o = parseSendArgs(
      ["bob@example.test/x", "a.png", "--name", "b.png", "--media-type", "image/png"],
      env,
    );
    assert.equal(o.peer, "bob@example.test/x");
    assert.equal(o.path, "a.png");
    assert.equal(o.name, "b.png");
    assert.equal(o.mediaType, "image/png");
    assert.equal(o.variant, "auto");
    assert.equal(
      parseSendArgs(["b@e.test/x", "f", "--variant", "sctpmap"], env).variant,
      "sctpmap",
    );
  });

  it("refuses send without a full JID, without exactly one path, or with an unknown variant", () => {
    assert.throws(() => parseSendArgs(["bob@example.test", "f"], env), UsageError);
    assert.throws(() => parseSendArgs(["bob@example.test/x"], env), UsageError);
    assert.throws(() => parseSendArgs(["bob@example.test/x", "f", "g"], env), UsageError);
    assert.throws(
      () => parseSendArgs(["bob@example.test/x", "f", "--variant", "ibb"], env),
      UsageError,
    );
  });

  it("needs receive --dir and an allow decision, and reads --max-size", () => {
    assert.throws(() => parseReceiveArgs(["--allow-anyone"], env), /--dir/);
    assert.throws(() => parseReceiveArgs(["--dir", "d"], env), /--allow/);
    assert.throws(
      () => parseReceiveArgs(["--dir", "d", "--allow", "a@b.test", "--allow-anyone"], env),
      UsageError,
    );
    assert.throws(
      () => parseReceiveArgs(["--dir", "d", "--allow-anyone", "--max-size", "-1"], env),
      UsageError,
    );
    const o = parseReceiveArgs(
      ["--dir", "d", "--allow", "Alice@Example.test", "--once", "--max-size", "1000"],
      env,
    );
    assert.equal(o.dir, "d");
    assert.deepEqual(o.allow, ["alice@example.test"]);
    assert.equal(o.once, true);
    assert.equal(o.maxSize, 1000);
  });
});
