// examples/file-drop-bot.ts as it is run, through a real Prosody on 127.0.0.1 (started by the
// test): Alice (a plugin in this process) drops a file on the bot, which keeps it verified under
// its name; "get NAME" in a chat message makes the bot send it back. Needs prosody; FAILS
// without it when CI is set.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import {
  fileTransferApplication,
  jingleIceUdp,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import { clientPool, type XmppServer } from "../support/xmpp-server.js";
import { requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/file-drop-bot.ts", import.meta.url));
const TIMEOUT = { timeout: 90_000 };
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("the file-drop example bot", () => {
  let server: XmppServer | undefined;
  let bot: ChildProcess | undefined;
  const clients = clientPool();
  const dirs: string[] = [];
  after(async () => {
    bot?.kill("SIGTERM");
    await clients.stopAll();
    await server?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('keeps a dropped file verified and sends it back on "get NAME"', TIMEOUT, async () => {
    await requireXmppServer("prosody");
    server = await startXmppServer("prosody", { users: { drop: "drop-pw", alice: "alice-pw" } });
    const work = await mkdtemp(join(tmpdir(), "jingle-drop-"));
    dirs.push(work);
    const dropDir = join(work, "drop");
    bot = spawn(process.execPath, ["--import", "tsx", EXAMPLE], {
      env: {
        ...process.env,
        XMPP_SERVICE: server.service,
        XMPP_JID: server.jid("drop"),
        XMPP_PASSWORD: "drop-pw",
        ALLOW: server.jid("alice"),
        DROP_DIR: dropDir,
        ICE_ADDRESSES: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const lines: ((text: string) => void)[] = [];
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const l of lines) l(output);
    };
    bot.stdout!.on("data", onData);
    bot.stderr!.on("data", onData);
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${output}`)), 60_000);
        const look = (text: string) => {
          const m = text.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        lines.push(look);
        look(output);
      });
    const [, botJid] = await waitFor(/online as (\S+),/);

    const client = await clients.login(server, "alice", "phone");
    const alice = jingleIceUdp(client as unknown as XmppClient, {
      ice: { addresses: ["127.0.0.1"] },
      applications: [fileTransferApplication()],
    });
    const data = randomBytes(1024 * 1024);
    const path = join(work, "notes.bin");
    await writeFile(path, data);
    const sent = await alice.sendFile(botJid!, path);
    assert.equal((await sent.result).reason.condition, "success");
    await waitFor(/: success .*notes\.bin/);
    assert.equal(sha256(await readFile(join(dropDir, "notes.bin"))), sha256(data));

    // Ask for it back.
    const incoming = once(alice, "incoming") as Promise<[JingleSession]>;
    await client.send(
      xml("message", { to: botJid!, type: "chat" }, xml("body", {}, "get notes.bin")),
    );
    const [session] = await incoming;
    const back = join(work, "back");
    const got = await alice.incomingFile(session)!.receive({ path: back }).result;
    assert.equal(got.reason.condition, "success");
    assert.equal(sha256(await readFile(back)), sha256(data));
    await alice.close();
  });
});
