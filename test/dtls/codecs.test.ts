// Round trips of the record and handshake message codecs, and their refusals.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeAlert, encodeAlert } from "../../src/dtls/alert.js";
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeFinished,
  encodeCertificate,
  encodeCertificateRequest,
} from "../../src/dtls/certificate-messages.js";
import { DtlsDecodeError } from "../../src/dtls/errors.js";
import {
  decodeClientHello,
  decodeHelloVerifyRequest,
  decodeServerHello,
  encodeClientHello,
  encodeHelloVerifyRequest,
  encodeServerHello,
} from "../../src/dtls/hello.js";
import {
  decodeCertificateVerify,
  decodeClientKeyExchange,
  decodeServerKeyExchange,
  encodeCertificateVerify,
  encodeClientKeyExchange,
  encodeServerEcdhParams,
  encodeServerKeyExchange,
} from "../../src/dtls/key-exchange-messages.js";
import { decodeRecords, encodeRecord, type DtlsRecord } from "../../src/dtls/record.js";
import { bytes, sampleClientHello } from "./support.js";

describe("DTLS codecs", () => {
  it("splits a datagram into its records and encodes them back", () => {
    const a = encodeRecord(22, 0xfefd, 0, 1, bytes(10));
    const b = encodeRecord(23, 0xfefd, 1, 2 ** 40 + 5, bytes(3));
    const datagram = new Uint8Array([...a, ...b]);
    const records: DtlsRecord[] = [];
    decodeRecords(datagram, (r) => records.push(r));
    assert.deepEqual(
      records.map((r) => [r.type, r.version, r.epoch, r.sequence, [...r.fragment]]),
      [
        [22, 0xfefd, 0, 1, [...bytes(10)]],
        [23, 0xfefd, 1, 2 ** 40 + 5, [...bytes(3)]],
      ],
    );
  });

  it("keeps the records before a truncated one and then throws DtlsDecodeError", () => {
    const good = encodeRecord(22, 0xfefd, 0, 1, bytes(4));
    const cut = encodeRecord(22, 0xfefd, 0, 2, bytes(10)).subarray(0, 15);
    const seen: number[] = [];
    assert.throws(
      () => decodeRecords(new Uint8Array([...good, ...cut]), (r) => seen.push(r.sequence)),
      DtlsDecodeError,
    );
    assert.deepEqual(seen, [1]);
  });

  it("round-trips a ClientHello with every extension we interpret", () => {
    const decoded = decodeClientHello(encodeClientHello(sampleClientHello));
    assert.deepEqual(decoded, sampleClientHello);
  });

  it("keeps the types of extensions it does not interpret", () => {
    const body = encodeClientHello(sampleClientHello);
    // Append an unknown extension (type 0x1234, 2 bytes) by hand: fix the extensions length.
    const extra = new Uint8Array([0x12, 0x34, 0, 2, 9, 9]);
    const out = new Uint8Array([...body, ...extra]);
    const decoded = decodeClientHello(patchExtensionsLength(out, extra.length));
    assert.deepEqual(decoded.extensions.unknown, [0x1234]);
  });

  it("refuses a ClientHello whose extension appears twice", () => {
    const body = encodeClientHello({
      ...sampleClientHello,
      extensions: { extendedMasterSecret: true },
    });
    const twice = patchExtensionsLength(new Uint8Array([...body, 0, 23, 0, 0]), 4);
    assert.throws(() => decodeClientHello(twice), /appears twice/);
  });

  it("round-trips ServerHello and HelloVerifyRequest", () => {
    const hello = {
      version: 0xfefd,
      random: bytes(32, 9),
      sessionId: new Uint8Array(0),
      cipherSuite: 0xc02b,
      compressionMethod: 0,
      extensions: {
        extendedMasterSecret: true,
        useSrtp: { profiles: [1], mki: new Uint8Array(0) },
      },
    };
    assert.deepEqual(decodeServerHello(encodeServerHello(hello)), hello);
    const hvr = { version: 0xfefd, cookie: bytes(32) };
    assert.deepEqual(decodeHelloVerifyRequest(encodeHelloVerifyRequest(hvr)), hvr);
  });

  it("round-trips Certificate, CertificateRequest and Finished", () => {
    const chain = [bytes(300), bytes(5, 7)];
    assert.deepEqual(decodeCertificate(encodeCertificate(chain)), chain);
    assert.deepEqual(decodeCertificate(encodeCertificate([])), []);
    const request = {
      certificateTypes: [64, 1],
      signatureAlgorithms: [0x0403],
      certificateAuthorities: [bytes(4)],
    };
    assert.deepEqual(decodeCertificateRequest(encodeCertificateRequest(request)), request);
    assert.deepEqual(decodeFinished(bytes(12)), bytes(12));
    assert.throws(() => decodeFinished(bytes(13)), DtlsDecodeError);
  });

  it("round-trips the ECDHE key exchange messages and CertificateVerify", () => {
    const params = encodeServerEcdhParams(29, bytes(32));
    const ske = decodeServerKeyExchange(
      encodeServerKeyExchange(params, { scheme: 0x0403, signature: bytes(70) }),
    );
    assert.equal(ske.namedGroup, 29);
    assert.deepEqual(ske.publicKey, bytes(32));
    assert.deepEqual(ske.params, params);
    assert.deepEqual(ske.signed, { scheme: 0x0403, signature: bytes(70) });
    assert.deepEqual(decodeClientKeyExchange(encodeClientKeyExchange(bytes(65))), bytes(65));
    const cv = { scheme: 0x0804, signature: bytes(256) };
    assert.deepEqual(decodeCertificateVerify(encodeCertificateVerify(cv)), cv);
  });

  it("round-trips alerts and refuses a three-byte one", () => {
    assert.deepEqual(decodeAlert(encodeAlert(2, 40)), { level: 2, description: 40 });
    assert.throws(() => decodeAlert(new Uint8Array([2, 40, 0])), DtlsDecodeError);
  });
});

/**
 * Adds `added` to the extensions block length of a hello body we encoded (the block is last;
 * its 2-byte length sits where the original body's extensions began).
 */
function patchExtensionsLength(body: Uint8Array, added: number): Uint8Array {
  // session id and cookie are at fixed places for these samples: find the block by decoding.
  const out = Uint8Array.from(body);
  let o = 2 + 32;
  o += 1 + out[o]!; // session_id
  o += 1 + out[o]!; // cookie
  o += 2 + ((out[o]! << 8) | out[o + 1]!); // cipher_suites
  o += 1 + out[o]!; // compression_methods
  const length = ((out[o]! << 8) | out[o + 1]!) + added;
  out[o] = length >>> 8;
  out[o + 1] = length & 0xff;
  return out;
}
