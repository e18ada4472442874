/**
 * The certificate a DTLS endpoint presents, and the checks on the one the peer presents. The
 * peer's certificate is trusted through its fingerprint alone, as in WebRTC (RFC 8827 §6.5,
 * RFC 5763 §5): no chain, no names, and no validity dates are checked (real clients send
 * certificates dated in the future).
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { AlertDescription } from "./constants.js";
import { DtlsError } from "./errors.js";
import { fingerprintOf, matchesFingerprint, type Fingerprint } from "./fingerprint.js";

/** Our certificate and its private key. */
export interface DtlsCertificate {
  /** The DER certificate. */
  readonly der: Uint8Array;
  readonly privateKey: KeyObject;
  /** Its sha-256 fingerprint: what we announce (XEP-0320). */
  readonly fingerprint: Fingerprint;
}

/**
 * A {@link DtlsCertificate} from a DER (or PEM) certificate and its private key (a KeyObject or
 * PEM). Throws when the key does not belong to the certificate.
 */
export function dtlsCertificate(
  certificate: Uint8Array | string,
  privateKey: KeyObject | string,
): DtlsCertificate {
  const x509 = new X509Certificate(
    typeof certificate === "string" ? certificate : Buffer.from(certificate),
  );
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (!x509.checkPrivateKey(key))
    throw new RangeError("the private key does not match the certificate");
  const der = new Uint8Array(x509.raw);
  return { der, privateKey: key, fingerprint: fingerprintOf(der) };
}

/** The peer's leaf certificate, parsed. */
export interface PeerCertificate {
  readonly der: Uint8Array;
  readonly publicKey: KeyObject;
  /** sha-256, for the `connected` event. */
  readonly fingerprint: Fingerprint;
}

/**
 * Parses the peer's leaf certificate (the first of the chain) and checks it against `expected`
 * when the caller already gave it. Throws {@link DtlsError}: `bad_certificate` for an
 * unparsable certificate, `unsupported_certificate` for a key of the wrong type, and code
 * `fingerprint-mismatch` for a fingerprint that is not the expected one.
 */
export function acceptPeerCertificate(
  chain: readonly Uint8Array[],
  keyType: "ec" | "rsa" | undefined,
  expected: Fingerprint | undefined,
): PeerCertificate {
  const leaf = chain[0];
  if (leaf === undefined)
    throw new DtlsError(
      "handshake-failed",
      AlertDescription.handshake_failure,
      "the peer sent no certificate",
    );
  let publicKey: KeyObject;
  try {
    publicKey = new X509Certificate(Buffer.from(leaf)).publicKey;
  } catch (cause) {
    throw new DtlsError(
      "handshake-failed",
      AlertDescription.bad_certificate,
      "the peer's certificate does not parse",
      { cause },
    );
  }
  const type = publicKey.asymmetricKeyType;
  if ((keyType !== undefined && type !== keyType) || (type !== "ec" && type !== "rsa"))
    throw new DtlsError(
      "handshake-failed",
      AlertDescription.unsupported_certificate,
      `the peer's certificate has a ${String(type)} key${keyType === undefined ? "" : `, the suite needs ${keyType}`}`,
    );
  const peer = { der: leaf, publicKey, fingerprint: fingerprintOf(leaf) };
  if (expected !== undefined) checkFingerprint(peer, expected);
  return peer;
}

/** Throws a `fingerprint-mismatch` {@link DtlsError} unless `peer` has the `expected` fingerprint. */
export function checkFingerprint(peer: PeerCertificate, expected: Fingerprint): void {
  if (!matchesFingerprint(peer.der, expected))
    throw new DtlsError(
      "fingerprint-mismatch",
      AlertDescription.bad_certificate,
      `the peer's certificate (sha-256 ${peer.fingerprint.value}) does not have the expected ${expected.algorithm} fingerprint ${expected.value}`,
    );
}
