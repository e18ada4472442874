import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/common/bytes.js";
import { DtlsEndpoint } from "../../src/dtls/endpoint.js";
import { seededRng } from "../../src/common/rng.js";
import { cert, connectedPair, Pair } from "./support.js";

const text = (data: Uint8Array): string => utf8Decode(data);

describe("DtlsEndpoint handshake in memory", () => {
  it("connects an ECDSA client and server in three flights and carries data both ways", () => {
    const pair = connectedPair();
    const [c] = pair.of("client", "connected");
    const [s] = pair.of("server", "connected");
    assert.equal(c?.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert.equal(c?.srtpProfile, "SRTP_AES128_CM_HMAC_SHA1_80");
    assert.deepEqual(c?.remoteFingerprint, cert("ec-b").fingerprint);
    assert.deepEqual(s?.remoteFingerprint, cert("ec-a").fingerprint);
    assert.deepEqual(c?.localFingerprint, cert("ec-a").fingerprint);
    assert.equal(pair.client.send(pair.now, utf8Encode("ping")), true);
    assert.equal(pair.server.send(pair.now, utf8Encode("pong")), true);
    pair.pump();
    assert.deepEqual(
      pair.of("server", "data").map((e) => text(e.data)),
      ["ping"],
    );
    assert.deepEqual(
      pair.of("client", "data").map((e) => text(e.data)),
      ["pong"],
    );
    const cs = pair.client.stats();
    const ss = pair.server.stats();
    assert.equal(cs.flightsSent, 2); // flights 1 and 5
    assert.equal(ss.flightsSent, 2); // flights 4 and 6
    assert.equal(cs.retransmissions + ss.retransmissions, 0);
    assert.equal(cs.applicationDataOut, 1);
    assert.equal(ss.applicationDataIn, 1);
    assert.equal(pair.client.pollTimeout(), undefined);
    assert.equal(pair.server.pollTimeout(), undefined);
  });

  it("negotiates TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 with an RSA server certificate", () => {
    const pair = connectedPair({ server: { certificate: cert("rsa-b") } });
    assert.equal(
      pair.of("client", "connected")[0]?.cipherSuite,
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    );
  });

  it("runs the cookie exchange when the server asks for it, and counts the HelloVerifyRequest", () => {
    const pair = connectedPair({ server: { helloVerify: true } });
    assert.equal(pair.server.stats().helloVerifyRequests, 1);
    assert.equal(pair.client.stats().flightsSent, 3); // flights 1, 3 and 5
  });

  it("agrees on the SRTP profile the server prefers among those the client offers", () => {
    const pair = connectedPair({ client: { srtpProfiles: [7] }, server: { srtpProfiles: [1, 7] } });
    assert.equal(pair.of("server", "connected")[0]?.srtpProfile, "SRTP_AEAD_AES_128_GCM");
    assert.equal(pair.client.srtpProfile, 7);
  });

  it("connects without use_srtp when the client offers none", () => {
    const pair = connectedPair({ client: { srtpProfiles: [] } });
    assert.equal(pair.of("client", "connected")[0]?.srtpProfile, undefined);
  });

  it("gives both sides the same exported keying material (RFC 5705)", () => {
    const pair = connectedPair();
    const a = pair.client.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60);
    const b = pair.server.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, pair.client.exportKeyingMaterial("EXTRACTOR-other", 60));
    assert.notDeepEqual(
      a,
      pair.client.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60, new Uint8Array(1)),
    );
  });

  it("refuses to export keying material before it is connected", () => {
    const pair = new Pair().start();
    assert.throws(() => pair.client.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 60), /connected/);
  });

  it("sends nothing and returns false before it is connected", () => {
    const pair = new Pair().start();
    assert.equal(pair.client.send(0, utf8Encode("early")), false);
    assert.equal(pair.client.stats().applicationDataOut, 0);
  });

  it("holds the connection until the fingerprint is given, with the peer's data kept until then", () => {
    const pair = new Pair({ fingerprints: false }).start().pump();
    assert.equal(pair.client.state, "awaiting-fingerprint");
    assert.equal(pair.server.state, "awaiting-fingerprint");
    assert.equal(pair.client.send(pair.now, utf8Encode("too early")), false);
    pair.server.setRemoteFingerprint(pair.now, cert("ec-a").fingerprint);
    pair.pump();
    assert.equal(pair.server.state, "connected");
    pair.server.send(pair.now, utf8Encode("held"));
    pair.pump();
    assert.equal(
      pair.of("client", "data").length,
      0,
      "no data before the client checked the fingerprint",
    );
    pair.client.setRemoteFingerprint(pair.now, cert("ec-b").fingerprint);
    pair.collect();
    assert.equal(pair.client.state, "connected");
    assert.deepEqual(
      pair.of("client", "data").map((e) => text(e.data)),
      ["held"],
    );
  });

  it("accepts the expected fingerprint in sha-1, sha-384 or sha-512 and in lower case", async () => {
    const { fingerprintOf } = await import("../../src/dtls/fingerprint.js");
    for (const algorithm of ["sha-1", "sha-384", "sha-512"] as const) {
      const fp = fingerprintOf(cert("ec-b").der, algorithm);
      const pair = connectedPair({
        client: { remoteFingerprint: { algorithm, value: fp.value.toLowerCase() } },
      });
      assert.equal(pair.client.state, "connected", algorithm);
    }
  });

  it("times out a handshake nobody answers, after retransmitting with doubled intervals", () => {
    const endpoint = new DtlsEndpoint({
      role: "client",
      certificate: cert("ec-a"),
      rng: seededRng(3),
    });
    endpoint.start(0);
    const sent: number[] = [];
    let now = 0;
    for (;;) {
      while (endpoint.pollTransmit() !== undefined) sent.push(now);
      const at = endpoint.pollTimeout();
      if (at === undefined) break;
      now = at;
      endpoint.handleTimeout(now);
    }
    // RFC 6347 §4.2.4.1: 1 s, doubled each time; the 30 s handshake deadline ends it.
    assert.deepEqual(sent, [0, 1000, 3000, 7000, 15000]);
    assert.equal(endpoint.state, "failed");
    const error = endpoint.pollEvent();
    assert.equal(error?.type, "error");
    assert.equal(error.type === "error" && error.error.code, "timeout");
    assert.equal(endpoint.stats().retransmissions, 4);
  });

  it("times out waiting for a fingerprint that never comes", () => {
    const pair = new Pair({ fingerprints: false, client: { handshakeTimeoutMs: 5000 } })
      .start()
      .pump();
    assert.equal(pair.client.pollTimeout(), 5000);
    pair.tick();
    pair.collect();
    assert.equal(pair.error("client").code, "timeout");
    assert.match(pair.error("client").message, /fingerprint/);
  });
});

describe("DtlsEndpoint after the handshake", () => {
  it("closes both sides with close_notify", () => {
    const pair = connectedPair();
    pair.client.close(pair.now);
    pair.pump();
    assert.deepEqual(pair.of("client", "closed"), [{ type: "closed", by: "local" }]);
    assert.deepEqual(pair.of("server", "closed"), [{ type: "closed", by: "peer" }]);
    assert.equal(pair.client.send(pair.now, utf8Encode("late")), false);
    assert.equal(pair.server.stats().alertsReceived, 1);
  });

  it("drops a record with a bad tag, counts it, and keeps the connection", () => {
    const pair = connectedPair();
    pair.client.send(pair.now, utf8Encode("one"));
    const record = pair.client.pollTransmit()!;
    const tampered = Uint8Array.from(record);
    tampered[tampered.length - 1]! ^= 0x80;
    pair.server.handleDatagram(pair.now, tampered);
    pair.server.handleDatagram(pair.now, record);
    pair.collect();
    assert.equal(pair.server.stats().dropped["bad-tag"], 1);
    assert.equal(pair.server.state, "connected");
    assert.deepEqual(
      pair.of("server", "data").map((e) => text(e.data)),
      ["one"],
    );
  });

  it("drops a replayed record and counts it", () => {
    const pair = connectedPair();
    pair.client.send(pair.now, utf8Encode("once"));
    const record = pair.client.pollTransmit()!;
    pair.server.handleDatagram(pair.now, record);
    pair.server.handleDatagram(pair.now, record);
    pair.collect();
    assert.equal(pair.of("server", "data").length, 1);
    assert.equal(pair.server.stats().dropped.replay, 1);
  });

  it("ignores a ClientHello retransmitted after the handshake: nothing is reset", () => {
    const pair = new Pair().start();
    pair.pump();
    const firstHello = pair.sent.client[0]!;
    pair.server.handleDatagram(pair.now, firstHello);
    pair.collect();
    assert.equal(pair.server.state, "connected");
    assert.equal(pair.server.pollTransmit(), undefined, "no new ServerHello");
    assert.equal(pair.server.stats().dropped.replay, 1, "the same record is a replay");
    // The same hello in a fresh record (as a retransmission would be) is an old message.
    const fresh = Uint8Array.from(firstHello);
    fresh[10] = 0x7f; // another record sequence number
    pair.server.handleDatagram(pair.now, fresh);
    pair.collect();
    assert.equal(pair.server.state, "connected");
    assert.equal(pair.server.stats().dropped["retransmitted-handshake"], 1);
    pair.client.send(pair.now, utf8Encode("still here"));
    pair.pump();
    assert.deepEqual(
      pair.of("server", "data").map((e) => text(e.data)),
      ["still here"],
    );
  });

  it("ignores a plaintext alert once the association is protected", () => {
    const pair = connectedPair();
    // A fatal handshake_failure in epoch 0, as an off-path attacker could forge it.
    const forged = new Uint8Array([21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40]);
    pair.server.handleDatagram(pair.now, forged);
    pair.collect();
    assert.equal(pair.server.state, "connected");
    assert.equal(pair.server.stats().dropped["unauthenticated-alert"], 1);
  });

  it("counts garbage datagrams as malformed and never throws", () => {
    const pair = connectedPair();
    for (const junk of [
      new Uint8Array([22]),
      new Uint8Array([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 40]),
    ])
      pair.server.handleDatagram(pair.now, junk);
    assert.equal(pair.server.stats().dropped["malformed-record"], 2);
    assert.equal(pair.server.state, "connected");
  });
});
