/**
 * Certificate (RFC 5246 §7.4.2, §7.4.6), CertificateRequest (§7.4.4) and Finished (§7.4.9)
 * bodies.
 * @module
 */
import { Reader, Writer } from "./bytes-io.js";
import { u16List } from "./extensions.js";

/** At most this many certificates in a chain (we use only the first; a bound for hostile input). */
const MAX_CHAIN = 10;

/** `ASN.1Cert certificate_list<0..2^24-1>`: DER certificates, the peer's own first. */
export function decodeCertificate(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body, "certificate");
  const list = r.sub(r.u24(), "certificate/list");
  r.end_();
  const out: Uint8Array[] = [];
  while (list.remaining > 0) {
    const cert = list.vector24();
    if (cert.length === 0) list.fail("empty certificate");
    if (out.length === MAX_CHAIN) list.fail(`more than ${MAX_CHAIN} certificates`);
    out.push(cert);
  }
  return out;
}

export function encodeCertificate(chain: readonly Uint8Array[]): Uint8Array {
  return new Writer(1024)
    .vector(3, (list) => chain.forEach((c) => list.vector(3, (x) => x.bytes(c))))
    .finish();
}

/** A CertificateRequest body of TLS 1.2. */
export interface CertificateRequest {
  readonly certificateTypes: readonly number[];
  readonly signatureAlgorithms: readonly number[];
  /** DER DistinguishedNames; we send none and ignore the peer's. */
  readonly certificateAuthorities: readonly Uint8Array[];
}

export function decodeCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new Reader(body, "certificate-request");
  const certificateTypes = [...r.vector8()];
  if (certificateTypes.length === 0) r.fail("no certificate type");
  const signatureAlgorithms = u16List(r.sub(r.u16(), "certificate-request/algorithms"));
  if (signatureAlgorithms.length === 0) r.fail("no signature algorithm");
  const cas = r.sub(r.u16(), "certificate-request/authorities");
  const certificateAuthorities: Uint8Array[] = [];
  while (cas.remaining > 0) certificateAuthorities.push(cas.vector16());
  r.end_();
  return { certificateTypes, signatureAlgorithms, certificateAuthorities };
}

export function encodeCertificateRequest(c: CertificateRequest): Uint8Array {
  return new Writer(64)
    .vector(1, (x) => c.certificateTypes.forEach((t) => x.u8(t)))
    .vector(2, (x) => c.signatureAlgorithms.forEach((a) => x.u16(a)))
    .vector(2, (x) => c.certificateAuthorities.forEach((d) => x.vector(2, (y) => y.bytes(d))))
    .finish();
}

/** Bytes of verify_data in TLS 1.2 (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;

/** A Finished body: verify_data. Throws unless it is exactly 12 bytes. */
export function decodeFinished(body: Uint8Array): Uint8Array {
  const r = new Reader(body, "finished");
  const data = r.bytesCopy(VERIFY_DATA_LENGTH);
  r.end_();
  return data;
}

/** An empty body (ServerHelloDone, HelloRequest); anything else is a decode error. */
export function decodeEmpty(body: Uint8Array, where: string): void {
  new Reader(body, where).end_();
}
