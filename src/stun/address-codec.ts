import { formatIp, parseIp, type AddressFamily, type TransportAddress } from "../common/address.js";
import { copyBytes } from "../common/bytes.js";
import { MAGIC_COOKIE } from "./constants.js";
import { StunDecodeError, StunEncodeError } from "./errors.js";

const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

/** Family byte on the wire (RFC 8489 §14.1) for an address family. */
export function familyCode(family: AddressFamily): number {
  return family === "IPv4" ? FAMILY_IPV4 : FAMILY_IPV6;
}

/** Address family for a family byte, or undefined for an unknown one. */
export function familyFromCode(code: number): AddressFamily | undefined {
  return code === FAMILY_IPV4 ? "IPv4" : code === FAMILY_IPV6 ? "IPv6" : undefined;
}

/**
 * Reads a (XOR-)MAPPED-ADDRESS-style value (RFC 8489 §14.1, §14.2). With `transactionId`, the
 * port and address are XORed with the magic cookie (and, for IPv6, the transaction id).
 */
export function readAddress(
  bytes: Uint8Array,
  offset: number,
  length: number,
  where: string,
  transactionId?: Uint8Array,
): TransportAddress {
  if (length !== 8 && length !== 20) {
    throw new StunDecodeError(where, offset, `length ${length}, expected 8 (IPv4) or 20 (IPv6)`);
  }
  const family = familyFromCode(bytes[offset + 1]!);
  if (family === undefined) {
    throw new StunDecodeError(
      where,
      offset,
      `unknown address family 0x${bytes[offset + 1]!.toString(16)}`,
    );
  }
  if ((family === "IPv4") !== (length === 8)) {
    throw new StunDecodeError(where, offset, `length ${length} does not match family ${family}`);
  }
  let port = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
  const ip = copyBytes(bytes, offset + 4, offset + length);
  if (transactionId !== undefined) {
    port ^= MAGIC_COOKIE >>> 16;
    xorWithKey(ip, transactionId);
  }
  return { family, address: formatIp(ip), port };
}

/**
 * Writes a (XOR-)MAPPED-ADDRESS-style value at `offset`.
 * @returns the value length (8 or 20).
 */
export function writeAddress(
  value: TransportAddress,
  out: Uint8Array,
  offset: number,
  where: string,
  transactionId?: Uint8Array,
): number {
  const ip = parseIp(value.address);
  if (ip === undefined) throw new StunEncodeError(where, `not an IP address: ${value.address}`);
  const family: AddressFamily = ip.length === 4 ? "IPv4" : "IPv6";
  if (family !== value.family) {
    throw new StunEncodeError(where, `address ${value.address} is not ${value.family}`);
  }
  if (!Number.isInteger(value.port) || value.port < 0 || value.port > 0xffff) {
    throw new StunEncodeError(where, `port ${value.port} out of range`);
  }
  let port = value.port;
  if (transactionId !== undefined) {
    port ^= MAGIC_COOKIE >>> 16;
    xorWithKey(ip, transactionId);
  }
  out[offset] = 0;
  out[offset + 1] = familyCode(family);
  out[offset + 2] = port >>> 8;
  out[offset + 3] = port;
  out.set(ip, offset + 4);
  return 4 + ip.length;
}

/** XORs `ip` in place with the magic cookie followed by the transaction id (RFC 8489 §14.2). */
function xorWithKey(ip: Uint8Array, transactionId: Uint8Array): void {
  for (let i = 0; i < ip.length; i++) {
    const key = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff : transactionId[i - 4]!;
    ip[i] = ip[i]! ^ key;
  }
}
