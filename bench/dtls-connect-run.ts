// Runs inside the namespace bench/dtls.ts creates (libwebrtc gathers on every interface): times
// `runs` connections of each stack from the first API call to the first application datagram
// received, both peers in this process, signalling passed directly (trickle).
//   usage: node bench/dtls-connect-run.ts <address> <runs>     (tsx, from bench/dtls.ts)
// - ours: two IceConnections (gathering on <address>) + DtlsChannels; t0 = before
//   IceConnection.create; end = the first datagram sent after `connected` arrives.
// - libwebrtc: two RTCPeerConnections, a negotiated data channel; t0 = before the first
//   RTCPeerConnection; `connected` = both connectionState "connected" (ICE + DTLS, the figure
//   comparable to ours), `first message` = the data channel opened (SCTP association, which we
//   do not have yet) and its first message received.
// Prints one JSON line.
import { once } from "node:events";
import { createRequire } from "node:module";
import type * as Package from "../src/index.js";

const [address, runsText] = process.argv.slice(2) as [string, string];
const runs = Number(runsText);
const pkg = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof Package;

interface DataChannel {
  onopen: (() => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  send(data: string): void;
}
interface PeerConnection {
  createDataChannel(label: string, init: object): DataChannel;
  createOffer(): Promise<object>;
  createAnswer(): Promise<object>;
  setLocalDescription(d: object): Promise<void>;
  setRemoteDescription(d: object): Promise<void>;
  addIceCandidate(c: object): Promise<void>;
  readonly localDescription: object | null;
  readonly connectionState: string;
  onicecandidate: ((e: { candidate: object | null }) => void) | null;
  onconnectionstatechange: (() => void) | null;
  close(): void;
}
const { RTCPeerConnection } = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: new (config: object) => PeerConnection;
};

const certificates = [pkg.generateCertificate(), pkg.generateCertificate()] as const;

async function ours(): Promise<{ connected: number; first: number }> {
  const t0 = performance.now();
  const a = await pkg.IceConnection.create({ role: "controlling", addresses: [address] });
  const b = await pkg.IceConnection.create({ role: "controlled", addresses: [address] });
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(pkg.toRemoteCandidateInput(c)));
    from.on("gathering-complete", () => to.endOfRemoteCandidates());
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
  a.startGathering();
  b.startGathering();
  // As a Jingle session would: DTLS starts once ICE has a pair.
  await Promise.all([once(a, "selected-pair"), once(b, "selected-pair")]);
  const client = pkg.DtlsChannel.create(new pkg.DatagramChannel(a), {
    role: "client",
    certificate: certificates[0],
    remoteFingerprint: certificates[1].fingerprint,
  });
  const server = pkg.DtlsChannel.create(new pkg.DatagramChannel(b), {
    role: "server",
    certificate: certificates[1],
    remoteFingerprint: certificates[0].fingerprint,
  });
  await Promise.all([client.ready, server.ready]);
  const connected = performance.now() - t0;
  const got = once(server, "message");
  client.send(new TextEncoder().encode("first"));
  await got;
  const first = performance.now() - t0;
  await client.close();
  await server.close();
  return { connected, first };
}

async function libwebrtc(): Promise<{ connected: number; first: number }> {
  const t0 = performance.now();
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  // A candidate gathered after the measurement ends meets a closed connection: ignored.
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate).catch(() => {}));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate).catch(() => {}));
  const connected = Promise.all(
    [a, b].map(
      (pc) =>
        new Promise<void>((resolve) => {
          pc.onconnectionstatechange = () => pc.connectionState === "connected" && resolve();
        }),
    ),
  ).then(() => performance.now() - t0);
  const da = a.createDataChannel("bench", { negotiated: true, id: 0 });
  const db = b.createDataChannel("bench", { negotiated: true, id: 0 });
  const first = new Promise<number>((resolve) => {
    db.onmessage = () => resolve(performance.now() - t0);
  });
  da.onopen = () => da.send("first");
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  const result = { connected: await connected, first: await first };
  a.close();
  b.close();
  return result;
}

const results = {
  ours: [] as { connected: number; first: number }[],
  libwebrtc: [] as { connected: number; first: number }[],
};
// One of each first, not counted: module loading and JIT warm-up.
await ours();
await libwebrtc();
for (let i = 0; i < runs; i++) {
  results.ours.push(await ours());
  results.libwebrtc.push(await libwebrtc());
}
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(0);
