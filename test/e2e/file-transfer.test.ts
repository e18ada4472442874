// XEP-0234 file transfer between two plugins through a real Prosody on 127.0.0.1 (started by
// the test): both flavours (XEP-0343 / StanzaJS, Conversations), 0 B, 1 B, 4096 B and 10 MiB,
// a declined offer. Needs prosody; FAILS without (with CI set).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  fileTransferApplication,
  jingleIceUdp,
  type JingleIce,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import { clientPool, type XmppServer, type XmppTestClient } from "../support/xmpp-server.js";
import { requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";

const ice = { addresses: ["127.0.0.1"] };
const TIMEOUT = { timeout: 90_000 };

describe("file transfer through a real Prosody", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "jingle-ft-e2e-"));
  });
  let starting: Promise<XmppServer> | undefined;
  const server = (): Promise<XmppServer> =>
    (starting ??= (async () => {
      await requireXmppServer("prosody");
      return startXmppServer("prosody", { users: { alice: "alice-pw", bob: "bob-pw" } });
    })());
  const clients = clientPool();
  const plugins: { client: XmppTestClient; jingle: JingleIce }[] = [];
  let logins = 0;
  const plugin = async (user: string) => {
    const client = await clients.login(await server(), user, `ft${++logins}`);
    const jingle = jingleIceUdp(client as unknown as XmppClient, {
      ice,
      applications: [fileTransferApplication()],
    });
    plugins.push({ client, jingle });
    return { client, jingle };
  };
  after(async () => {
    const online = plugins.filter(({ client }) => client.status === "online");
    await Promise.all(online.map(({ jingle }) => jingle.close()));
    await clients.stopAll();
    await (await starting?.catch(() => undefined))?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    for (const size of [0, 1, 4096, 10 * 1024 * 1024]) {
      it(`sends ${size} bytes with the ${variant} variant, verified`, TIMEOUT, async () => {
        const [alice, bob] = await Promise.all([plugin("alice"), plugin("bob")]);
        const data = randomBytes(size);
        const name = `e2e-${variant}-${size}.bin`;
        const path = join(dir, name);
        await writeFile(path, data);
        const to = join(dir, `in-${variant}-${size}`);
        await mkdir(to);
        const incoming = once(bob.jingle, "incoming") as Promise<[JingleSession]>;
        const sent = await alice.jingle.sendFile(bob.client.jid!.toString(), path, {
          sctpVariant: variant,
        });
        const [session] = await incoming;
        const offer = bob.jingle.incomingFile(session);
        assert.ok(offer);
        assert.equal(offer.file.size, size);
        const [out, got] = await Promise.all([sent.result, offer.receive({ dir: to }).result]);
        assert.equal(got.reason.condition, "success");
        assert.equal(out.reason.condition, "success");
        assert.equal(got.bytes, size);
        assert.equal(out.flavour, variant === "sctpmap" ? "stanzajs" : "conversations");
        const sha256 = createHash("sha256").update(data).digest();
        const sent256 = out.hashes.find((h) => h.algo === "sha-256");
        assert.ok(sent256);
        assert.deepEqual(Buffer.from(sent256.value), sha256);
        assert.deepEqual(
          createHash("sha256")
            .update(await readFile(got.path!))
            .digest(),
          sha256,
        );
        assert.deepEqual(await readdir(to), [name]);
      });
    }
  }

  it("ends with decline when the receiver declines", TIMEOUT, async () => {
    const [alice, bob] = await Promise.all([plugin("alice"), plugin("bob")]);
    const path = join(dir, "declined.bin");
    await writeFile(path, "no thanks");
    const incoming = once(bob.jingle, "incoming") as Promise<[JingleSession]>;
    const sent = await alice.jingle.sendFile(bob.client.jid!.toString(), path);
    const [session] = await incoming;
    await bob.jingle.incomingFile(session)!.decline();
    assert.equal((await sent.result).reason.condition, "decline");
  });
});
