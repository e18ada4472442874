// Runs inside the network namespace that test/interop/sctp-usrsctp.test.ts creates: libdatachannel
// (node-datachannel: usrsctp for SCTP, its own DCEP, libjuice for ICE, OpenSSL for DTLS) and our
// ICE + DTLS + SCTP in one process. libdatachannel offers (actpass, one channel "from-ldc" and an
// unordered maxRetransmits=0 one); our answer is an SDP made from the Jingle transport we would
// send (sdpFromJingle over parseJingle(buildJingle(…)), in XEP-0343's or Conversations' variant),
// with a=setup:active (we are the DTLS client) or passive (server). libdatachannel binds its ICE
// socket to <address> only (`bindAddress`, no UDP mux), so its only candidate is the veth's.
// Then: libdatachannel's channels arrive on ours, ours open "from-us" and an unordered one on
// libdatachannel; text, binary and empty messages and one of 50 kB go both ways on the reliable
// channels, small ones on the unordered ones; each side closes one channel it opened and one the
// other side opened, by stream reset (RFC 8831 §6.7, RFC 6525). Prints one JSON line.
// With <bulk> > 0 (the loss tests), each side also sends 200 small messages on its unordered
// maxRetransmits=0 channel (some may be abandoned: RFC 3758 FORWARD-TSN both ways), then <bulk>
// messages of 16 KiB on its reliable channel, and the receiver checks count, order and SHA-1.
//   usage: node --import tsx test/interop/usrsctp-sctp-run.ts <address> <active|passive> <sctpmap|webrtc-datachannel> [bulk]
import { createHash } from "node:crypto";
import { once } from "node:events";
import nodeDataChannel from "node-datachannel";
import type { DataChannel as LdcChannel } from "node-datachannel";
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

const [address, setup, variant, bulkText] = process.argv.slice(2) as [
  string,
  "active" | "passive",
  SctpVariant,
  string | undefined,
];
const BULK = Number(bulkText ?? 0);
const CHUNK = 16 * 1024;
const LOSSY = 200;
const role = setup === "active" ? "client" : "server";

type Message = string | Uint8Array;
type Received = string | Uint8Array | ArrayBuffer;
const bytesOf = (data: Received): Buffer =>
  typeof data === "string"
    ? Buffer.from(data)
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
/** A message as a comparable string: `text:` or `bin:<hex>`, long ones as length and SHA-1. */
function show(data: Received): string {
  const bytes = bytesOf(data);
  const kind = typeof data === "string" ? "text" : "bin";
  if (bytes.length <= 16)
    return typeof data === "string" ? `text:${data}` : `bin:${bytes.toString("hex")}`;
  return `${kind}:${bytes.length}:${createHash("sha1").update(bytes).digest("hex")}`;
}
/** What each collector has so far, reported when something times out. */
const progress: string[][] = [];
/** Collects `count` messages arriving on either kind of channel (the first `count` only). */
function collect(
  listen: (add: (data: Received) => void) => void,
  count: number,
): Promise<string[]> {
  const got: string[] = [];
  progress.push(got);
  return new Promise((resolve) =>
    listen((data) => {
      if (got.length === count) return;
      got.push(show(data));
      if (got.length === count) resolve(got);
    }),
  );
}
const ldcMessages = (c: LdcChannel, n: number) => collect((add) => c.onMessage(add), n);
const ourMessages = (c: DataChannel, n: number) => collect((add) => c.on("message", add), n);
const ldcSend = (c: LdcChannel, m: Message): boolean =>
  typeof m === "string" ? c.sendMessage(m) : c.sendMessageBinary(m);

const MESSAGES: Message[] = [
  "hello",
  new Uint8Array([0, 1, 2, 255]),
  "",
  new Uint8Array(0),
  "x".repeat(50_000),
  new Uint8Array(50_000).map((_, i) => i % 253),
];
const SMALL: Message[] = ["u1", new Uint8Array([9, 8, 7]), "u3", ""];
const timeout = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out: ${what}`)), 90_000).unref(),
    ),
  ]);

// libdatachannel offers: one reliable channel and one unordered that is never retransmitted.
const pc = new nodeDataChannel.PeerConnection("usrsctp", {
  iceServers: [],
  bindAddress: address,
  enableIceUdpMux: false,
});
const incoming: LdcChannel[] = [];
const incomingWaiters: (() => void)[] = [];
pc.onDataChannel((channel) => {
  incoming.push(channel);
  incomingWaiters.shift()?.();
});
const nextIncoming = async (): Promise<LdcChannel> => {
  while (incoming.length === 0) await new Promise<void>((r) => incomingWaiters.push(r));
  return incoming.shift()!;
};
const opened = (c: LdcChannel) => new Promise<void>((resolve) => c.onOpen(() => resolve()));
const closed = (c: LdcChannel) => new Promise<void>((resolve) => c.onClosed(() => resolve()));
const fromLdc = pc.createDataChannel("from-ldc", { protocol: "ldc-proto" });
const fromLdcOpen = opened(fromLdc);
const ldcLossy = pc.createDataChannel("ldc-lossy", { unordered: true, maxRetransmits: 0 });
const ldcLossyOpen = opened(ldcLossy);
const gathered = new Promise<void>((resolve) =>
  pc.onGatheringStateChange((state) => state === "complete" && resolve()),
);
if (pc.gatheringState() !== "complete") await gathered;
const offer = pc.localDescription()!.sdp;
const attr = (name: string): string | undefined =>
  new RegExp(`^a=${name}:(.+)$`, "m").exec(offer)?.[1]?.trim();
const [algorithm, value] = attr("fingerprint")!.split(" ") as [string, string];
const ldcCandidates = [...offer.matchAll(/^a=candidate:(.+)$/gm)].map((m) => m[1]!.trim());
const remoteCandidates: RemoteCandidateInput[] = ldcCandidates.map((line) => {
  const [foundation, component, protocol, priority, ip, port, , type] = line.split(" ");
  return candidateFromJson({
    foundation,
    component: Number(component),
    protocol: protocol!.toLowerCase(),
    priority: Number(priority),
    ip,
    port: Number(port),
    type,
  });
});

const certificate = generateCertificate();
const ice = await IceConnection.create({ role: "controlled", addresses: [address] });
const local: RemoteCandidateInput[] = [];
ice.on("local-candidate", (c) => local.push(toRemoteCandidateInput(c)));
const ourGathering = once(ice, "gathering-complete");
ice.startGathering();
await ourGathering;
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
const ldcMax = attr("max-message-size");
const association = new SctpAssociation(dtls, {
  role,
  ...sctpParameters(
    {
      variant: "webrtc-datachannel",
      port: Number(attr("sctp-port") ?? 5000),
      ...(ldcMax !== undefined && { maxMessageSize: Number(ldcMax) }),
    },
    16 * 1024 * 1024,
  ),
});
const theirs: DataChannel[] = [];
association.on("datachannel", (c) => theirs.push(c));
pc.setRemoteDescription(answer, "answer");

try {
  await timeout(once(association, "open"), "SCTP association");
  await timeout(Promise.all([fromLdcOpen, ldcLossyOpen]), "libdatachannel's channels open");
  while (theirs.length < 2) await timeout(once(association, "datachannel"), "their channels");
  const theirReliable = theirs.find((c) => c.label === "from-ldc")!;
  const theirLossy = theirs.find((c) => c.label === "ldc-lossy")!;
  const mine = association.createDataChannel("from-us", { protocol: "xmpp-jingle" });
  const myLossy = association.createDataChannel("us-lossy", { ordered: false, maxRetransmits: 0 });
  await timeout(Promise.all([once(mine, "open"), once(myLossy, "open")]), "our channels open");
  const ldcGot = [await nextIncoming(), await nextIncoming()];
  const ldcMine = ldcGot.find((c) => c.getLabel() === "from-us")!;
  const ldcMyLossy = ldcGot.find((c) => c.getLabel() === "us-lossy")!;
  // Read now: libdatachannel destroys a channel once it closed.
  const pairs: [DataChannel, LdcChannel][] = [
    [mine, ldcMine],
    [myLossy, ldcMyLossy],
  ];
  const mineSeen = pairs.map(([c, l]) => ({
    label: l.getLabel(),
    id: c.id,
    ldcId: l.getId(),
    protocol: l.getProtocol(),
  }));
  const ldcMaxMessageSize = ldcMine.maxMessageSize();

  // Small messages both ways on the unordered, never retransmitted channels first, while
  // nothing else is in flight: a burst of the big messages below can overflow a UDP receive
  // buffer, and what is lost there is never sent again. Under loss (the loss runs) one may be
  // lost anyway, so those runs do not wait for these.
  const lossyAtLdc = [ldcMessages(ldcLossy, SMALL.length), ldcMessages(ldcMyLossy, SMALL.length)];
  const lossyAtUs = [ourMessages(theirLossy, SMALL.length), ourMessages(myLossy, SMALL.length)];
  for (const m of SMALL) {
    theirLossy.send(m);
    myLossy.send(m);
    ldcSend(ldcLossy, m);
    ldcSend(ldcMyLossy, m);
  }
  const unordered =
    BULK > 0
      ? undefined
      : (await timeout(Promise.all([...lossyAtLdc, ...lossyAtUs]), "unordered messages")).map(
          (got) => got.sort(),
        );
  // Then all kinds of messages both ways on the reliable channels.
  const atLdc = [ldcMessages(fromLdc, MESSAGES.length), ldcMessages(ldcMine, MESSAGES.length)];
  const atUs = [ourMessages(theirReliable, MESSAGES.length), ourMessages(mine, MESSAGES.length)];
  for (const m of MESSAGES) {
    theirReliable.send(m);
    mine.send(m);
    ldcSend(fromLdc, m);
    ldcSend(ldcMine, m);
  }
  const messages = await timeout(Promise.all([...atLdc, ...atUs]), "messages both ways");

  let lossy: { sent: number; toLdc: string[]; toUs: string[] } | undefined;
  let bulk: { toLdc: string; toUs: string; sent: string } | undefined;
  if (BULK > 0) {
    // Partial reliability under loss: what arrives is intact and not duplicated; the
    // association carries on (the bulk below) past abandoned messages.
    const toLdc: string[] = [];
    const toUs: string[] = [];
    const keep = (into: string[]) => (data: Received) => {
      const shown = show(data);
      if (shown.startsWith("text:lossy-")) into.push(shown);
    };
    ldcMyLossy.onMessage(keep(toLdc));
    theirLossy.on("message", keep(toUs));
    for (let i = 0; i < LOSSY; i++) {
      myLossy.send(`lossy-${i}`);
      ldcSend(ldcLossy, `lossy-${i}`);
    }
    // Bulk, ordered and reliable: each side on its own channel, checked by count and hash.
    const payload = (i: number) => new Uint8Array(CHUNK).fill(i % 251);
    const sent = createHash("sha1");
    for (let i = 0; i < BULK; i++) sent.update(payload(i));
    const digest = (listen: (add: (data: Received) => void) => void) =>
      new Promise<string>((resolve) => {
        const hash = createHash("sha1");
        let n = 0;
        listen((data) => {
          hash.update(bytesOf(data));
          if (++n === BULK) resolve(hash.digest("hex"));
        });
      });
    const bulkToLdc = digest((add) => ldcMine.onMessage(add));
    const bulkToUs = digest((add) => theirReliable.on("message", add));
    for (let i = 0; i < BULK; i++) {
      mine.send(payload(i));
      ldcSend(fromLdc, payload(i));
    }
    bulk = {
      toLdc: await timeout(bulkToLdc, "bulk to libdatachannel"),
      toUs: await timeout(bulkToUs, "bulk to us"),
      sent: sent.digest("hex"),
    };
    lossy = { sent: LOSSY, toLdc, toUs };
  }

  // Close by stream reset: we close the channel we opened and libdatachannel's unordered one;
  // libdatachannel closes the one it opened and our unordered one.
  const ldcSawClose = [closed(ldcMine), closed(ldcLossy)];
  const oursClosed = [once(mine, "close"), once(theirLossy, "close")];
  mine.close();
  theirLossy.close();
  await timeout(Promise.all([...ldcSawClose, ...oursClosed]), "our closes reaching libdatachannel");
  const weSawClose = [once(theirReliable, "close"), once(myLossy, "close")];
  const ldcClosedOwn = [closed(fromLdc), closed(ldcMyLossy)];
  fromLdc.close();
  ldcMyLossy.close();
  await timeout(Promise.all([...weSawClose, ...ldcClosedOwn]), "libdatachannel's closes on ours");
  const stats = association.stats();

  process.stdout.write(
    JSON.stringify({
      ok: true,
      expected: MESSAGES.map(show),
      expectedUnordered: SMALL.map(show).sort(),
      messages,
      unordered,
      theirs: theirs.map((c) => ({
        label: c.label,
        protocol: c.protocol,
        id: c.id,
        ordered: c.ordered,
        maxRetransmits: c.maxRetransmits,
      })),
      mine: mineSeen,
      ldcCandidates,
      channelsClosed: stats.channelsClosed,
      bulk,
      lossy,
      retransmissions: {
        total: stats.retransmissions,
        t3: stats.t3Expirations,
        fast: stats.fastRetransmissions,
        forwardTsnsSent: stats.forwardTsnsSent,
        forwardTsnsReceived: stats.forwardTsnsReceived,
      },
      sdpMaxMessageSize: /a=max-message-size:(\d+)/.exec(answer)?.[1] ?? null,
      ldcMaxMessageSize,
    }) + "\n",
  );
} catch (error) {
  process.stdout.write(
    JSON.stringify({
      ok: false,
      error: String(error),
      sctp: association.state,
      progress,
      stats: association.stats(),
      offer,
      answer,
    }) + "\n",
  );
}
pc.close();
association.abort();
await dtls.close();
nodeDataChannel.cleanup();
process.exit(0);
