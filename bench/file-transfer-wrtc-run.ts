// The libwebrtc baseline of bench/file-transfer.ts, run inside the network namespace it creates
// (libwebrtc gathers on every interface): two RTCPeerConnections (@roamhq/wrtc) in this process,
// candidates passed directly, one data channel (ordered, reliable), and the file moved over it
// the way our FileSendPump does — read with a Node ReadStream (64 KiB reads), cut into messages
// of <chunk> bytes, each sent only while at most 1 MiB is outstanding (see the sender below for
// why not bufferedAmount) — then written to disk with a WriteStream and its SHA-256 checked against <sha256>.
// Times: from before the first RTCPeerConnection (`fromStart`) and from the sender's channel
// `open` (`fromOpen`) until the received file is closed on disk and its hash matched.
//   usage: node --import tsx bench/file-transfer-wrtc-run.ts <file> <chunk> <sha256-hex> <out> <runs>
// One uncounted warm-up transfer comes first. Prints one JSON line: { runs: [{ fromStart, fromOpen }] }.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";

interface Channel {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null;
  send(data: Uint8Array): void;
  close(): void;
}
interface PeerConnection {
  createDataChannel(label: string, init?: object): Channel;
  createOffer(): Promise<object>;
  createAnswer(): Promise<object>;
  setLocalDescription(d: object): Promise<void>;
  setRemoteDescription(d: object): Promise<void>;
  addIceCandidate(c: object): Promise<void>;
  readonly localDescription: object | null;
  onicecandidate: ((e: { candidate: object | null }) => void) | null;
  ondatachannel: ((e: { channel: Channel }) => void) | null;
  close(): void;
}
const { RTCPeerConnection } = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: new (config: object) => PeerConnection;
};

const [file, chunkText, sha256, out, runsText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const CHUNK = Number(chunkText);
const HIGH_WATER_MARK = Number(process.env["BENCH_WRTC_WINDOW_MIB"] ?? 1) * 1024 * 1024;
const size = (await stat(file)).size;

async function once(): Promise<{ fromStart: number; fromOpen: number }> {
  const t0 = performance.now();
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate).catch(() => {}));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate).catch(() => {}));
  const sending = a.createDataChannel("filetransfer");
  const opened = new Promise<number>((resolve) => {
    sending.onopen = () => resolve(performance.now());
  });
  const receiving = new Promise<Channel>(
    (resolve) => (b.ondatachannel = (e) => resolve(e.channel)),
  );
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);

  // The receiver: write every message to disk and hash it; done once the file is closed.
  // @roamhq/wrtc's bufferedAmount reads 0 whatever is queued and it never fires
  // bufferedamountlow, so the sender's back-pressure counts what the receiver (in this same
  // process) has not got yet: sent − received ≤ 1 MiB, resumed at 512 KiB. That bounds queued +
  // in-flight bytes, a little stricter than FileSendPump's bound on queued bytes alone.
  let received = 0;
  let sent = 0;
  let wake: (() => void) | undefined;
  const written = receiving.then(
    (channel) =>
      new Promise<void>((resolve, reject) => {
        channel.binaryType = "arraybuffer";
        const hash = createHash("sha256");
        const sink = createWriteStream(out);
        channel.onmessage = (event) => {
          const bytes = Buffer.from(event.data);
          hash.update(bytes);
          sink.write(bytes);
          received += bytes.length;
          if (wake !== undefined && sent - received <= HIGH_WATER_MARK / 2) {
            const w = wake;
            wake = undefined;
            w();
          }
          if (received === size) {
            sink.end();
            sink.once("close", () => {
              const digest = hash.digest("hex");
              if (digest === sha256) resolve();
              else reject(new Error(`libwebrtc: SHA-256 mismatch (${digest})`));
            });
          }
        };
      }),
  );

  const tOpen = await opened;
  for await (const read of createReadStream(file, {
    highWaterMark: 64 * 1024,
  }) as AsyncIterable<Buffer>) {
    for (let offset = 0; offset < read.length; offset += CHUNK) {
      const message = read.subarray(offset, Math.min(offset + CHUNK, read.length));
      while (sent - received > 0 && sent - received + message.length > HIGH_WATER_MARK)
        await new Promise<void>((resolve) => (wake = resolve));
      // A copy: @roamhq/wrtc once delivered a file whose SHA-256 did not match when handed
      // views into the read buffers (a 16 KiB run after several good ones), so each message
      // gets memory of its own.
      sending.send(new Uint8Array(message));
      sent += message.length;
    }
  }
  await written;
  const end = performance.now();
  a.close();
  b.close();
  await rm(out, { force: true });
  return { fromStart: end - t0, fromOpen: end - tOpen };
}

// One transfer first, not counted: module loading and JIT warm-up.
await once();
const runs: { fromStart: number; fromOpen: number }[] = [];
for (let i = 0; i < Number(runsText); i++) runs.push(await once());
process.stdout.write(JSON.stringify({ runs }) + "\n");
process.exit(0);
