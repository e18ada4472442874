// Our DTLS (through DtlsChannel) against GnuTLS 3.7 — the stack under Dino — with an RSA-2048
// certificate made by certtool, as Dino presents: `gnutls-serv --udp --echo` asking for our
// certificate, and `gnutls-cli --udp` with a client certificate, over real UDP on 127.0.0.1.
// gnutls-serv has no option to bind one address: it listens on every address, and we only ever
// send to 127.0.0.1.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { toHex, utf8Encode } from "../../src/common/bytes.js";
import type { Fingerprint } from "../../src/dtls/fingerprint.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import {
  DtlsInterop,
  freeUdpPort,
  nextMessage,
  printedKeyingMaterial,
} from "../support/dtls-tools.js";
import { LOOPBACK } from "../support/server-process.js";

const ours = generateCertificate();
const TIMEOUT = { timeout: 20_000 };

const interop = new DtlsInterop(ours);

describe("DTLS interop with GnuTLS (gnutls-serv / gnutls-cli --udp)", () => {
  after(() => interop.cleanup());

  /** gnutls-serv --echo with the certtool RSA-2048 certificate, and our client towards it. */
  async function toGnutlsServ(
    expect: (c: {
      rsa: { fingerprint: Fingerprint };
      gnutls: { fingerprint: Fingerprint };
    }) => Fingerprint,
    extra: string[],
  ) {
    const creds = await interop.credentials();
    const port = await freeUdpPort();
    const server = interop.start([
      "gnutls-serv",
      "--udp",
      "--echo",
      "-p",
      String(port),
      "--x509certfile",
      creds.gnutls.cert,
      "--x509keyfile",
      creds.gnutls.key,
      ...extra,
    ]);
    await server.waitFor(/UDP Echo Server listening on IPv4/);
    const { channel } = await interop.channel(port, {
      role: "client",
      remoteFingerprint: expect(creds),
    });
    return channel;
  }

  it(
    "our client and gnutls-serv (RSA-2048, client certificate required): the echo comes back",
    TIMEOUT,
    async () => {
      const channel = await toGnutlsServ(
        (c) => c.gnutls.fingerprint,
        ["--require-client-cert", "--srtp-profiles", "SRTP_AES128_CM_HMAC_SHA1_80"],
      );
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
      const creds = await interop.credentials();
      const { transport, channel } = await interop.channel(undefined, {
        role: "server",
        remoteFingerprint: creds.gnutls.fingerprint,
      });
      const client = interop.start([
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
      const channel = await toGnutlsServ((c) => c.rsa.fingerprint, []);
      await assert.rejects(
        channel.ready,
        (e: Error & { code?: string }) => e.code === "fingerprint-mismatch",
      );
    },
  );
});
