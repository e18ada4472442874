// Runs inside the network namespace test/interop/file-conversations.test.ts creates (only lo and
// a veth pair: libwebrtc gathers on every interface): a throwaway Prosody on the namespace's
// 127.0.0.1, our bot (the plugin, ICE on <address>) logged in once, and for each scenario read
// from stdin a fresh Conversations-shaped peer (conversations-peer.ts, a child process, so in the
// same namespace). One JSON line per scenario on stdout: what our side and the peer saw.
// Scenarios: {"id","direction":"to-peer"|"from-peer","size","checksum"?,"variant"?}.
// Our bot runs here rather than in the test process because the test process cannot reach a
// server or peer inside the namespace, and they cannot reach it.
//   usage: node --import tsx test/interop/conversations/run.ts <address>
import { createHash, randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  fileTransferApplication,
  jingleIceUdp,
  type FileTransferResult,
  type JingleSession,
  type XmppClient,
} from "../../../src/plugin/index.js";
import { startProsody } from "../../support/prosody.js";
import { connectClient } from "../../support/xmpp-server.js";
import type { PeerReport } from "./report.js";

const PEER = fileURLToPath(new URL("../conversations-peer.ts", import.meta.url));
const [address] = process.argv.slice(2) as [string];

export interface Scenario {
  readonly id: string;
  readonly direction: "to-peer" | "from-peer";
  readonly size: number;
  readonly checksum?: "good" | "corrupt" | "none";
  readonly variant?: "auto" | "webrtc-datachannel";
}

export interface ScenarioResult {
  readonly id: string;
  readonly error?: string;
  readonly sha256: string;
  readonly ours?: {
    reason: string;
    bytes: number;
    verified: boolean;
    flavour?: string;
    hashes: string[];
    fileSha256?: string;
  };
  /** What our bot made of the peer's offer (from-peer). */
  readonly offer?: { name: string; size: number; mediaType?: string };
  /** Files in our receive dir after the transfer (from-peer). */
  readonly kept?: string[];
  readonly peer?: PeerReport;
  readonly peerStderr?: string;
}

const print = (line: object): boolean => process.stdout.write(JSON.stringify(line) + "\n");

const server = await startProsody({ users: { bot: "bot-pw", conv: "conv-pw" } });
const botClient = await connectClient(server, "bot", "bot");
const jingle = jingleIceUdp(botClient as unknown as XmppClient, {
  ice: { addresses: [address] },
  applications: [fileTransferApplication()],
});
const work = await mkdtemp(join(tmpdir(), "jingle-conv-ft-"));
let peers = 0;

function startPeer(args: string[]): {
  online: Promise<string>;
  done: Promise<PeerReport>;
  stderr: () => string;
} {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      PEER,
      ...["--service", server.service, "--domain", server.domain],
      ...["--user", "conv", "--password", "conv-pw", "--resource", `conv${++peers}`],
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let online!: (jid: string) => void;
  let done!: (report: PeerReport) => void;
  const result = {
    online: new Promise<string>((r) => (online = r)),
    done: new Promise<PeerReport>((r) => (done = r)),
    stderr: () => stderr,
  };
  createInterface({ input: child.stdout }).on("line", (line) => {
    const event = JSON.parse(line) as { event: string; jid?: string; report?: PeerReport };
    if (event.event === "online") online(event.jid!);
    if (event.event === "done") done(event.report!);
  });
  child.on("exit", (code) => {
    const report = { ok: false, error: `peer exited (${code}): ${stderr}` } as PeerReport;
    online("");
    done(report);
  });
  return result;
}

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

function ours(
  result: FileTransferResult,
  fileSha256?: string | undefined,
): NonNullable<ScenarioResult["ours"]> {
  return {
    reason: result.reason.condition,
    bytes: result.bytes,
    verified: result.verified,
    ...(result.flavour !== undefined && { flavour: result.flavour }),
    hashes: result.hashes.map((h) => h.algo),
    ...(fileSha256 !== undefined && { fileSha256 }),
  };
}

async function run(scenario: Scenario): Promise<ScenarioResult> {
  const data = randomBytes(scenario.size);
  const name = `conv-${scenario.id}.bin`;
  const path = join(work, name);
  await writeFile(path, data);
  const dir = join(work, `in-${scenario.id}`);
  await mkdir(dir);
  const expected = sha256(data);
  if (scenario.direction === "to-peer") {
    const peer = startPeer(["--receive", dir]);
    const jid = await peer.online;
    const transfer = await jingle.sendFile(jid, path, {
      sctpVariant: scenario.variant ?? "webrtc-datachannel",
      mediaType: "application/octet-stream",
    });
    const [result, report] = await Promise.all([transfer.result, peer.done]);
    return {
      id: scenario.id,
      sha256: expected,
      ours: ours(result),
      peer: report,
      peerStderr: peer.stderr(),
    };
  }
  const incoming = once(jingle, "incoming") as Promise<[JingleSession]>;
  const peer = startPeer([
    ...["--send", path, "--to", botClient.jid!.toString()],
    ...["--media-type", "application/octet-stream", "--checksum", scenario.checksum ?? "good"],
  ]);
  const [session] = await incoming;
  const offer = jingle.incomingFile(session);
  if (offer === undefined) throw new Error("the peer's session is not a file transfer");
  const [result, report] = await Promise.all([offer.receive({ dir }).result, peer.done]);
  const fileSha256 = result.path === undefined ? undefined : sha256(await readFile(result.path));
  return {
    id: scenario.id,
    sha256: expected,
    ours: ours(result, fileSha256),
    offer: {
      name: offer.file.name ?? "",
      size: offer.file.size ?? -1,
      ...(offer.file.mediaType !== undefined && { mediaType: offer.file.mediaType }),
    },
    kept: await readdir(dir),
    peer: report,
    peerStderr: peer.stderr(),
  };
}

print({ event: "ready" });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const scenario = JSON.parse(line) as Scenario;
  const result = await run(scenario).catch((error: unknown): ScenarioResult => ({
    id: scenario.id,
    sha256: "",
    error: String(error),
  }));
  print({ event: "result", ...result });
}
await jingle.close();
await botClient.stop().catch(() => undefined);
await server.stop();
await rm(work, { recursive: true, force: true });
process.exit(0);
