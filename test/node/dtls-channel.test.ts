// DtlsChannel over our ICE (IceConnection + DatagramChannel) on 127.0.0.1: the handshake, data
// both ways, fingerprints given late or wrong, RFC 7983 demultiplexing, and an ICE restart in
// the middle of an association.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { utf8Decode, utf8Encode } from "../../src/common/bytes.js";
import { DatagramChannel, type IceConnection } from "../../src/node/index.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import { DtlsChannel, type DtlsChannelTransport } from "../../src/node/dtls-channel.js";
import type { DtlsError } from "../../src/dtls/errors.js";
import type { DatagramTransport as SctpTransport } from "../../src/node/sctp-association.js";
import { connectedIcePair } from "../support/ice-pair.js";

const certA = generateCertificate();
const certB = generateCertificate();

async function dtlsPair(late = false): Promise<{
  a: DtlsChannel;
  b: DtlsChannel;
  ice: [IceConnection, IceConnection];
}> {
  const ice = await connectedIcePair();
  const a = DtlsChannel.create(new DatagramChannel(ice[0]), {
    role: "client",
    certificate: certA,
    ...(late ? {} : { remoteFingerprint: certB.fingerprint }),
  });
  const b = DtlsChannel.create(new DatagramChannel(ice[1]), {
    role: "server",
    certificate: certB,
    ...(late ? {} : { remoteFingerprint: certA.fingerprint }),
  });
  return { a, b, ice };
}

async function roundTrip(a: DtlsChannel, b: DtlsChannel, text: string): Promise<void> {
  const got = once(b, "message");
  assert.equal(a.send(utf8Encode(text)), true);
  const [data] = (await got) as [Uint8Array];
  assert.equal(utf8Decode(data), text);
}

describe("DtlsChannel over ICE on 127.0.0.1", () => {
  it("a DatagramChannel is a DtlsChannelTransport", () => {
    const check = (channel: DatagramChannel): DtlsChannelTransport => channel;
    assert.equal(typeof check, "function");
  });

  it("a DtlsChannel is a transport an SctpAssociation can run over (data channels on DTLS)", () => {
    const check = (channel: DtlsChannel): SctpTransport => channel;
    assert.equal(typeof check, "function");
  });

  it("connects, reports both fingerprints and the pair, and carries data both ways", async () => {
    const { a, b } = await dtlsPair();
    const [infoA, infoB] = await Promise.all([a.ready, b.ready]);
    assert.deepEqual(infoA.remoteFingerprint, certB.fingerprint);
    assert.deepEqual(infoB.remoteFingerprint, certA.fingerprint);
    assert.deepEqual(infoA.localFingerprint, certA.fingerprint);
    assert.equal(infoA.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert.ok(a.selectedPair, "the ICE pair shows through");
    await roundTrip(a, b, "ping");
    await roundTrip(b, a, "pong");
    assert.equal(a.stats().dtls.applicationDataOut, 1);
    assert.equal(b.stats().dtls.applicationDataIn, 1);
    const closed = once(b, "close");
    await a.close();
    await closed;
    await b.close();
  });

  it("waits for fingerprints given after the handshake started", async () => {
    const { a, b } = await dtlsPair(true);
    const connected = once(a, "connected");
    setTimeout(() => {
      a.setRemoteFingerprint(certB.fingerprint);
      b.setRemoteFingerprint(certA.fingerprint);
    }, 50);
    await connected;
    await b.ready;
    await roundTrip(b, a, "after the fingerprints");
    await a.close();
    await b.close();
  });

  it("fails with a DtlsError fingerprint-mismatch when the peer's certificate is not the expected one", async () => {
    const ice = await connectedIcePair();
    const a = DtlsChannel.create(new DatagramChannel(ice[0]), {
      role: "client",
      certificate: certA,
      remoteFingerprint: certA.fingerprint, // not the peer's
    });
    const b = DtlsChannel.create(new DatagramChannel(ice[1]), {
      role: "server",
      certificate: certB,
    });
    const [error] = (await once(a, "error")) as [DtlsError];
    assert.equal(error.name, "DtlsError");
    assert.equal(error.code, "fingerprint-mismatch");
    await assert.rejects(a.ready, { code: "fingerprint-mismatch" });
    await assert.rejects(b.ready, { code: "alert-received" });
    await a.close();
    await b.close();
  });

  it("drops RTP and other non-DTLS datagrams and counts them (RFC 7983)", async () => {
    const { a, b, ice } = await dtlsPair();
    await Promise.all([a.ready, b.ready]);
    ice[0].send(1, new Uint8Array([0x80, 0x60, 0, 1])); // RTP version 2
    ice[0].send(1, new Uint8Array([0x40, 0x00])); // a TURN channel number: not ours
    await roundTrip(a, b, "after the noise");
    assert.deepEqual(b.stats().demux, { rtp: 1, other: 1 });
    await a.close();
    await b.close();
  });

  it("keeps the association through an ICE restart: data flows on the new pair", async () => {
    const { a, b, ice } = await dtlsPair();
    await Promise.all([a.ready, b.ready]);
    await roundTrip(a, b, "before the restart");
    const reselected = Promise.all([once(ice[0], "selected-pair"), once(ice[1], "selected-pair")]);
    ice[0].restart();
    await reselected;
    await roundTrip(a, b, "after the restart");
    await roundTrip(b, a, "and back");
    assert.equal(a.state, "connected");
    assert.equal(a.stats().dtls.flightsSent, 2, "no new handshake");
    await a.close();
    await b.close();
  });
});
