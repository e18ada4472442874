/**
 * The ECDHE key exchange messages: ServerKeyExchange (RFC 8422 §5.4), ClientKeyExchange
 * (RFC 8422 §5.7), and the DigitallySigned structure they and CertificateVerify (RFC 5246
 * §7.4.8) carry.
 * @module
 */
import { Reader, Writer } from "./bytes-io.js";
import { NAMED_CURVE } from "./constants.js";

/** `digitally-signed struct` of TLS 1.2 (RFC 5246 §4.7): the scheme, then the signature. */
export interface DigitallySigned {
  /** SignatureAndHashAlgorithm as one 16-bit SignatureScheme value. */
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** A ServerKeyExchange for ECDHE: the server's ephemeral public key, signed. */
export interface ServerKeyExchange {
  readonly namedGroup: number;
  /** The ECPoint (`opaque point <1..2^8-1>`). */
  readonly publicKey: Uint8Array;
  readonly signed: DigitallySigned;
  /** ServerECDHParams as sent: what the signature covers after the randoms. */
  readonly params: Uint8Array;
}

export function decodeDigitallySigned(r: Reader): DigitallySigned {
  const scheme = r.u16();
  const signature = r.vector16();
  if (signature.length === 0) r.fail("empty signature");
  return { scheme, signature };
}

export function encodeDigitallySigned(w: Writer, s: DigitallySigned): void {
  w.u16(s.scheme).vector(2, (x) => x.bytes(s.signature));
}

/** ServerECDHParams: curve_type named_curve, the group, the point. */
export function encodeServerEcdhParams(namedGroup: number, publicKey: Uint8Array): Uint8Array {
  return new Writer(80)
    .u8(NAMED_CURVE)
    .u16(namedGroup)
    .vector(1, (x) => x.bytes(publicKey))
    .finish();
}

export function decodeServerKeyExchange(body: Uint8Array): ServerKeyExchange {
  const r = new Reader(body, "server-key-exchange");
  if (r.u8() !== NAMED_CURVE) r.fail("only named curves are supported");
  const namedGroup = r.u16();
  const publicKey = r.vector8();
  if (publicKey.length === 0) r.fail("empty public key");
  const params = body.slice(0, r.position);
  const signed = decodeDigitallySigned(r);
  r.end_();
  return { namedGroup, publicKey, signed, params };
}

export function encodeServerKeyExchange(params: Uint8Array, signed: DigitallySigned): Uint8Array {
  const w = new Writer(200).bytes(params);
  encodeDigitallySigned(w, signed);
  return w.finish();
}

/** ClientKeyExchange for ECDHE: the client's ephemeral public key. */
export function decodeClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body, "client-key-exchange");
  const point = r.vector8();
  if (point.length === 0) r.fail("empty public key");
  r.end_();
  return point;
}

export function encodeClientKeyExchange(publicKey: Uint8Array): Uint8Array {
  return new Writer(70).vector(1, (x) => x.bytes(publicKey)).finish();
}

/** CertificateVerify (RFC 5246 §7.4.8): a DigitallySigned over the handshake so far. */
export function decodeCertificateVerify(body: Uint8Array): DigitallySigned {
  const r = new Reader(body, "certificate-verify");
  const signed = decodeDigitallySigned(r);
  r.end_();
  return signed;
}

export function encodeCertificateVerify(signed: DigitallySigned): Uint8Array {
  const w = new Writer(100);
  encodeDigitallySigned(w, signed);
  return w.finish();
}
