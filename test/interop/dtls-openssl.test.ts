// Our DTLS (src/dtls, through DtlsChannel) against OpenSSL 3's `openssl s_server` and
// `s_client -dtls1_2` over real UDP on 127.0.0.1, both roles, ECDSA and RSA certificates, with
// and without client certificates. Application data goes both ways, and our RFC 5705 exporter
// must give the keying material OpenSSL prints (`-keymatexport`).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { toHex, utf8Encode } from "../../src/common/bytes.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import type { Fingerprint } from "../../src/dtls/fingerprint.js";
import type { PeerCredentials } from "../support/dtls-tools.js";
import {
  DtlsInterop,
  freeUdpPort,
  nextMessage,
  printedKeyingMaterial,
  requireDtlsTools,
} from "../support/dtls-tools.js";
import { LOOPBACK, runWithoutPath } from "../support/server-process.js";

const ours = generateCertificate();
/** Each test starts and handshakes with real processes; none should take more than this. */
const TIMEOUT = { timeout: 20_000 };
const EXPORT = ["-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60"];

const interop = new DtlsInterop(ours);

describe("DTLS interop with OpenSSL (s_server / s_client -dtls1_2)", () => {
  after(() => interop.cleanup());

  /** s_server with the `kind` credentials (and `extra` options), and our client towards it. */
  async function toServer(
    kind: "ec" | "rsa",
    extra: readonly string[],
    expect: (c: PeerCredentials) => Fingerprint = (c) => c[kind].fingerprint,
  ) {
    const creds = await interop.credentials();
    const port = await freeUdpPort();
    const server = interop.start([
      "openssl",
      "s_server",
      "-dtls1_2",
      "-accept",
      `${LOOPBACK}:${port}`,
      "-naccept",
      "1",
      "-cert",
      creds[kind].cert,
      "-key",
      creds[kind].key,
      ...extra,
    ]);
    await server.waitFor(/ACCEPT/);
    const { channel } = await interop.channel(port, {
      role: "client",
      remoteFingerprint: expect(creds),
    });
    return { server, channel };
  }

  async function serverRun(kind: "ec" | "rsa", verify: boolean) {
    const srtp = ["-use_srtp", "SRTP_AES128_CM_SHA1_80"];
    const { server, channel } = await toServer(kind, verify ? [...srtp, "-verify", "1"] : srtp);
    const info = await channel.ready;
    channel.send(utf8Encode("hello from jingle-ice\n"));
    await server.waitFor(/hello from jingle-ice/);
    const received = nextMessage(channel);
    server.write("hello from openssl\n");
    assert.equal(await received, "hello from openssl\n");
    return { info, channel, server };
  }

  it(
    "our client and s_server with an ECDSA certificate that asks for ours: SRTP and data both ways",
    TIMEOUT,
    async () => {
      const { info, channel, server } = await serverRun("ec", true);
      assert.equal(info.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      assert.equal(info.srtpProfile, "SRTP_AES128_CM_HMAC_SHA1_80");
      assert.match(server.log(), /CN = jingle-ice/, "s_server saw our certificate");
      assert.equal(channel.stats().dtls.helloVerifyRequests, 0);
      await channel.close();
      await server.waitFor(/CONNECTION CLOSED|DONE/);
    },
  );

  it(
    "our client and s_server with an RSA certificate and no CertificateRequest",
    TIMEOUT,
    async () => {
      const { info, server } = await serverRun("rsa", false);
      assert.equal(info.cipherSuite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      assert.doesNotMatch(server.log(), /CN = jingle-ice/, "no client certificate was asked for");
    },
  );

  async function clientRun(
    kind: "ec" | "rsa" | undefined,
    helloVerify: boolean,
    creds: PeerCredentials,
  ) {
    const { transport, channel } = await interop.channel(undefined, {
      role: "server",
      helloVerify,
      ...(kind === undefined ? {} : { remoteFingerprint: creds[kind].fingerprint }),
    });
    const client = interop.start([
      "openssl",
      "s_client",
      "-dtls1_2",
      "-connect",
      `${LOOPBACK}:${transport.port}`,
      ...(kind === undefined ? [] : ["-cert", creds[kind].cert, "-key", creds[kind].key]),
      "-use_srtp",
      "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
      ...EXPORT,
    ]);
    return { channel, client };
  }

  it(
    "s_client with an ECDSA certificate and our server: data both ways, and the same exported keys",
    TIMEOUT,
    async () => {
      const creds = await interop.credentials();
      const { channel, client } = await clientRun("ec", false, creds);
      const info = await channel.ready;
      assert.equal(
        info.srtpProfile,
        "SRTP_AES128_CM_HMAC_SHA1_80",
        "our preference among its offer",
      );
      assert.deepEqual(info.remoteFingerprint, creds.ec.fingerprint);
      await client.waitFor(/Keying material: [0-9A-F]+/);
      assert.equal(
        printedKeyingMaterial(client.log()),
        toHex(channel.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60)),
      );
      assert.match(client.log(), /Extended master secret: yes/);
      const received = nextMessage(channel);
      client.write("hello from s_client\n");
      assert.equal(await received, "hello from s_client\n");
      channel.send(utf8Encode("hello from jingle-ice\n"));
      await client.waitFor(/hello from jingle-ice/);
    },
  );

  it(
    "s_client with an RSA certificate and our server asking for a cookie first",
    TIMEOUT,
    async () => {
      const creds = await interop.credentials();
      const { channel, client } = await clientRun("rsa", true, creds);
      await channel.ready;
      assert.equal(channel.stats().dtls.helloVerifyRequests, 1);
      const received = nextMessage(channel);
      client.write("after the cookie\n");
      assert.equal(await received, "after the cookie\n");
    },
  );

  it("our server refuses s_client when it sends no certificate", TIMEOUT, async () => {
    const creds = await interop.credentials();
    const { channel, client } = await clientRun(undefined, false, creds);
    await assert.rejects(channel.ready, (e: Error & { code?: string }) => {
      assert.equal(e.name, "DtlsError");
      assert.equal(e.code, "handshake-failed");
      assert.match(e.message, /client sent no certificate/);
      return true;
    });
    await client.waitFor(/alert handshake failure|handshake failure/i);
  });

  it(
    "our client refuses s_server when its fingerprint is not the expected one",
    TIMEOUT,
    async () => {
      const { server, channel } = await toServer("ec", [], (c) => c.rsa.fingerprint);
      await assert.rejects(
        channel.ready,
        (e: Error & { code?: string }) => e.code === "fingerprint-mismatch",
      );
      await server.waitFor(/bad certificate/i);
    },
  );

  it(
    "a renegotiation s_client starts is refused with no_renegotiation, which OpenSSL answers with a fatal alert",
    TIMEOUT,
    async () => {
      const creds = await interop.credentials();
      const { channel, client } = await clientRun("ec", false, creds);
      await channel.ready;
      const failed = once(channel, "error") as Promise<
        [Error & { code?: string; alertName?: string }]
      >;
      client.write("R\n"); // s_client: renegotiate
      const [error] = await failed;
      // OpenSSL ends the connection when a server declines (ssl/record/rec_layer_d1.c: "no renegotiation").
      assert.equal(error.code, "alert-received");
      assert.equal(error.alertName, "handshake_failure");
      assert.equal(channel.stats().dtls.renegotiationsRefused, 1);
      await client.waitFor(/no renegotiation/);
    },
  );

  it(
    "requireDtlsTools says how to install the peers when they are not on PATH",
    TIMEOUT,
    async () => {
      await requireDtlsTools();
      const module = fileURLToPath(new URL("../support/dtls-tools.ts", import.meta.url));
      const { code, stderr } = await runWithoutPath(module, "requireDtlsTools");
      assert.equal(code, 3, stderr);
      assert.match(stderr, /`openssl` is not usable/);
      assert.match(stderr, /`gnutls-cli` is not usable/);
      assert.match(stderr, /apt-get install -y openssl gnutls-bin/);
    },
  );
});
