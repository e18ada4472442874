// A StanzaJS 12.22 client (npm `stanza`) doing XEP-0234 file transfer with libwebrtc
// (@roamhq/wrtc) as its RTCPeerConnection, for test/interop/file-stanza.test.ts. It runs inside
// the test's network namespace (libwebrtc gathers on every interface) and logs in over
// WebSocket (StanzaJS has no TCP transport) to the Prosody the bot process started there.
// Browser globals it needs come from ./stanza-shim.ts, loaded in this process only.
//   usage: node --import tsx test/interop/stanza-file-run.ts <ws-url> <jid> <password>
// stdin commands (JSON lines):
//   {cmd:"send", to, path, tamper?: "checksum"}  start a FileTransferSession with that file;
//       "checksum" flips every byte of the hash in its <checksum/> session-info (a corrupted
//       transfer as a StanzaJS sender would report it).
//   {cmd:"receive", dir}  accept the next incoming file-transfer sessions and write each file
//       StanzaJS delivers (its `receivedFile`, i.e. hash verified) into `dir`.
//   {cmd:"quit"}
// stdout events (JSON lines): online, offered, incoming, sent-file, received-file, ended
// (with what StanzaJS put on the wire: Jingle actions and session-info payloads it sent, the
// data-channel label and message sizes), error.
import "./stanza-shim.js";
import { createHash } from "node:crypto";
import { openAsBlob } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { RTCPeerConnection } from "./stanza-shim.js";

/** StanzaJS's name for a `<checksum/>` session-info (Constants.JINGLE_INFO_CHECKSUM_5). */
const CHECKSUM_INFO = "{urn:xmpp:jingle:apps:file-transfer:5}checksum";

/** The parts of StanzaJS's objects this runner touches (its own typings need the DOM lib). */
interface StanzaHash {
  algorithm?: string;
  value?: Uint8Array;
}
interface StanzaJingle {
  action?: string;
  sid?: string;
  reason?: { condition?: string };
  info?: { infoType?: string; file?: { hashes?: StanzaHash[] } };
}
interface StanzaSend {
  type?: string;
  to?: string;
  jingle?: StanzaJingle;
}
interface StanzaChannel {
  label: string;
  ordered?: boolean;
}
interface StanzaEmitter {
  on(event: string, listener: (...args: never[]) => void): void;
}
interface StanzaSession {
  sid: string;
  peerID: string;
  send(action: string, data: StanzaJingle): void;
  start(file: File): Promise<void>;
  accept(): Promise<void>;
  sender?: StanzaEmitter;
  receiver?: StanzaEmitter & { metadata: { name?: string; size?: number } };
  pc: {
    addEventListener(event: "datachannel", f: (e: { channel: StanzaChannel }) => void): void;
    addEventListener(event: "iceconnectionstatechange", f: () => void): void;
    readonly iceConnectionState: string;
  };
  channel?: StanzaChannel;
}
interface StanzaClient extends StanzaEmitter {
  jingle: StanzaEmitter & { createFileTransferSession(peer: string): StanzaSession };
  connect(): void;
  disconnect(): Promise<void>;
  sendPresence(): unknown;
}
const { createClient } = createRequire(import.meta.url)("stanza") as {
  createClient(options: object): StanzaClient;
};

const [wsUrl, jid, password] = process.argv.slice(2) as [string, string, string];
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify(event) + "\n");
};

const client = createClient({
  jid,
  password,
  resource: "stanza",
  transports: { websocket: wsUrl, bosh: false },
  jingle: {
    // The Node platform has no RTCPeerConnection, so StanzaJS would not even offer Jingle.
    hasRTCPeerConnection: true,
    advertiseFileTransfer: true,
    advertiseAudio: false,
    advertiseVideo: false,
    iceServers: [], // the default is a public STUN server
    createPeerConnection: (_session: unknown, config: object) => new RTCPeerConnection(config),
  },
});

/** What one session put on the wire, from StanzaJS's side. */
interface Observed {
  role: "initiator" | "responder";
  actions: string[];
  infos: { type: string; algorithms: string[] }[];
  label?: string | undefined;
  ordered?: boolean | undefined;
  messages: number;
  maxMessage: number;
  /** libwebrtc's ICE connection states, with ms since the session started. */
  ice: string[];
  /** The sender's channel bufferedAmount after its last message (a stall's diagnosis). */
  lastBuffered?: number | undefined;
  startedAt: number;
}
const observed = new Map<string, Observed>();
const observe = (sid: string, role: Observed["role"]): Observed => {
  let o = observed.get(sid);
  if (o === undefined) {
    o = {
      role,
      actions: [],
      infos: [],
      ice: [],
      messages: 0,
      maxMessage: 0,
      startedAt: Date.now(),
    };
    observed.set(sid, o);
  }
  return o;
};
const watchIce = (session: StanzaSession, o: Observed): void =>
  session.pc.addEventListener("iceconnectionstatechange", () =>
    o.ice.push(`${session.pc.iceConnectionState}@${Date.now() - o.startedAt}`),
  );
const countMessage = (o: Observed, data: ArrayBuffer | null | undefined): void => {
  if (data === null || data === undefined) return;
  o.messages++;
  o.maxMessage = Math.max(o.maxMessage, data.byteLength);
};

// Every Jingle IQ StanzaJS sends goes through the manager's `send` event.
client.jingle.on("send", (data: StanzaSend) => {
  const sid = data.jingle?.sid;
  if (data.type !== "set" || sid === undefined) return;
  const o = observed.get(sid);
  if (o === undefined) return;
  o.actions.push(data.jingle?.action ?? "?");
  const info = data.jingle?.info;
  if (info?.infoType !== undefined) {
    const algorithms = (info.file?.hashes ?? []).map((h) => h.algorithm ?? "?");
    o.infos.push({ type: info.infoType, algorithms });
  }
});

// StanzaJS's own log, for the test's failure reports (stderr tail).
client.jingle.on("log", (level: string, message: string) => {
  if (level !== "debug") process.stderr.write(`[stanza ${level}] ${message}\n`);
});

client.jingle.on("terminated", (session: StanzaSession, reason: { condition?: string }) => {
  const o = observed.get(session.sid);
  emit({
    ev: "ended",
    sid: session.sid,
    reason: reason?.condition ?? "?",
    ms: o === undefined ? undefined : Date.now() - o.startedAt,
    ...o,
  });
});

let receiveDir: string | undefined;
client.on("jingle:incoming", (session: StanzaSession) => {
  const o = observe(session.sid, "responder");
  watchIce(session, o);
  const meta = session.receiver?.metadata;
  emit({ ev: "incoming", sid: session.sid, name: meta?.name, size: meta?.size });
  session.pc.addEventListener("datachannel", (e) => {
    o.label = e.channel.label;
    o.ordered = e.channel.ordered;
  });
  session.receiver?.on("progress", (_got: number, _size: number, data: ArrayBuffer) =>
    countMessage(o, data),
  );
  if (receiveDir === undefined) {
    emit({ ev: "error", error: "incoming session before a receive command" });
    return;
  }
  void session.accept();
});

// Emitted by StanzaJS only once the hash it computed matches one of the sender's.
client.jingle.on("receivedFile", (session: StanzaSession, file: Blob, meta: { name?: string }) => {
  void (async () => {
    const bytes = Buffer.from(await file.arrayBuffer());
    const path = join(receiveDir!, basename(meta.name ?? "file"));
    await writeFile(path, bytes);
    emit({
      ev: "received-file",
      sid: session.sid,
      path,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  })().catch((err: unknown) => emit({ ev: "error", error: String(err) }));
});

async function send(to: string, path: string, tamper: string | undefined): Promise<void> {
  const blob = await openAsBlob(path);
  const file = new File([blob], basename(path), {
    lastModified: Date.parse("2026-01-02T03:04:05Z"),
  });
  const session = client.jingle.createFileTransferSession(to);
  const o = observe(session.sid, "initiator");
  watchIce(session, o);
  if (tamper === "checksum") {
    const original = session.send.bind(session);
    session.send = (action, data) => {
      if (action === "session-info" && data.info?.infoType === CHECKSUM_INFO) {
        for (const hash of data.info.file?.hashes ?? [])
          hash.value?.forEach((b, i, a) => (a[i] = b ^ 0xff));
        emit({ ev: "tampered", sid: session.sid });
      }
      original(action, data);
    };
  }
  const started = session.start(file);
  // start() created the Sender and the channel synchronously.
  session.sender?.on("progress", (_sent: number, _size: number, data: ArrayBuffer | null) => {
    countMessage(o, data);
    o.lastBuffered = (session.channel as { bufferedAmount?: number } | undefined)?.bufferedAmount;
  });
  o.label = session.channel?.label;
  session.sender?.on("sentFile", () => emit({ ev: "sent-file", sid: session.sid }));
  await started;
  emit({ ev: "offered", sid: session.sid, name: file.name, size: file.size });
}

client.on("session:started", () => {
  void client.sendPresence();
  emit({ ev: "online", jid: String((client as unknown as { jid: string }).jid) });
});
client.on("stream:error", (error: unknown) => emit({ ev: "error", error: JSON.stringify(error) }));
client.on("auth:failed", () => emit({ ev: "error", error: "auth failed" }));
client.connect();

createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  const command = JSON.parse(line) as {
    cmd: string;
    to?: string;
    path?: string;
    dir?: string;
    tamper?: string;
  };
  if (command.cmd === "send") {
    send(command.to!, command.path!, command.tamper).catch((err: unknown) =>
      emit({ ev: "error", error: String(err) }),
    );
  } else if (command.cmd === "receive") {
    receiveDir = command.dir;
    emit({ ev: "receiving", dir: receiveDir });
  } else if (command.cmd === "quit") {
    void client.disconnect().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  }
});
process.stdin.on("end", () => process.exit(0));
