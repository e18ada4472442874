// Our ICE + DTLS (IceConnection, DatagramChannel, DtlsChannel) against aiortc 1.4 (Debian
// python3-aiortc): its RTCDtlsTransport over its own RTCIceTransport (aioice), all on
// 127.0.0.1. Credentials, candidates and fingerprints go through the peer's stdin/stdout
// (aiortc-dtls-peer.py). Both DTLS roles, each with the other ICE role; data both ways through
// aiortc's raw DTLS data path (see the peer's docstring for why not SCTP).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { toRemoteCandidateInput, type RemoteCandidateInput } from "../../src/ice/candidate.js";
import { utf8Decode, utf8Encode } from "../../src/common/bytes.js";
import { DatagramChannel, IceConnection } from "../../src/node/index.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import type { Fingerprint } from "../../src/dtls/fingerprint.js";
import { SYSTEM_PYTHON } from "./harness.js";

const PEER = join(fileURLToPath(new URL(".", import.meta.url)), "aiortc-dtls-peer.py");
const TIMEOUT = { timeout: 30_000 };
const ours = generateCertificate();

let prerequisite: Promise<void> | undefined;
/** Fails clearly unless /usr/bin/python3 can import aiortc. */
function requireAiortc(): Promise<void> {
  prerequisite ??= new Promise((resolve, reject) =>
    execFile(SYSTEM_PYTHON, ["-c", "import aiortc"], { timeout: 20_000 }, (err, _o, stderr) =>
      err === null
        ? resolve()
        : reject(
            new Error(
              `aiortc interop cannot run: ${SYSTEM_PYTHON} cannot import aiortc (${stderr.trim() || err.message}) — apt-get install -y python3-aiortc`,
            ),
          ),
    ),
  );
  return prerequisite;
}

interface PeerEvent {
  ev: string;
  [key: string]: unknown;
}

/** The aiortc peer process and the JSON events it printed. */
class AiortcPeer {
  readonly events: PeerEvent[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = "";
  private waiters: (() => void)[] = [];

  constructor(iceRole: string, dtlsRole: string) {
    this.child = spawn("setpriv", [
      "--pdeathsig",
      "KILL",
      "--",
      SYSTEM_PYTHON,
      PEER,
      "--ice-role",
      iceRole,
      "--dtls-role",
      dtlsRole,
    ]);
    this.child.stderr.on("data", (c: Buffer) => (this.stderr += c.toString()));
    this.child.stdin.on("error", () => undefined);
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      this.events.push(JSON.parse(line) as PeerEvent);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async waitFor(
    ev: string,
    match: (e: PeerEvent) => boolean = () => true,
    ms = 20_000,
  ): Promise<PeerEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find((e) => e.ev === ev && match(e));
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(
          `aiortc peer: no ${ev} event\nevents: ${JSON.stringify(this.events)}\nstderr: ${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  send(value: unknown): void {
    this.child.stdin.write(JSON.stringify(value) + "\n");
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.stdin.end("quit\n");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
      await once(this.child, "exit");
      clearTimeout(timer);
    }
  }
}

const cleanups: (() => Promise<unknown>)[] = [];

async function run(dtlsRole: "client" | "server"): Promise<void> {
  await requireAiortc();
  // The ICE roles differ too: our DTLS client is ICE-controlling here, our server controlled.
  const iceRole = dtlsRole === "client" ? "controlling" : "controlled";
  const peer = new AiortcPeer(
    iceRole === "controlling" ? "controlled" : "controlling",
    dtlsRole === "client" ? "server" : "client",
  );
  cleanups.push(() => peer.stop());
  const local = await peer.waitFor("local");
  const ice = await IceConnection.create({ role: iceRole, addresses: ["127.0.0.1"] });
  cleanups.push(() => ice.close());
  const candidates: RemoteCandidateInput[] = [];
  ice.on("local-candidate", (c) => candidates.push(toRemoteCandidateInput(c)));
  const gathered = once(ice, "gathering-complete");
  ice.startGathering();
  await gathered;
  peer.send({
    ufrag: ice.localCredentials.ufrag,
    pwd: ice.localCredentials.pwd,
    candidates,
    fingerprint: ours.fingerprint,
  });
  ice.setRemoteCredentials(local["ufrag"] as string, local["pwd"] as string);
  for (const c of local["candidates"] as RemoteCandidateInput[]) ice.addRemoteCandidate(c);
  ice.endOfRemoteCandidates();
  await once(ice, "selected-pair");
  const fingerprints = local["fingerprints"] as Fingerprint[];
  const channel = DtlsChannel.create(new DatagramChannel(ice), {
    role: dtlsRole,
    certificate: ours,
    remoteFingerprint: fingerprints.find((f) => f.algorithm === "sha-256")!,
  });
  const firstMessage = once(channel, "message");
  const info = await channel.ready;
  assert.equal(info.srtpProfile, "SRTP_AES128_CM_HMAC_SHA1_80", "aiortc offers only this profile");
  await peer.waitFor("dtls-state", (e) => e["state"] === "connected");
  assert.equal(utf8Decode(((await firstMessage) as [Uint8Array])[0]), "hello from aiortc");
  const echo = once(channel, "message");
  channel.send(utf8Encode("hello from jingle-ice"));
  assert.equal(utf8Decode(((await echo) as [Uint8Array])[0]), "echo:hello from jingle-ice");
  await peer.waitFor("data", (e) => e["text"] === "hello from jingle-ice");
  await channel.close();
}

describe("ICE + DTLS interop with aiortc (RTCIceTransport + RTCDtlsTransport)", () => {
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(
    "we are the DTLS client (and ICE-controlling); aiortc the server: data both ways",
    TIMEOUT,
    () => run("client"),
  );

  it(
    "we are the DTLS server (and ICE-controlled); aiortc the client: data both ways",
    TIMEOUT,
    () => run("server"),
  );
});
