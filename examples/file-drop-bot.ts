// A file-drop bot: people on the allow-list send it files (XEP-0234, from Conversations, a
// StanzaJS client or another jingle-ice bot) and it keeps them in DROP_DIR; a chat message
// "get NAME" makes it send NAME back to whoever asked. Over data channels, or In-Band
// Bytestreams (XEP-0261) when UDP is blocked.
//
//   XMPP_SERVICE=xmpp://127.0.0.1:5222 XMPP_JID=drop@example.org XMPP_PASSWORD=secret \
//     ALLOW=alice@example.org DROP_DIR=./drop npx tsx examples/file-drop-bot.ts
//
// Tested end to end by test/e2e/file-drop-example.test.ts.
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { fileTransferApplication, jingleIceUdp } from "../src/index.js";

const { XMPP_SERVICE, XMPP_JID, XMPP_PASSWORD, ALLOW = "", DROP_DIR = "./drop" } = process.env;
// Which local addresses to gather on (comma-separated); every interface's when unset.
const ICE_ADDRESSES = process.env["ICE_ADDRESSES"]?.split(",").filter(Boolean);
const MAX_SIZE = Number(process.env["MAX_SIZE"] ?? 1024 ** 3); // bytes; larger offers are declined
if (!XMPP_SERVICE || !XMPP_JID || !XMPP_PASSWORD)
  throw new Error("set XMPP_SERVICE, XMPP_JID and XMPP_PASSWORD");
const allow = new Set(ALLOW.split(",").filter(Boolean));
const allowed = (jid: string) => allow.has(jid.split("/")[0]!);
const [username, domain] = XMPP_JID.split("@");
await mkdir(DROP_DIR, { recursive: true });

const xmpp = client({
  service: XMPP_SERVICE,
  domain: domain!,
  username: username!,
  password: XMPP_PASSWORD,
});
const jingle = jingleIceUdp(xmpp, {
  ...(ICE_ADDRESSES !== undefined && { ice: { addresses: ICE_ADDRESSES } }),
  applications: [fileTransferApplication({ maxSize: MAX_SIZE })],
  // XEP-0176 §10: strangers never see our addresses; their offers are declined unseen.
  policy: (peer) => allowed(peer),
});
jingle.on("error", (error) => console.error(`jingle: ${error.message}`));

// Incoming files: stored under their (sanitized, never overwriting) names.
jingle.on("incoming", (session) => {
  const offer = jingle.incomingFile(session);
  if (offer === undefined) return void session.terminate("unsupported-applications");
  console.log(`${session.peer} offers ${offer.file.name} (${offer.file.size} bytes)`);
  const transfer = offer.receive({ dir: DROP_DIR });
  void transfer.result.then(
    (r) => console.log(`from ${session.peer}: ${r.reason.condition} ${r.path ?? ""}`),
    (error: Error) => console.error(`cannot receive: ${error.message}`),
  );
});

// "get NAME" in a chat message: send that file back to the full JID that asked.
xmpp.on("stanza", (stanza) => {
  const from = stanza.attrs["from"] as string | undefined;
  const body = stanza.is("message") ? stanza.getChildText("body") : null;
  if (!from || !body?.startsWith("get ") || !allowed(from)) return;
  const name = body.slice(4).trim();
  void (async () => {
    const files = await readdir(DROP_DIR);
    // Only a name that is in the drop directory: no paths from a chat message.
    if (!files.includes(name)) {
      await xmpp.send(xml("message", { to: from, type: "chat" }, xml("body", {}, `no ${name}`)));
      return;
    }
    const transfer = await jingle.sendFile(from, join(DROP_DIR, name));
    const result = await transfer.result;
    console.log(`to ${from}: ${name} ${result.reason.condition}`);
  })().catch((error: Error) => console.error(`cannot send ${name}: ${error.message}`));
});

await xmpp.start();
await xmpp.send(xml("presence", {}, jingle.caps())); // XEP-0115 caps: clients see file transfer
console.log(`file-drop bot online as ${xmpp.jid?.toString()}, storing in ${DROP_DIR}`);
