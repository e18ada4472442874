// Runs inside the namespace of test/node/dtls-loss.test.ts, where iptables drops 30 % of the
// UDP datagrams at random: `count` times, two ICE connections on the namespace's address and a
// DTLS association over them, then one datagram each way (resent until it arrives). Prints one
// JSON line with the counters of each run.
//   usage: node --import tsx test/node/dtls-loss-run.ts <address> <count>
import { once } from "node:events";
import { utf8Encode } from "../../src/common/bytes.js";
import { DatagramChannel } from "../../src/node/index.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import { icePair } from "../support/ice-pair.js";

const [address, countText] = process.argv.slice(2) as [string, string];
const certificates = [generateCertificate(), generateCertificate()] as const;
const timing = { retransmitInitialMs: 200, retransmitMaxMs: 2000, handshakeTimeoutMs: 30_000 };

async function one(): Promise<object> {
  const started = performance.now();
  const [a, b] = await icePair(address);
  const client = DtlsChannel.create(new DatagramChannel(a), {
    role: "client",
    certificate: certificates[0],
    remoteFingerprint: certificates[1].fingerprint,
    ...timing,
  });
  const server = DtlsChannel.create(new DatagramChannel(b), {
    role: "server",
    certificate: certificates[1],
    remoteFingerprint: certificates[0].fingerprint,
    ...timing,
  });
  await Promise.all([client.ready, server.ready]);
  const connectedMs = performance.now() - started;
  for (const [from, to] of [
    [client, server],
    [server, client],
  ] as const) {
    const got = once(to, "message");
    const timer = setInterval(() => from.send(utf8Encode("through the loss")), 100);
    from.send(utf8Encode("through the loss"));
    await got;
    clearInterval(timer);
  }
  const result = {
    connectedMs: Math.round(connectedMs),
    client: client.stats().dtls,
    server: server.stats().dtls,
  };
  await client.close();
  await server.close();
  return result;
}

const runs: object[] = [];
try {
  for (let i = 0; i < Number(countText); i++) runs.push(await one());
  process.stdout.write(JSON.stringify({ ok: true, runs }) + "\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error), runs }) + "\n");
}
process.exit(0);
