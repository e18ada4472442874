// The primitives on node:crypto: record protection, ECDHE, signatures, fingerprints and our
// self-signed certificate.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { fromHex, toHex } from "../../src/common/bytes.js";
import type { Rng } from "../../src/common/rng.js";
import { seededRng } from "../../src/common/rng.js";
import { GcmRecordCipher, AEAD_OVERHEAD } from "../../src/dtls/cipher.js";
import { generateEphemeralKey } from "../../src/dtls/ecdhe.js";
import { fingerprintOf, matchesFingerprint, parseFingerprint } from "../../src/dtls/fingerprint.js";
import { RECORD_HEADER_LENGTH } from "../../src/dtls/record.js";
import { chooseScheme, signWith, verifyWith } from "../../src/dtls/signature.js";
import { buildSelfSignedCertificate } from "../../src/dtls/x509.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";

/** An Rng that hands out these bytes. */
const fixedRng = (bytes: Uint8Array): Rng => ({ fill: (t) => t.set(bytes.subarray(0, t.length)) });

describe("AES-GCM record protection (RFC 5288)", () => {
  const key = fromHex("000102030405060708090a0b0c0d0e0f");
  const salt = fromHex("a0a1a2a3");
  const cipher = new GcmRecordCipher(key, salt);

  it("opens what it sealed, with the epoch and sequence as explicit nonce", () => {
    const record = cipher.seal(23, 0xfefd, 1, 42, new TextEncoder().encode("hello"));
    assert.equal(record.length, RECORD_HEADER_LENGTH + AEAD_OVERHEAD + 5);
    assert.equal(toHex(record.subarray(13, 21)), "000100000000002a");
    const plain = cipher.open(23, 0xfefd, 1, 42, record.subarray(RECORD_HEADER_LENGTH));
    assert.equal(new TextDecoder().decode(plain), "hello");
  });

  it("refuses a changed byte, a changed header field and a short fragment", () => {
    const record = cipher.seal(23, 0xfefd, 1, 42, new Uint8Array(20));
    const fragment = record.subarray(RECORD_HEADER_LENGTH);
    const flipped = Uint8Array.from(fragment);
    flipped[10]! ^= 1;
    assert.equal(cipher.open(23, 0xfefd, 1, 42, flipped), undefined);
    assert.equal(cipher.open(23, 0xfefd, 1, 43, fragment), undefined, "another sequence number");
    assert.equal(cipher.open(22, 0xfefd, 1, 42, fragment), undefined, "another content type");
    assert.equal(cipher.open(23, 0xfefd, 1, 42, fragment.subarray(0, 20)), undefined);
  });
});

describe("ECDHE", () => {
  it("computes the X25519 shared secret of RFC 7748 §6.1", () => {
    const alice = generateEphemeralKey(
      29,
      fixedRng(fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")),
    );
    assert.equal(
      toHex(alice.publicKey),
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    const bobPublic = fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    assert.equal(
      toHex(alice.computeSecret(bobPublic)!),
      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
  });

  it("agrees on a P-256 secret and refuses points off the curve or compressed", () => {
    const a = generateEphemeralKey(23, seededRng(1));
    const b = generateEphemeralKey(23, seededRng(2));
    assert.deepEqual(a.computeSecret(b.publicKey), b.computeSecret(a.publicKey));
    const off = Uint8Array.from(b.publicKey);
    off[64]! ^= 1;
    assert.equal(a.computeSecret(off), undefined);
    assert.equal(a.computeSecret(b.publicKey.subarray(0, 33)), undefined);
  });

  it("refuses the all-zero X25519 result of a low-order point (RFC 7748 §6.1)", () => {
    const a = generateEphemeralKey(29, seededRng(1));
    assert.equal(a.computeSecret(new Uint8Array(32)), undefined);
  });
});

describe("signatures", () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = new TextEncoder().encode("transcript");

  it("verifies ECDSA, RSA-PSS and PKCS#1 signatures and refuses them on other data", () => {
    for (const [scheme, pair] of [
      [0x0403, ec],
      [0x0804, rsa],
      [0x0401, rsa],
    ] as const) {
      const signature = signWith(scheme, pair.privateKey, data);
      assert.equal(verifyWith(scheme, pair.publicKey, data, signature), true);
      assert.equal(verifyWith(scheme, pair.publicKey, new Uint8Array(3), signature), false);
    }
  });

  it("refuses a scheme whose key type is not the key's, and garbage signatures, without throwing", () => {
    const signature = signWith(0x0403, ec.privateKey, data);
    assert.equal(verifyWith(0x0804, ec.publicKey, data, signature), false);
    assert.equal(verifyWith(0x0403, ec.publicKey, data, new Uint8Array(5)), false);
    assert.equal(verifyWith(0x0201, ec.publicKey, data, signature), false, "SHA-1 is not accepted");
  });

  it("chooses the peer's first scheme our key can make", () => {
    assert.equal(chooseScheme([0x0804, 0x0403], ec.privateKey), 0x0403);
    assert.equal(chooseScheme([0x0403, 0x0804], rsa.privateKey), 0x0804);
    assert.equal(
      chooseScheme([0x0503], ec.privateKey),
      undefined,
      "a P-384 scheme for a P-256 key",
    );
  });
});

describe("fingerprints and our certificate", () => {
  it("formats fingerprints as XEP-0320 and SDP do, and matches them in any case and algorithm", () => {
    const certificate = generateCertificate();
    assert.match(certificate.fingerprint.value, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    for (const algorithm of ["sha-1", "sha-256", "sha-384", "sha-512"] as const) {
      const fp = fingerprintOf(certificate.der, algorithm);
      assert.equal(matchesFingerprint(certificate.der, fp), true);
      assert.equal(
        matchesFingerprint(certificate.der, { algorithm, value: fp.value.toLowerCase() }),
        true,
      );
    }
    assert.equal(
      parseFingerprint({ algorithm: "sha-256", value: "AB:CD" }),
      undefined,
      "too short",
    );
    assert.equal(parseFingerprint({ algorithm: "md5" as "sha-1", value: "AB" }), undefined);
  });

  it("builds a self-signed P-256 certificate that node:crypto parses and verifies", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const der = buildSelfSignedCertificate({
      privateKey,
      publicKey,
      serial: new Uint8Array(16).fill(0xff),
      commonName: "jingle-ice",
      notBefore: new Date(Date.UTC(2026, 0, 1)),
      notAfter: new Date(Date.UTC(2051, 0, 1)),
    });
    const x509 = new X509Certificate(Buffer.from(der));
    assert.equal(x509.subject, "CN=jingle-ice");
    assert.equal(x509.issuer, "CN=jingle-ice");
    assert.equal(x509.verify(publicKey), true);
    assert.equal(x509.checkPrivateKey(privateKey), true);
    assert.equal(new Date(x509.validFrom).toISOString(), "2026-01-01T00:00:00.000Z");
    assert.equal(
      new Date(x509.validTo).toISOString(),
      "2051-01-01T00:00:00.000Z",
      "GeneralizedTime from 2050",
    );
    assert.equal(x509.serialNumber, "7F" + "FF".repeat(15), "positive serial");
  });

  it("builds an RSA certificate too", () => {
    const certificate = generateCertificate({ keyType: "rsa" });
    const x509 = new X509Certificate(Buffer.from(certificate.der));
    assert.equal(x509.publicKey.asymmetricKeyType, "rsa");
    assert.equal(x509.verify(x509.publicKey), true);
  });
});
