// Our DTLS (through DtlsChannel) against GnuTLS 3.7 — the stack under Dino — with an RSA-2048
// certificate made by certtool, as Dino presents: `gnutls-serv --udp --echo` asking for our
// certificate, and `gnutls-cli --udp` with a client certificate, over real UDP on 127.0.0.1.
// gnutls-serv has no option to bind one address: it listens on every address, and we only ever
// send to 127.0.0.1.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { toHex, utf8Decode, utf8Encode } from "../../src/common/bytes.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import type { PeerCredentials } from "../support/dtls-tools.js";
import {
  ToolProcess,
  freeUdpPort,
  makePeerCredentials,
  printedKeyingMaterial,
  requireDtlsTools,
} from "../support/dtls-tools.js";
import { LOOPBACK } from "../support/server-process.js";
import { UdpTransport } from "../support/udp-transport.js";

const ours = generateCertificate();
const TIMEOUT = { timeout: 20_000 };

let setup: Promise<PeerCredentials> | undefined;
const peers = (): Promise<PeerCredentials> =>
  (setup ??= requireDtlsTools().then(makePeerCredentials));
const processes: ToolProcess[] = [];
const transports: UdpTransport[] = [];

function start(argv: string[]): ToolProcess {
  const p = new ToolProcess(argv);
  processes.push(p);
  return p;
}

async function nextMessage(channel: DtlsChannel): Promise<string> {
  const [data] = (await once(channel, "message")) as [Uint8Array];
  return utf8Decode(data);
}

describe("DTLS interop with GnuTLS (gnutls-serv / gnutls-cli --udp)", () => {
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(transports.map((t) => t.close()));
    await setup?.then((c) => c.remove()).catch(() => undefined);
  });

  it(
    "our client and gnutls-serv (RSA-2048, client certificate required): the echo comes back",
    TIMEOUT,
    async () => {
      const creds = await peers();
      const port = await freeUdpPort();
      const server = start([
        "gnutls-serv",
        "--udp",
        "--echo",
        "-p",
        String(port),
        "--x509certfile",
        creds.gnutls.cert,
        "--x509keyfile",
        creds.gnutls.key,
        "--require-client-cert",
        "--srtp-profiles",
        "SRTP_AES128_CM_HMAC_SHA1_80",
      ]);
      await server.waitFor(/UDP Echo Server listening on IPv4/);
      const transport = await UdpTransport.open(port);
      transports.push(transport);
      const channel = DtlsChannel.create(transport, {
        role: "client",
        certificate: ours,
        remoteFingerprint: creds.gnutls.fingerprint,
      });
      const info = await channel.ready;
      assert.equal(info.cipherSuite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      assert.equal(info.srtpProfile, "SRTP_AES128_CM_HMAC_SHA1_80");
      const echoed = nextMessage(channel);
      channel.send(utf8Encode("hello gnutls"));
      assert.equal(await echoed, "hello gnutls");
      await channel.close();
    },
  );

  it(
    "gnutls-cli with an RSA-2048 certificate and our server: data both ways, same exported keys",
    TIMEOUT,
    async () => {
      const creds = await peers();
      const transport = await UdpTransport.open();
      transports.push(transport);
      const channel = DtlsChannel.create(transport, {
        role: "server",
        certificate: ours,
        remoteFingerprint: creds.gnutls.fingerprint,
      });
      const client = start([
        "gnutls-cli",
        "--udp",
        "-p",
        String(transport.port),
        LOOPBACK,
        "--insecure",
        "--x509certfile",
        creds.gnutls.cert,
        "--x509keyfile",
        creds.gnutls.key,
        "--srtp-profiles",
        "SRTP_AES128_CM_HMAC_SHA1_80",
        "--keymatexport",
        "EXTRACTOR-dtls_srtp",
        "--keymatexportsize",
        "60",
      ]);
      const info = await channel.ready;
      assert.equal(info.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      await client.waitFor(/Handshake was completed/);
      assert.equal(
        printedKeyingMaterial(client.log()),
        toHex(channel.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60)),
      );
      assert.match(client.log(), /extended master secret, safe renegotiation/);
      const received = nextMessage(channel);
      client.write("hello from gnutls-cli\n");
      assert.equal(await received, "hello from gnutls-cli\n");
      channel.send(utf8Encode("hello from jingle-ice\n"));
      await client.waitFor(/hello from jingle-ice/);
    },
  );

  it(
    "our client refuses gnutls-serv when its fingerprint is not the expected one",
    TIMEOUT,
    async () => {
      const creds = await peers();
      const port = await freeUdpPort();
      const server = start([
        "gnutls-serv",
        "--udp",
        "--echo",
        "-p",
        String(port),
        "--x509certfile",
        creds.gnutls.cert,
        "--x509keyfile",
        creds.gnutls.key,
      ]);
      await server.waitFor(/UDP Echo Server listening on IPv4/);
      const transport = await UdpTransport.open(port);
      transports.push(transport);
      const channel = DtlsChannel.create(transport, {
        role: "client",
        certificate: ours,
        remoteFingerprint: creds.rsa.fingerprint,
      });
      await assert.rejects(
        channel.ready,
        (e: Error & { code?: string }) => e.code === "fingerprint-mismatch",
      );
    },
  );
});
