// Runs inside the network namespace that test/interop/sctp-wrtc.test.ts creates: libwebrtc
// (@roamhq/wrtc, its own SCTP — dcSCTP — and DCEP) and our ICE + DTLS + SCTP in one process.
// libwebrtc offers (actpass, with one channel "from-wrtc"); our answer is an SDP made from the
// Jingle transport we would send (sdpFromJingle over parseJingle(buildJingle(…)), in XEP-0343 or
// Conversations' variant), with a=setup:active (we are the DTLS client) or passive (server).
// Then: libwebrtc's channel arrives on ours, ours opens "from-us" on libwebrtc; text, binary and
// empty messages both ways on both; each side closes one channel by stream reset.
// Prints one JSON line with what was observed.
// With <bulk> > 0, each side then sends <bulk> messages of 16 KiB on its own channel (ordered,
// reliable), and the receiver checks count, order and SHA-1 (the loss tests).
//   usage: node --import tsx test/interop/wrtc-sctp-run.ts <address> <active|passive> <sctpmap|webrtc-datachannel> [bulk]
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createRequire } from "node:module";
import { candidateFromJson } from "../../src/cli/candidate-json.js";
import { toRemoteCandidateInput, type RemoteCandidateInput } from "../../src/ice/candidate.js";
import { buildJingle } from "../../src/jingle/build.js";
import { localSctp, sctpParameters } from "../../src/jingle/data-channel-setup.js";
import type { IceUdpTransport, SctpVariant } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import { DatagramChannel, IceConnection } from "../../src/node/index.js";
import { SctpAssociation } from "../../src/node/sctp-association.js";
import { sdpFromJingle } from "./jingle-sdp.js";
import type { DataChannel } from "../../src/node/data-channel.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";

interface WrtcChannel {
  readonly label: string;
  readonly protocol: string;
  readonly id: number | null;
  readonly readyState: string;
  binaryType: string;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  send(data: string | Uint8Array): void;
  close(): void;
}
interface WrtcPeerConnection {
  createDataChannel(label: string, init?: object): WrtcChannel;
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  readonly localDescription: { sdp: string } | null;
  readonly iceGatheringState: string;
  onicegatheringstatechange: (() => void) | null;
  ondatachannel: ((event: { channel: WrtcChannel }) => void) | null;
  close(): void;
}
const { RTCPeerConnection } = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: new (config: object) => WrtcPeerConnection;
};

const [address, setup, variant, bulkText] = process.argv.slice(2) as [
  string,
  "active" | "passive",
  SctpVariant,
  string | undefined,
];
const BULK = Number(bulkText ?? 0);
const CHUNK = 16 * 1024;
const role = setup === "active" ? "client" : "server";

/** A message as a comparable string: `text:` or `bin:<hex>`, long ones as length and SHA-1. */
function show(data: string | ArrayBuffer | Uint8Array): string {
  const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data as Uint8Array);
  const kind = typeof data === "string" ? "text" : "bin";
  if (bytes.length <= 16)
    return typeof data === "string" ? `text:${data}` : `bin:${bytes.toString("hex")}`;
  return `${kind}:${bytes.length}:${createHash("sha1").update(bytes).digest("hex")}`;
}
/** Collects `count` messages from a wrtc channel. */
function wrtcMessages(channel: WrtcChannel, count: number): Promise<string[]> {
  channel.binaryType = "arraybuffer";
  const got: string[] = [];
  return new Promise((resolve) => {
    channel.onmessage = (event) => {
      if (got.length === count) return; // later messages belong to the bulk phase
      got.push(show(event.data));
      if (got.length === count) resolve(got);
    };
  });
}
function ourMessages(channel: DataChannel, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    channel.on("message", (data) => {
      if (got.length === count) return;
      got.push(show(data));
      if (got.length === count) resolve(got);
    });
  });
}
const MESSAGES: (string | Uint8Array)[] = [
  "hello",
  new Uint8Array([0, 1, 2, 255]),
  "",
  new Uint8Array(0),
  "x".repeat(50_000),
];
const EXPECTED = MESSAGES.map(show);
const timeout = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out: ${what}`)), 60_000).unref(),
    ),
  ]);

const pc = new RTCPeerConnection({ iceServers: [] });
const fromWrtc = pc.createDataChannel("from-wrtc", { protocol: "wrtc-proto" });
const wrtcOpen = new Promise<void>((resolve) => (fromWrtc.onopen = () => resolve()));
await pc.setLocalDescription(await pc.createOffer());
while (pc.iceGatheringState !== "complete")
  await new Promise<void>((resolve) => (pc.onicegatheringstatechange = () => resolve()));
const offer = pc.localDescription!.sdp;
const attr = (name: string): string | undefined =>
  new RegExp(`^a=${name}:(.+)$`, "m").exec(offer)?.[1]?.trim();
const [algorithm, value] = attr("fingerprint")!.split(" ") as [string, string];
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

const certificate = generateCertificate();
const ice = await IceConnection.create({ role: "controlled", addresses: [address] });
const local: RemoteCandidateInput[] = [];
ice.on("local-candidate", (c) => local.push(toRemoteCandidateInput(c)));
const gathered = once(ice, "gathering-complete");
ice.startGathering();
await gathered;
ice.setRemoteCredentials(attr("ice-ufrag")!, attr("ice-pwd")!);
for (const c of remoteCandidates) ice.addRemoteCandidate(c);
ice.endOfRemoteCandidates();

// The Jingle transport we would send, built and parsed back as a peer reads it.
const ours: IceUdpTransport = {
  kind: "ice-udp",
  ufrag: ice.localCredentials.ufrag,
  pwd: ice.localCredentials.pwd,
  candidates: local.map((c, i) => ({
    component: c.component,
    foundation: c.foundation,
    ip: c.address,
    port: c.port,
    priority: c.priority,
    protocol: "udp",
    type: c.type,
    generation: 0,
    id: `c${i}`,
  })),
  gatheringComplete: true,
  fingerprints: [{ hash: "sha-256", setup, value: certificate.fingerprint.value }],
  skipped: [],
  sctp: localSctp(variant, 256 * 1024),
};
const wire = buildJingle({
  action: "session-accept",
  sid: "interop",
  contents: [{ creator: "initiator", name: "0", transport: ours }],
});
const received = parseJingle(wire).contents[0]!.transport as IceUdpTransport;
const answer = sdpFromJingle(received, setup);

const dtls = DtlsChannel.create(new DatagramChannel(ice), {
  role,
  certificate,
  remoteFingerprint: { algorithm: algorithm as "sha-256", value },
  retransmitInitialMs: 100,
});
const wrtcPort = Number(attr("sctp-port") ?? 5000);
const wrtcMax = attr("max-message-size");
const association = new SctpAssociation(dtls, {
  role,
  ...sctpParameters(
    {
      variant: "webrtc-datachannel",
      port: wrtcPort,
      ...(wrtcMax !== undefined && { maxMessageSize: Number(wrtcMax) }),
    },
    16 * 1024 * 1024,
  ),
});
const theirsArrived = once(association, "datachannel") as Promise<[DataChannel]>;
const wrtcGot = new Promise<WrtcChannel>(
  (resolve) => (pc.ondatachannel = (e) => resolve(e.channel)),
);
await pc.setRemoteDescription({ type: "answer", sdp: answer });

try {
  await timeout(once(association, "open"), "SCTP association");
  await timeout(wrtcOpen, "libwebrtc's channel open");
  const [theirs] = await timeout(theirsArrived, "libwebrtc's channel on ours");
  const mine = association.createDataChannel("from-us", { protocol: "xmpp-jingle" });
  await timeout(once(mine, "open"), "our channel open");
  const wrtcMine = await timeout(wrtcGot, "our channel on libwebrtc");

  // Messages both ways on both channels.
  const atWrtc1 = wrtcMessages(fromWrtc, MESSAGES.length);
  const atWrtc2 = wrtcMessages(wrtcMine, MESSAGES.length);
  const atOurs1 = ourMessages(theirs, MESSAGES.length);
  const atOurs2 = ourMessages(mine, MESSAGES.length);
  for (const m of MESSAGES) {
    theirs.send(m);
    mine.send(m);
    fromWrtc.send(m);
    wrtcMine.send(m);
  }
  const messages = await timeout(
    Promise.all([atWrtc1, atWrtc2, atOurs1, atOurs2]),
    "messages both ways",
  );

  // Bulk, ordered and reliable: each side on its own channel, checked by count and hash.
  let bulk: { toWrtc: string; toUs: string; sent: string } | undefined;
  if (BULK > 0) {
    const payload = (i: number) => new Uint8Array(CHUNK).fill(i % 251);
    const sent = createHash("sha1");
    for (let i = 0; i < BULK; i++) sent.update(payload(i));
    const digest = (count: number, on: (add: (data: Uint8Array) => void) => void) =>
      new Promise<string>((resolve) => {
        const hash = createHash("sha1");
        let n = 0;
        on((data) => {
          hash.update(data);
          if (++n === count) resolve(hash.digest("hex"));
        });
      });
    const toWrtc = digest(BULK, (add) => {
      wrtcMine.onmessage = (event) => add(new Uint8Array(event.data as ArrayBuffer));
    });
    const toUs = digest(BULK, (add) => theirs.on("message", (data) => add(data as Uint8Array)));
    for (let i = 0; i < BULK; i++) {
      mine.send(payload(i));
      fromWrtc.send(payload(i));
    }
    bulk = {
      toWrtc: await timeout(toWrtc, "bulk to libwebrtc"),
      toUs: await timeout(toUs, "bulk to us"),
      sent: sent.digest("hex"),
    };
  }

  // Close by stream reset: ours closes its channel, libwebrtc closes its own.
  const wrtcSawClose = new Promise<void>((resolve) => (wrtcMine.onclose = () => resolve()));
  const oursClosed = once(mine, "close");
  mine.close();
  await timeout(Promise.all([wrtcSawClose, oursClosed]), "our close reaching libwebrtc");
  const theirsClosed = once(theirs, "close");
  // libwebrtc's channel is `closed` once our reset of the stream reached it too (under loss
  // that may be a retransmission later than our own `close`).
  const wrtcClosedOwn = new Promise<void>((resolve) => (fromWrtc.onclose = () => resolve()));
  fromWrtc.close();
  await timeout(Promise.all([theirsClosed, wrtcClosedOwn]), "libwebrtc's close reaching ours");
  const stats = association.stats();

  process.stdout.write(
    JSON.stringify({
      ok: true,
      expected: EXPECTED,
      messages,
      theirs: { label: theirs.label, protocol: theirs.protocol, id: theirs.id },
      mine: {
        label: wrtcMine.label,
        protocol: wrtcMine.protocol,
        id: mine.id,
        wrtcId: wrtcMine.id,
      },
      wrtcStates: [wrtcMine.readyState, fromWrtc.readyState],
      channelsClosed: stats.channelsClosed,
      bulk,
      retransmissions: {
        total: stats.retransmissions,
        t3: stats.t3Expirations,
        fast: stats.fastRetransmissions,
      },
      sdpSctpPort: /a=sctp-port:(\d+)/.exec(answer)?.[1],
      sdpMaxMessageSize: /a=max-message-size:(\d+)/.exec(answer)?.[1] ?? null,
    }) + "\n",
  );
} catch (error) {
  process.stdout.write(
    JSON.stringify({ ok: false, error: String(error), sctp: association.state, offer, answer }) +
      "\n",
  );
}
pc.close();
association.abort();
await dtls.close();
process.exit(0);
