// One side of bench/file-transfer.ts's two-process mode (BENCH_OURS=processes): a plugin from
// dist/ logged in to the bench's Prosody. `receive`: takes the first offered file into INBOX.
// `send`: sends PATH to PEER when a line arrives on stdin. Prints JSON lines; times are
// performance.timeOrigin + performance.now() (ms since the epoch, comparable across processes).
//
//   tsx bench/file-transfer-peer.ts receive SERVICE JID PASSWORD INBOX
//   tsx bench/file-transfer-peer.ts send SERVICE JID PASSWORD PEER PATH VARIANT
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { client } from "@xmpp/client";
import type * as Package from "../src/index.js";

const dist = process.env["BENCH_DIST"] ?? fileURLToPath(new URL("../dist", import.meta.url));
const pkg = (await import(pathToFileURL(join(dist, "index.js")).href)) as typeof Package;
const [role, service, jid, password, ...rest] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const print = (fields: Record<string, unknown>) => console.log(JSON.stringify(fields));

const [username, domain] = jid!.split("@");
const xmpp = client({
  service: service!,
  domain: domain!,
  username: username!,
  password: password!,
});
xmpp.on("error", () => undefined);
const jingle = pkg.jingleIceUdp(xmpp, {
  ice: { addresses: ["127.0.0.1"] },
  applications: [pkg.fileTransferApplication()],
});
await xmpp.start();
print({ ev: "online", jid: xmpp.jid?.toString() });

if (role === "receive") {
  const [inbox] = rest;
  const session = await new Promise<Package.JingleSession>((resolve) =>
    jingle.on("incoming", resolve),
  );
  const result = await jingle.incomingFile(session)!.receive({ dir: inbox! }).result;
  print({ ev: "done", at: now(), reason: result.reason.condition, path: result.path ?? null });
} else {
  const [peer, path, variant] = rest;
  await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));
  const start = now();
  const sent = await jingle.sendFile(peer!, path!, {
    sctpVariant: variant as "sctpmap" | "webrtc-datachannel",
  });
  let open = NaN;
  const create = sent.session.createDataChannel.bind(sent.session);
  sent.session.createDataChannel = (label, init) => {
    const channel = create(label, init);
    channel.once("open", () => (open = now()));
    return channel;
  };
  const result = await sent.result;
  print({ ev: "done", start, open, reason: result.reason.condition });
}
await xmpp.stop().catch(() => undefined);
process.exit(0);
