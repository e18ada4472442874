// Runs inside the network namespace that test/interop/dtls-wrtc.test.ts (and bench/dtls.ts)
// create: libwebrtc (@roamhq/wrtc) and our ICE + DTLS in one process, each gathering on the
// namespace's only non-loopback address. libwebrtc is the offerer (ICE-controlling,
// `a=setup:actpass`); our answer is built from our ICE credentials, candidates and DTLS
// fingerprint, with `a=setup:active` (we are the DTLS client) or `passive` (server).
// Prints one JSON line: both sides' connect times (ms from the offer) and what was negotiated.
//   usage: node --import tsx test/interop/wrtc-dtls-run.ts <address> <active|passive>
import { once } from "node:events";
import { createRequire } from "node:module";
import { candidateFromJson } from "../../src/cli/candidate-json.js";
import { toRemoteCandidateInput, type RemoteCandidateInput } from "../../src/ice/candidate.js";
import { DatagramChannel, IceConnection } from "../../src/node/index.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";

interface WrtcPeerConnection {
  createDataChannel(label: string): unknown;
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  readonly localDescription: { sdp: string } | null;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  onicegatheringstatechange: (() => void) | null;
  onconnectionstatechange: (() => void) | null;
  close(): void;
}
const { RTCPeerConnection } = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: new (config: object) => WrtcPeerConnection;
};

const [address, setup] = process.argv.slice(2) as [string, "active" | "passive"];
const started = performance.now();
const ms = (): number => Math.round((performance.now() - started) * 10) / 10;

const pc = new RTCPeerConnection({ iceServers: [] });
pc.createDataChannel("jingle-ice"); // an m=application line: DTLS without media
await pc.setLocalDescription(await pc.createOffer());
while (pc.iceGatheringState !== "complete")
  await new Promise<void>((resolve) => (pc.onicegatheringstatechange = () => resolve()));
const offer = pc.localDescription!.sdp;
const attr = (name: string): string => new RegExp(`^a=${name}:(.+)$`, "m").exec(offer)![1]!.trim();
const [algorithm, value] = attr("fingerprint").split(" ") as [string, string];
const remoteCandidates: RemoteCandidateInput[] = [...offer.matchAll(/^a=candidate:(.+)$/gm)].map(
  (m) => {
    const [foundation, component, protocol, priority, ip, port, , type] = m[1]!.trim().split(" ");
    return candidateFromJson({
      foundation,
      component: Number(component),
      protocol: protocol!.toLowerCase(),
      priority: Number(priority),
      ip,
      port: Number(port),
      type,
    });
  },
);

const offered = ms();
const certificate = generateCertificate();
const ice = await IceConnection.create({ role: "controlled", addresses: [address] });
const local: RemoteCandidateInput[] = [];
ice.on("local-candidate", (c) => local.push(toRemoteCandidateInput(c)));
const gathered = once(ice, "gathering-complete");
ice.startGathering();
await gathered;
ice.setRemoteCredentials(attr("ice-ufrag"), attr("ice-pwd"));
for (const c of remoteCandidates) ice.addRemoteCandidate(c);
ice.endOfRemoteCandidates();
const channel = DtlsChannel.create(new DatagramChannel(ice), {
  role: setup === "active" ? "client" : "server",
  certificate,
  remoteFingerprint: { algorithm: algorithm as "sha-256", value },
  retransmitInitialMs: 100, // the first flight may leave before ICE has a pair
});
const answer = [
  "v=0",
  "o=- 1 1 IN IP4 0.0.0.0",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
  "c=IN IP4 0.0.0.0",
  `a=ice-ufrag:${ice.localCredentials.ufrag}`,
  `a=ice-pwd:${ice.localCredentials.pwd}`,
  `a=fingerprint:sha-256 ${certificate.fingerprint.value}`,
  `a=setup:${setup}`,
  "a=mid:0",
  "a=sctp-port:5000",
  ...local.map(
    (c) =>
      `a=candidate:${c.foundation} ${c.component} udp ${c.priority} ${c.address} ${c.port} typ ${c.type}`,
  ),
  "a=end-of-candidates",
  "",
].join("\r\n");
const wrtcConnected = new Promise<number>((resolve, reject) => {
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "connected") resolve(ms());
    if (pc.connectionState === "failed") reject(new Error("libwebrtc: connectionState failed"));
  };
});
await pc.setRemoteDescription({ type: "answer", sdp: answer });
const timeout = new Promise<never>((_, reject) =>
  setTimeout(() => reject(new Error("timed out")), 15_000).unref(),
);
try {
  const [info, wrtcAt] = await Promise.race([Promise.all([channel.ready, wrtcConnected]), timeout]);
  process.stdout.write(
    JSON.stringify({
      ok: true,
      offered,
      oursConnected: ms(),
      wrtcConnected: wrtcAt,
      wrtcCandidates: remoteCandidates.map((c) => c.address),
      info,
    }) + "\n",
  );
} catch (error) {
  process.stdout.write(
    JSON.stringify({
      ok: false,
      error: String(error),
      wrtcState: pc.connectionState,
      dtls: channel.state,
      offer,
    }) + "\n",
  );
}
pc.close();
await channel.close();
process.exit(0);
