/**
 * IP and transport addresses as plain data. Parsing and formatting live here (not in
 * `node:net`) because the sans-IO core needs them too. IPv6 text follows RFC 5952 (lower case,
 * longest zero run compressed, IPv4-mapped addresses in dotted form), so a formatted address is
 * canonical and compares with `===`.
 */

/** Address family of an IP address. */
export type AddressFamily = "IPv4" | "IPv6";

/** An IP address and a port, e.g. a candidate's or a STUN server's. */
export interface TransportAddress {
  readonly family: AddressFamily;
  /** Canonical text form (see {@link formatIp}). */
  readonly address: string;
  /** 0–65535. */
  readonly port: number;
}

/** Parses dotted-quad IPv4 text into 4 bytes, or returns undefined. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2 forms, including `::` and a trailing dotted IPv4) into 16
 * bytes, or returns undefined. Zone ids (`%eth0`) are rejected: they have no meaning off-link.
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45 || text.includes("%")) return undefined;
  let body = text;
  let embeddedV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    // RFC 4291 §2.2 form 3: the last 32 bits as a dotted quad; stand two groups in for it.
    embeddedV4 = parseIPv4(text.slice(lastColon + 1));
    if (embeddedV4 === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const out = new Uint8Array(16);
  const put = (groups: string[], start: number): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      const value = parseInt(group, 16);
      out[start + i * 2] = value >> 8;
      out[start + i * 2 + 1] = value & 255;
    }
    return true;
  };
  if (!put(head, 0) || !put(tail, 16 - tail.length * 2)) return undefined;
  if (embeddedV4) out.set(embeddedV4, 12);
  return out;
}

/** Parses IPv4 or IPv6 text into 4 or 16 bytes, or returns undefined. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIPv6(text) : parseIPv4(text);
}

/** The family of IP text, or undefined when it is not an IP address. */
export function ipFamily(text: string): AddressFamily | undefined {
  if (text.includes(":")) return parseIPv6(text) ? "IPv6" : undefined;
  return parseIPv4(text) ? "IPv4" : undefined;
}

/**
 * Formats 4 or 16 address bytes as canonical text (RFC 5952 for IPv6).
 * @throws {RangeError} for any other length.
 */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16)
    throw new RangeError(`formatIp: expected 4 or 16 bytes, got ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  // RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}

/** Canonical form of IP text, or undefined when it is not an IP address. */
export function canonicalIp(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes ? formatIp(bytes) : undefined;
}

/** `1.2.3.4:5` or `[::1]:5`. */
export function formatTransportAddress(address: TransportAddress): string {
  return address.family === "IPv6"
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/**
 * Splits `host:port` or `[IPv6]:port` (an unbracketed IPv6 address works too: the port is what
 * follows the last colon). Returns undefined when there is no port or it is not 1–65535.
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1]!, port } : undefined;
}
