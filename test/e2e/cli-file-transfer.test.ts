// `jingle-ice send` and `jingle-ice receive` as processes through a real Prosody on 127.0.0.1
// (started by the test): a file arrives verified with the same sha-256 on both sides and
// progress lines; an unallowed sender is declined and exits 1. Needs prosody; FAILS without.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stopAllProcesses } from "../support/json-lines.js";
import type { XmppServer } from "../support/xmpp-server.js";
import { requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";
import { startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 60_000;

describe("jingle-ice send and receive through prosody", () => {
  let server: XmppServer | undefined;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "jingle-cli-ft-"));
  });
  after(async () => {
    await stopAllProcesses();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async () => {
    await requireXmppServer("prosody");
    server ??= await startXmppServer("prosody", {
      users: { sender: "sender-pw", receiver: "receiver-pw" },
    });
    return server;
  };

  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    it(`sends 3 MiB with the ${variant} variant: verified, same sha-256, exit 0 on both sides`, async () => {
      const s = await start();
      const data = randomBytes(3 * 1024 * 1024);
      const path = join(dir, `cli-${variant}.bin`);
      await writeFile(path, data);
      const inbox = await mkdtemp(join(dir, "inbox-"));
      const receive = startJingleCli(s, "receiver", [
        "receive",
        "--dir",
        inbox,
        "--once",
        "--allow",
        s.jid("sender"),
      ]);
      await receive.waitFor("online", WAIT_MS);
      const send = startJingleCli(s, "sender", [
        "send",
        `${s.jid("receiver")}/cli`,
        path,
        "--variant",
        variant,
      ]);
      assert.equal(await send.exitCode(WAIT_MS), 0, send.report());
      assert.equal(await receive.exitCode(WAIT_MS), 0, receive.report());
      const sha256 = createHash("sha256").update(data).digest("base64");
      const [sent] = send.all("done");
      const [got] = receive.all("done");
      assert.equal((sent?.["hashes"] as Record<string, string>)["sha-256"], sha256, send.report());
      assert.equal(
        (got?.["hashes"] as Record<string, string>)["sha-256"],
        sha256,
        receive.report(),
      );
      assert.equal(got?.["bytes"], data.length);
      assert.equal(sent?.["flavour"], variant === "sctpmap" ? "stanzajs" : "conversations");
      await receive.waitFor("incoming", 0, (e) => e["size"] === data.length);
      // One line per MiB and the last: 3 on each side.
      assert.equal(send.all("progress").length, 3, send.report());
      assert.equal(receive.all("progress").length, 3, receive.report());
      assert.deepEqual(await readdir(inbox), [`cli-${variant}.bin`]);
      assert.deepEqual(await readFile(join(inbox, `cli-${variant}.bin`)), data);
    });
  }

  it("declines a sender it was not told to allow; the sender exits 1 with reason decline", async () => {
    const s = await start();
    const path = join(dir, "unwanted.bin");
    await writeFile(path, "x");
    const inbox = await mkdtemp(join(dir, "inbox-"));
    const receive = startJingleCli(s, "receiver", [
      "receive",
      "--dir",
      inbox,
      "--allow",
      "someone@else.test",
    ]);
    await receive.waitFor("online", WAIT_MS);
    const send = startJingleCli(s, "sender", ["send", `${s.jid("receiver")}/cli`, path]);
    assert.equal(await send.exitCode(WAIT_MS), 1, send.report());
    await send.waitFor("error", 0, (e) => e["reason"] === "decline");
    await receive.waitFor("declined", 0);
    assert.deepEqual(await readdir(inbox), []);
    await receive.stop();
  });
});
