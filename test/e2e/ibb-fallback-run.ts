// Runs inside a network namespace whose firewall drops every UDP datagram (the test sets it up,
// test/e2e/file-ibb-fallback.test.ts): a throwaway Prosody on 127.0.0.1 and two plugins that
// log in to it; Alice sends a file of `size` bytes to Bob with `variant` signalling. ICE-UDP
// cannot work, so the transfer must move to In-Band Bytestreams through Prosody. Prints one JSON
// line with both results, the sha-256 of what was sent and of what was kept.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  fileTransferApplication,
  jingleIceUdp,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import { clientPool } from "../support/xmpp-server.js";
import { startXmppServer } from "../support/xmpp-servers.js";

const [sizeArg = "0", variant = "webrtc-datachannel"] = process.argv.slice(2);
const size = Number(sizeArg);
const dir = await mkdtemp(join(tmpdir(), "jingle-ibb-e2e-"));
const server = await startXmppServer("prosody", { users: { alice: "alice-pw", bob: "bob-pw" } });
const clients = clientPool();
try {
  const options = {
    ice: { addresses: ["127.0.0.1"] },
    // Short, so that the test does not wait for ICE's own verdict.
    setupTimeoutMs: 4000,
    applications: [fileTransferApplication()],
  };
  const [aliceClient, bobClient] = await Promise.all([
    clients.login(server, "alice", "ibb1"),
    clients.login(server, "bob", "ibb2"),
  ]);
  const alice = jingleIceUdp(aliceClient as unknown as XmppClient, options);
  const bob = jingleIceUdp(bobClient as unknown as XmppClient, options);
  const data = randomBytes(size);
  const path = join(dir, "sent.bin");
  await writeFile(path, data);
  const inbox = join(dir, "in");
  await mkdir(inbox);
  const incoming = once(bob, "incoming") as Promise<[JingleSession]>;
  const started = performance.now();
  const sent = await alice.sendFile(bobClient.jid!.toString(), path, {
    sctpVariant: variant as "sctpmap" | "webrtc-datachannel",
  });
  const [session] = await incoming;
  const [out, got] = await Promise.all([
    sent.result,
    bob.incomingFile(session)!.receive({ dir: inbox }).result,
  ]);
  const seconds = (performance.now() - started) / 1000;
  const kept = got.path === undefined ? undefined : await readFile(got.path);
  const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  console.log(
    JSON.stringify({
      sender: { reason: out.reason, bytes: out.bytes, flavour: out.flavour },
      receiver: {
        reason: got.reason,
        bytes: got.bytes,
        flavour: got.flavour,
        verified: got.verified,
      },
      sent: sha(data),
      kept: kept === undefined ? null : sha(kept),
      seconds,
    }),
  );
  await alice.close();
  await bob.close();
} finally {
  await clients.stopAll();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
