/**
 * Signing and verifying TLS 1.2 DigitallySigned values (RFC 5246 §4.7) with node:crypto:
 * ECDSA (RFC 8422 §5.10, DER-encoded), RSA PKCS#1 v1.5 and RSA-PSS with a salt as long as the
 * hash (RFC 8446 §4.2.3, which TLS 1.2 peers like OpenSSL use too).
 * @module
 */
import { constants, sign, verify, type KeyObject } from "node:crypto";
import { SignatureScheme } from "./constants.js";

interface SchemeInfo {
  readonly hash: "sha256" | "sha384" | "sha512";
  readonly key: "ec" | "rsa";
  readonly pss: boolean;
  /** For ECDSA: the curve the key must be on (TLS 1.3 style binding; TLS 1.2 peers comply). */
  readonly curve?: string;
}

const SCHEMES = new Map<number, SchemeInfo>([
  [
    SignatureScheme.ecdsa_secp256r1_sha256,
    { hash: "sha256", key: "ec", pss: false, curve: "prime256v1" },
  ],
  [
    SignatureScheme.ecdsa_secp384r1_sha384,
    { hash: "sha384", key: "ec", pss: false, curve: "secp384r1" },
  ],
  [
    SignatureScheme.ecdsa_secp521r1_sha512,
    { hash: "sha512", key: "ec", pss: false, curve: "secp521r1" },
  ],
  [SignatureScheme.rsa_pss_rsae_sha256, { hash: "sha256", key: "rsa", pss: true }],
  [SignatureScheme.rsa_pss_rsae_sha384, { hash: "sha384", key: "rsa", pss: true }],
  [SignatureScheme.rsa_pss_rsae_sha512, { hash: "sha512", key: "rsa", pss: true }],
  [SignatureScheme.rsa_pkcs1_sha256, { hash: "sha256", key: "rsa", pss: false }],
  [SignatureScheme.rsa_pkcs1_sha384, { hash: "sha384", key: "rsa", pss: false }],
  [SignatureScheme.rsa_pkcs1_sha512, { hash: "sha512", key: "rsa", pss: false }],
]);

/** The schemes we accept and offer, in our order of preference. No SHA-1. */
export const SUPPORTED_SCHEMES: readonly number[] = [...SCHEMES.keys()];

/** The key type a scheme needs. */
export function schemeKeyType(scheme: number): "ec" | "rsa" | undefined {
  return SCHEMES.get(scheme)?.key;
}

/** Whether `scheme` can be used with `key` (type, and curve for ECDSA). */
export function schemeFitsKey(scheme: number, key: KeyObject): boolean {
  const info = SCHEMES.get(scheme);
  if (info === undefined) return false;
  if (key.asymmetricKeyType !== info.key) return false;
  return info.curve === undefined || key.asymmetricKeyDetails?.namedCurve === info.curve;
}

/** The first of `offered` (the peer's list) that we support and that fits our `key`. */
export function chooseScheme(offered: readonly number[], key: KeyObject): number | undefined {
  return offered.find((s) => schemeFitsKey(s, key));
}

/** Signs `data` with our private key under `scheme` (which must fit it). */
export function signWith(scheme: number, key: KeyObject, data: Uint8Array): Uint8Array {
  const info = SCHEMES.get(scheme);
  if (info === undefined) throw new RangeError(`unsupported signature scheme ${scheme}`);
  return new Uint8Array(sign(info.hash, data, info.pss ? { key, ...PSS } : key));
}

/**
 * True only when `signature` is a valid signature of `data` by `publicKey` under `scheme`, and
 * the scheme's key type is the key's. Malformed signatures or keys give false, never an exception.
 */
export function verifyWith(
  scheme: number,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const info = SCHEMES.get(scheme);
  // TLS 1.2 does not bind ECDSA hashes to curves (RFC 8422 §5.10): only the key type must fit.
  if (info === undefined || publicKey.asymmetricKeyType !== info.key) return false;
  try {
    return verify(info.hash, data, info.pss ? { key: publicKey, ...PSS } : publicKey, signature);
  } catch {
    return false;
  }
}

const PSS = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
} as const;
