/**
 * Hello extensions (RFC 5246 §7.4.1.4) that DTLS-SRTP peers send: supported_groups and
 * ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246 §7.4.1.4.1), use_srtp
 * (RFC 5764 §4.1.1), extended_master_secret (RFC 7627 §5.1) and renegotiation_info
 * (RFC 5746 §3.2). Others are kept by type only.
 * @module
 */
import type { Reader, Writer } from "./bytes-io.js";
import { ExtensionType } from "./constants.js";

/** The extensions of a hello, decoded. */
export interface HelloExtensions {
  readonly supportedGroups?: readonly number[];
  readonly ecPointFormats?: readonly number[];
  readonly signatureAlgorithms?: readonly number[];
  readonly useSrtp?: { readonly profiles: readonly number[]; readonly mki: Uint8Array };
  readonly extendedMasterSecret?: boolean;
  /** renegotiated_connection (empty on an initial handshake, RFC 5746 §3.4). */
  readonly renegotiationInfo?: Uint8Array;
  /** Types of extensions we do not interpret, in order. */
  readonly unknown?: readonly number[];
}

/** Decodes `extensions<0..2^16-1>`; duplicates are a decode error (RFC 5246 §7.4.1.4). */
export function decodeExtensions(r: Reader): HelloExtensions {
  const out: {
    -readonly [K in keyof HelloExtensions]: HelloExtensions[K];
  } = {};
  if (r.remaining === 0) return out; // the extensions field is optional (RFC 5246 §7.4.1.2)
  const list = r.sub(r.u16(), "extensions");
  const seen = new Set<number>();
  const unknown: number[] = [];
  while (list.remaining > 0) {
    const type = list.u16();
    const data = list.sub(list.u16(), `extension ${type}`);
    if (seen.has(type)) data.fail(`extension ${type} appears twice`);
    seen.add(type);
    switch (type) {
      case ExtensionType.supportedGroups:
        out.supportedGroups = u16List(data.sub(data.u16()));
        break;
      case ExtensionType.ecPointFormats:
        out.ecPointFormats = [...data.vector8()];
        break;
      case ExtensionType.signatureAlgorithms:
        out.signatureAlgorithms = u16List(data.sub(data.u16()));
        break;
      case ExtensionType.useSrtp: {
        const profiles = u16List(data.sub(data.u16()));
        out.useSrtp = { profiles, mki: data.vector8() };
        break;
      }
      case ExtensionType.extendedMasterSecret:
        out.extendedMasterSecret = true;
        break;
      case ExtensionType.renegotiationInfo:
        out.renegotiationInfo = data.vector8();
        break;
      default:
        unknown.push(type);
        continue; // not interpreted: its body is not checked
    }
    data.end_();
  }
  if (unknown.length > 0) out.unknown = unknown;
  return out;
}

/** A list of u16 values filling `r` exactly. */
export function u16List(r: Reader): number[] {
  if (r.remaining % 2 !== 0) r.fail("odd length of a list of 16-bit values");
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u16());
  return out;
}

/** Encodes the extensions block (with its length); nothing at all when `e` is empty. */
export function encodeExtensions(w: Writer, e: HelloExtensions): void {
  const entries: [number, (x: Writer) => void][] = [];
  if (e.renegotiationInfo !== undefined) {
    const info = e.renegotiationInfo;
    entries.push([ExtensionType.renegotiationInfo, (x) => x.vector(1, (y) => y.bytes(info))]);
  }
  if (e.extendedMasterSecret === true) entries.push([ExtensionType.extendedMasterSecret, () => {}]);
  if (e.supportedGroups !== undefined) {
    const groups = e.supportedGroups;
    entries.push([
      ExtensionType.supportedGroups,
      (x) => x.vector(2, (y) => groups.forEach((g) => y.u16(g))),
    ]);
  }
  if (e.ecPointFormats !== undefined) {
    const formats = e.ecPointFormats;
    entries.push([
      ExtensionType.ecPointFormats,
      (x) => x.vector(1, (y) => formats.forEach((f) => y.u8(f))),
    ]);
  }
  if (e.signatureAlgorithms !== undefined) {
    const algs = e.signatureAlgorithms;
    entries.push([
      ExtensionType.signatureAlgorithms,
      (x) => x.vector(2, (y) => algs.forEach((a) => y.u16(a))),
    ]);
  }
  if (e.useSrtp !== undefined) {
    const srtp = e.useSrtp;
    entries.push([
      ExtensionType.useSrtp,
      (x) =>
        x
          .vector(2, (y) => srtp.profiles.forEach((p) => y.u16(p)))
          .vector(1, (y) => y.bytes(srtp.mki)),
    ]);
  }
  if (entries.length === 0) return;
  w.vector(2, (list) => {
    for (const [type, fill] of entries) list.u16(type).vector(2, fill);
  });
}
