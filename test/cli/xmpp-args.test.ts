// The options of `jingle-ice call` and `jingle-ice answer`: where passwords come from, the
// answer's allow list, and the help and version every command prints.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../src/cli/errors.js";
import { parseAnswerArgs, parseCallArgs } from "../../src/cli/xmpp-commands.js";

const account = { XMPP_SERVICE: "xmpp://127.0.0.1:5222", XMPP_JID: "bot@example.test" };
const dir = mkdtempSync(join(tmpdir(), "jingle-ice-cli-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("call and answer options", () => {
  it("reads call --interval and --offline-timeout, and refuses values that are not milliseconds", () => {
    const env = { ...account, XMPP_PASSWORD: "pw" };
    const plain = parseCallArgs(["bob@example.test/x"], env);
    assert.equal(plain.intervalMs, 0);
    assert.equal(plain.offlineTimeoutMs, undefined);
    const set = parseCallArgs(
      ["bob@example.test/x", "--interval", "200", "--offline-timeout", "5000"],
      env,
    );
    assert.equal(set.intervalMs, 200);
    assert.equal(set.offlineTimeoutMs, 5000);
    assert.equal(
      parseAnswerArgs(["--allow-anyone", "--offline-timeout", "4000"], env).offlineTimeoutMs,
      4000,
    );
    for (const bad of [
      ["--interval", "-1"],
      ["--interval", "soon"],
      ["--offline-timeout", "0"],
      ["--offline-timeout", "x"],
    ]) {
      assert.throws(
        () => parseCallArgs(["bob@example.test/x", ...bad], env),
        (e: Error) => e instanceof UsageError && e.message.includes(bad[0]!),
      );
    }
  });

  it("takes the password from --password-file (its first line), before XMPP_PASSWORD", () => {
    const path = file("pw", "from-file\nsecond line\n");
    const options = parseCallArgs(["bob@example.test/x", "--password-file", path], {
      ...account,
      XMPP_PASSWORD: "from-env",
    });
    assert.equal(options.password, "from-file");
    assert.equal(
      parseCallArgs(["bob@example.test/x"], { ...account, XMPP_PASSWORD: "env" }).password,
      "env",
    );
  });

  it("refuses a missing or empty password file, and no password at all, with a usage error", () => {
    assert.throws(
      () => parseCallArgs(["bob@example.test/x", "--password-file", join(dir, "nope")], account),
      (e: Error) => e instanceof UsageError && /--password-file .*nope/.test(e.message),
    );
    assert.throws(
      () => parseCallArgs(["bob@example.test/x", "--password-file", file("empty", "\n")], account),
      /the file is empty/,
    );
    assert.throws(() => parseCallArgs(["bob@example.test/x"], account), /a password/);
  });

  it("takes the TURN password from --turn-pass-file or TURN_PASSWORD", () => {
    const env = { ...account, XMPP_PASSWORD: "p", TURN_PASSWORD: "turn-env" };
    const turn = ["--turn", "127.0.0.1:3478", "--turn-user", "u"];
    assert.equal(
      parseCallArgs(["bob@example.test/x", ...turn], env).ice.turnServers?.[0]?.password,
      "turn-env",
    );
    const path = file("turn", "turn-file");
    assert.equal(
      parseCallArgs(["bob@example.test/x", ...turn, "--turn-pass-file", path], env).ice
        .turnServers?.[0]?.password,
      "turn-file",
    );
  });

  it("makes answer choose between --allow and --allow-anyone, and normalizes the allowed JIDs", () => {
    const env = { ...account, XMPP_PASSWORD: "p" };
    assert.throws(() => parseAnswerArgs([], env), /--allow JID .* or --allow-anyone/);
    assert.throws(() => parseAnswerArgs(["--allow", "a@b.test", "--allow-anyone"], env), /exclude/);
    assert.deepEqual(parseAnswerArgs(["--allow", "Alice@Example.TEST"], env).allow, [
      "alice@example.test",
    ]);
    const anyone = parseAnswerArgs(["--allow-anyone"], env);
    assert.deepEqual([anyone.allow, anyone.allowAnyone], [[], true]);
  });

  it("refuses a bad --login-timeout", () => {
    const env = { ...account, XMPP_PASSWORD: "p" };
    assert.throws(
      () => parseCallArgs(["bob@example.test/x", "--login-timeout", "soon"], env),
      /--login-timeout/,
    );
  });
});

describe("jingle-ice --help and --version", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], {
      cwd: new URL("../..", import.meta.url).pathname,
      encoding: "utf8",
    });

  it("prints each command's own help on stdout and exits 0", () => {
    for (const [command, expected] of [
      ["call", /usage: jingle-ice call <full-jid>/],
      ["answer", /--allow-anyone/],
      ["peer", /--components N/],
    ] as const) {
      const result = run(command, "--help");
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, expected);
    }
  });

  it("prints the version from package.json", async () => {
    const { version } = (await import("../../package.json", { with: { type: "json" } })).default;
    const result = run("--version");
    assert.equal(result.status, 0);
    assert.equal(result.stdout.trim(), version);
  });
});
