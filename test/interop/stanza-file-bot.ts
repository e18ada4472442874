// Our side of test/interop/file-stanza.test.ts, run inside the test's network namespace next to
// the StanzaJS runner: it starts a throwaway Prosody there (c2s for us, WebSocket for StanzaJS,
// which has no TCP transport), logs our plugin in as bot@jingle.test/bot with ICE on `address`
// only, and sends or receives files on command.
//   usage: node --import tsx test/interop/stanza-file-bot.ts <address>
// stdin commands (JSON lines):
//   {cmd:"receive", dir}  receive the next incoming file offers into `dir` (receive({ dir })).
//   {cmd:"send", to, path, tamper?: "checksum"}  jingle.sendFile(to, path, sctpVariant "auto");
//       "checksum" flips every byte of the hashes in our outgoing <checksum/> (a corrupted
//       transfer as our sender would report it).
//   {cmd:"quit"}
// stdout events (JSON lines): ready (the WebSocket URL and the StanzaJS account), incoming,
// result (side, reason, bytes, verified, path, flavour, hashes, ms), tampered, error.
import { createInterface } from "node:readline";
import {
  fileTransferApplication,
  jingleIceUdp,
  type FileTransfer,
  type JingleSession,
  type XmppClient,
} from "../../src/plugin/index.js";
import { connectClient, startProsody, type XmppElement } from "../support/prosody.js";

const [address] = process.argv.slice(2) as [string];
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify(event) + "\n");
};
const NS_JINGLE = "urn:xmpp:jingle:1";
/** XEP-0234 §8: `<checksum/>` is in the application's own namespace. */
const NS_FILE_TRANSFER = "urn:xmpp:jingle:apps:file-transfer:5";
const NS_HASHES = "urn:xmpp:hashes:2";
/** The namespace is ours alone, so a fixed port cannot clash (c2s ports are 20000–32000). */
const HTTP_PORT = 5280;
const DOMAIN = "jingle.test";

const prosody = await startProsody({
  domain: DOMAIN,
  users: { bot: "bot-pw", stanza: "stanza-pw" },
  // mod_websocket (RFC 7395) on plain HTTP: the whole namespace is loopback, as for c2s.
  extraConfig: [
    'modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "websocket" }',
    `http_ports = { ${HTTP_PORT} }`,
    'http_interfaces = { "127.0.0.1" }',
    "https_ports = { }",
    `http_default_host = "${DOMAIN}"`,
    "consider_websocket_secure = true",
  ].join("\n"),
});
const client = await connectClient(prosody, "bot", "bot");
const jingle = jingleIceUdp(client as unknown as XmppClient, {
  ice: { addresses: [address] },
  applications: [fileTransferApplication()],
});

let tamperChecksum = false;
// Our session-info goes out through client.send (xmpp.js's iqCaller calls entity.send).
const send = client.send.bind(client);
client.send = (element: unknown): Promise<void> => {
  const stanza = element as XmppElement & { getChild(n: string, ns?: string): XmppElement };
  const checksum = stanza.getChild?.("jingle", NS_JINGLE)?.getChild("checksum", NS_FILE_TRANSFER);
  if (tamperChecksum && checksum !== undefined) {
    for (const hash of checksum.getChild("file")?.getChildren("hash", NS_HASHES) ?? []) {
      const text = hash.children.join("");
      const flipped = Buffer.from(text, "base64").map((b) => b ^ 0xff);
      (hash as unknown as { children: string[] }).children = [
        Buffer.from(flipped).toString("base64"),
      ];
    }
    emit({ ev: "tampered" });
  }
  return send(element);
};

/** Our SCTP association's counters for the transfer's session (a failure's diagnosis). */
function sctpFigures(transfer: FileTransfer): Record<string, unknown> | undefined {
  const stats = transfer.session.sctp?.stats();
  if (stats === undefined) return undefined;
  const { packetsReceived, dataChunksReceived, messagesReceived, bytesReceived } = stats;
  const { duplicateTsnsReceived, droppedOverWindow, droppedChecksum, retransmissions } = stats;
  return {
    packetsReceived,
    dataChunksReceived,
    messagesReceived,
    bytesReceived,
    duplicateTsnsReceived,
    droppedOverWindow,
    droppedChecksum,
    retransmissions,
  };
}

function report(side: "sender" | "receiver", transfer: FileTransfer, startedAt: number): void {
  transfer.result.then(
    (r) =>
      emit({
        ev: "result",
        side,
        reason: r.reason.condition,
        text: r.reason.text,
        bytes: r.bytes,
        verified: r.verified,
        path: r.path,
        flavour: r.flavour,
        hashes: r.hashes.map((h) => ({
          algo: h.algo,
          value: Buffer.from(h.value).toString("hex"),
        })),
        ms: Date.now() - startedAt,
        sctp: sctpFigures(transfer),
      }),
    (err: unknown) => emit({ ev: "error", side, error: String(err) }),
  );
}

let receiveDir: string | undefined;
jingle.on("incoming", (session: JingleSession) => {
  const offer = jingle.incomingFile(session);
  if (offer === undefined || receiveDir === undefined) {
    emit({ ev: "error", error: "an incoming session that is not a file offer, or no receive" });
    void session.terminate("decline");
    return;
  }
  const { name, size, date, mediaType, hashes } = offer.file;
  emit({
    ev: "incoming",
    from: session.peer,
    file: { name, size, date, mediaType, hashes: (hashes ?? []).map((h) => h.algo) },
  });
  report("receiver", offer.receive({ dir: receiveDir }), Date.now());
});

emit({
  ev: "ready",
  bot: client.jid!.toString(),
  websocket: `ws://127.0.0.1:${HTTP_PORT}/xmpp-websocket`,
  stanza: { jid: prosody.jid("stanza"), password: "stanza-pw" },
});

const quit = async (): Promise<void> => {
  await jingle.close().catch(() => undefined);
  await client.stop().catch(() => undefined);
  await prosody.stop();
  process.exit(0);
};
createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  const command = JSON.parse(line) as {
    cmd: string;
    to?: string;
    path?: string;
    dir?: string;
    tamper?: string;
  };
  if (command.cmd === "receive") {
    receiveDir = command.dir;
    emit({ ev: "receiving", dir: receiveDir });
  } else if (command.cmd === "send") {
    tamperChecksum = command.tamper === "checksum";
    const startedAt = Date.now();
    jingle.sendFile(command.to!, command.path!, { sctpVariant: "auto" }).then(
      (transfer) => report("sender", transfer, startedAt),
      (err: unknown) => emit({ ev: "error", side: "sender", error: String(err) }),
    );
  } else if (command.cmd === "quit") {
    void quit();
  }
});
process.stdin.on("end", () => void quit());
