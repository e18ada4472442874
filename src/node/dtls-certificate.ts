/**
 * Our DTLS certificate: a self-signed ECDSA P-256 certificate made once per process (key
 * generation needs ambient randomness, so it lives here; the DER is built by `src/dtls/x509.ts`).
 * @module
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { dtlsCertificate, type DtlsCertificate } from "../dtls/certificate.js";
import { buildSelfSignedCertificate } from "../dtls/x509.js";

/** Options of {@link generateCertificate}. */
export interface CertificateOptions {
  /** `ec` (P-256, what WebRTC uses) or `rsa` (2048 bits). @default "ec" */
  readonly keyType?: "ec" | "rsa";
  /** @default "jingle-ice" */
  readonly commonName?: string;
  /** Validity from a day ago (clock skew) to this many days ahead. @default 30 */
  readonly days?: number;
}

const DAY_MS = 86_400_000;

/** A fresh self-signed certificate and its key. */
export function generateCertificate(options: CertificateOptions = {}): DtlsCertificate {
  const { privateKey, publicKey } =
    options.keyType === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = Date.now();
  const der = buildSelfSignedCertificate({
    privateKey,
    publicKey,
    serial: new Uint8Array(randomBytes(16)),
    commonName: options.commonName ?? "jingle-ice",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + (options.days ?? 30) * DAY_MS),
  });
  return dtlsCertificate(der, privateKey);
}

let processCertificate: DtlsCertificate | undefined;

/** The certificate of this process, made on first use (as browsers keep one per session). */
export function defaultCertificate(): DtlsCertificate {
  processCertificate ??= generateCertificate();
  return processCertificate;
}
