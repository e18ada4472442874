// Interop with aiortc's SCTP and DCEP (aiortc 1.4, Debian python3-aiortc) without DTLS: the peer
// script puts aiortc's RTCSctpTransport on plain UDP on 127.0.0.1 (test/interop/
// aiortc-sctp-peer.py), and our SctpAssociation runs on a UDP socket here. Both SCTP roles of
// aiortc are tried. Fails with a clear message when /usr/bin/python3 or aiortc is missing.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { EventEmitter, once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DataChannel } from "../../src/node/data-channel.js";
import { SctpAssociation } from "../../src/node/sctp-association.js";
import { SYSTEM_PYTHON } from "./harness.js";

const PEER = join(fileURLToPath(new URL(".", import.meta.url)), "aiortc-sctp-peer.py");

/** Throws a clear error when aiortc cannot run here. */
function requireAiortc(): void {
  if (!existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} is missing (Debian python3)`);
  const check = spawnSync(SYSTEM_PYTHON, ["-c", "import aiortc.rtcsctptransport"], {
    encoding: "utf8",
  });
  if (check.status !== 0)
    throw new Error(`aiortc is missing (Debian python3-aiortc): ${check.stderr}`);
}

/** A UDP socket to the peer as the datagram transport under the association. */
class UdpTransport extends EventEmitter<{ message: [data: Uint8Array] }> {
  peerPort = 0;
  constructor(readonly socket: Socket) {
    super();
    socket.on("message", (data) => this.emit("message", data));
  }
  closed = false;
  send(data: Uint8Array): void {
    if (this.peerPort !== 0 && !this.closed) this.socket.send(data, this.peerPort, "127.0.0.1");
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

interface PeerEvent {
  ev: string;
  [key: string]: unknown;
}

/** The aiortc peer process and the events it printed. */
class AiortcPeer {
  readonly events: PeerEvent[] = [];
  private readonly waiters = new Set<() => void>();
  readonly stderr: string[] = [];
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      this.events.push(JSON.parse(line) as PeerEvent);
      for (const wake of this.waiters) wake();
    });
    child.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** Resolves with the first event matching `match`, or rejects after `ms`. */
  async waitFor(match: (e: PeerEvent) => boolean, ms = 10_000): Promise<PeerEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `aiortc peer: no matching event; got ${JSON.stringify(this.events)} ${this.stderr.join("")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
  }

  stop(): void {
    this.child.stdin.end();
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});

async function start(aiortcRole: "controlled" | "controlling") {
  requireAiortc();
  const socket = createSocket("udp4");
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const transport = new UdpTransport(socket);
  const child = spawn(SYSTEM_PYTHON, [PEER, aiortcRole, String(socket.address().port)]);
  const peer = new AiortcPeer(child);
  cleanups.push(() => {
    peer.stop();
    transport.close();
  });
  transport.peerPort = Number((await peer.waitFor((e) => e.ev === "port"))["port"]);
  // aiortc as SCTP "server" is the DTLS client (even ids): we are then the DTLS server.
  const association = new SctpAssociation(transport, {
    role: aiortcRole === "controlled" ? "server" : "client",
    maxSendMessageSize: 65536,
  });
  cleanups.unshift(() => association.abort());
  return { association, peer };
}

for (const aiortcRole of ["controlled", "controlling"] as const) {
  describe(`interop with aiortc's SCTP and DCEP (aiortc ${aiortcRole === "controlled" ? "waits for INIT" : "sends INIT"})`, () => {
    it("establishes, takes aiortc's channel and its messages, echoes ours, closes a channel and shuts down", async () => {
      const { association, peer } = await start(aiortcRole);
      const announced = once(association, "datachannel") as Promise<[DataChannel]>;
      await once(association, "open");
      await peer.waitFor((e) => e.ev === "established");

      // aiortc's channel: label, protocol, id parity by DTLS role, its four messages.
      const [theirs] = await announced;
      assert.equal(theirs.label, "from-aiortc");
      assert.equal(theirs.protocol, "xmpp-jingle");
      assert.equal(theirs.id % 2, aiortcRole === "controlled" ? 0 : 1);
      const received: (string | Uint8Array)[] = [];
      theirs.on("message", (data) => received.push(data));
      const deadline = Date.now() + 10_000;
      while (received.length < 4 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(received, [
        "hello from aiortc",
        new Uint8Array([1, 2]),
        "",
        new Uint8Array(0),
      ]);

      // Our channel: aiortc echoes everything, in order.
      const ours = association.createDataChannel("from-node", { protocol: "test" });
      await once(ours, "open");
      const echoes: (string | Uint8Array)[] = [];
      ours.on("message", (data) => echoes.push(data));
      const sent: (string | Uint8Array)[] = ["text ✓", ""];
      for (let i = 0; i < 60; i++) sent.push(new Uint8Array(1000 + i * 997).fill(i));
      for (const message of sent) ours.send(message);
      const until = Date.now() + 20_000;
      while (echoes.length < sent.length && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(echoes.length, sent.length);
      assert.deepEqual(echoes, sent);
      const datachannel = await peer.waitFor((e) => e.ev === "datachannel");
      assert.deepEqual(datachannel, {
        ev: "datachannel",
        label: "from-node",
        protocol: "test",
        id: ours.id,
      });
      assert.equal(ours.id % 2, aiortcRole === "controlled" ? 1 : 0);

      // Closing our channel resets its stream; aiortc closes its end.
      ours.close();
      await once(ours, "close");
      await peer.waitFor((e) => e.ev === "closed" && e["label"] === "from-node");

      // A graceful SHUTDOWN.
      await association.close();
      assert.equal(association.state, "closed");
      const stats = association.stats();
      assert.equal(
        stats.droppedMalformed + stats.droppedVerificationTag + stats.droppedChecksum,
        0,
      );
    });
  });
}
