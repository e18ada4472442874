/**
 * A minimal DER builder (X.690) for the self-signed certificate a DTLS endpoint presents: X.509
 * v3 (RFC 5280 §4.1) with no extensions, signed ECDSA-with-SHA256 (RFC 5758 §3.2) or
 * SHA256-with-RSA (RFC 4055 §5). The peer trusts the certificate through its fingerprint only,
 * so nothing else is needed. Key generation (ambient randomness) stays with the caller.
 * @module
 */
import { sign, type KeyObject } from "node:crypto";
import { concatBytes, fromHex, utf8Encode } from "../common/bytes.js";

/** DER of a tag and its contents (definite length). */
export function der(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  let length: Uint8Array;
  if (n < 0x80) length = new Uint8Array([n]);
  else if (n < 0x100) length = new Uint8Array([0x81, n]);
  else if (n < 0x10000) length = new Uint8Array([0x82, n >>> 8, n & 0xff]);
  else length = new Uint8Array([0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff]);
  return concatBytes([new Uint8Array([tag]), length, contents]);
}

const sequence = (...items: Uint8Array[]): Uint8Array => der(0x30, concatBytes(items));
const set = (...items: Uint8Array[]): Uint8Array => der(0x31, concatBytes(items));

/** A DER INTEGER from unsigned big-endian bytes (a leading zero added when the top bit is set). */
export function derUnsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return der(0x02, trimmed[0]! >= 0x80 ? concatBytes([new Uint8Array([0]), trimmed]) : trimmed);
}

/** OIDs, pre-encoded (tag 06 included). */
const OID = {
  ecdsaWithSha256: fromHex("06082a8648ce3d040302"), // 1.2.840.10045.4.3.2
  sha256WithRsa: fromHex("06092a864886f70d01010b"), // 1.2.840.113549.1.1.11
  commonName: fromHex("0603550403"), // 2.5.4.3
};
const NULL = fromHex("0500");

/** UTCTime (years 1950–2049) or GeneralizedTime, as RFC 5280 §4.1.2.5 requires. */
function derTime(date: Date): Uint8Array {
  const two = (n: number): string => String(n).padStart(2, "0");
  const year = date.getUTCFullYear();
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    "Z";
  if (year >= 1950 && year < 2050) return der(0x17, utf8Encode(two(year % 100) + rest));
  return der(0x18, utf8Encode(String(year).padStart(4, "0") + rest));
}

/** What goes into a self-signed certificate. */
export interface SelfSignedOptions {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** 1–20 bytes; the top bit is cleared so the INTEGER stays positive (RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The DER bytes of a self-signed X.509 v3 certificate for an EC (P-256) or RSA key. */
export function buildSelfSignedCertificate(options: SelfSignedOptions): Uint8Array {
  const keyType = options.privateKey.asymmetricKeyType;
  if (keyType !== "ec" && keyType !== "rsa")
    throw new RangeError(`unsupported key type ${keyType}`);
  const algorithm =
    keyType === "ec" ? sequence(OID.ecdsaWithSha256) : sequence(OID.sha256WithRsa, NULL);
  const serial = Uint8Array.from(options.serial);
  if (serial.length === 0 || serial.length > 20) throw new RangeError("serial must be 1–20 bytes");
  serial[0]! &= 0x7f;
  if (serial.every((b) => b === 0)) serial[serial.length - 1] = 1;
  const name = sequence(set(sequence(OID.commonName, der(0x0c, utf8Encode(options.commonName)))));
  const spki = new Uint8Array(options.publicKey.export({ type: "spki", format: "der" }));
  const tbs = sequence(
    der(0xa0, derUnsignedInteger(new Uint8Array([2]))), // [0] EXPLICIT version v3
    derUnsignedInteger(serial),
    algorithm,
    name, // issuer
    sequence(derTime(options.notBefore), derTime(options.notAfter)),
    name, // subject
    spki,
  );
  const signature = new Uint8Array(sign("sha256", tbs, options.privateKey));
  return sequence(tbs, algorithm, der(0x03, concatBytes([new Uint8Array([0]), signature])));
}
