/**
 * Which local addresses the driver gathers host candidates on. Defaults (docs/ice.md):
 * every non-loopback, non-link-local address; tests pass an explicit allow list (loopback or
 * namespace addresses) so they never touch the machine's real interfaces.
 */
import { networkInterfaces } from "node:os";
import { canonicalIp, ipFamily, type AddressFamily } from "../common/address.js";

/** Address selection options. */
export interface AddressSelection {
  /** Use exactly these IP addresses (no interface enumeration). */
  readonly addresses?: readonly string[];
  /** Only interfaces with these names (e.g. `["eth0"]`). */
  readonly interfaceAllow?: readonly string[];
  /** Never these interfaces (e.g. `["docker0"]`). */
  readonly interfaceDeny?: readonly string[];
  /** Gather IPv6 addresses. @default true */
  readonly ipv6?: boolean;
  /** Include loopback addresses when enumerating. @default false */
  readonly loopback?: boolean;
  /** Include link-local addresses (169.254/16, fe80::/10) when enumerating. @default false */
  readonly linkLocal?: boolean;
}

/** A local address to bind. */
export interface LocalAddress {
  readonly family: AddressFamily;
  readonly address: string;
}

function isLinkLocal(address: string): boolean {
  return address.startsWith("169.254.") || /^fe[89ab][0-9a-f]:/i.test(address);
}

/**
 * The addresses to bind, in a stable order (IPv6 before IPv4 as RFC 8421 prefers).
 * @throws {TypeError} when an explicit address is not an IP literal.
 */
export function selectAddresses(options: AddressSelection = {}): LocalAddress[] {
  const ipv6 = options.ipv6 ?? true;
  if (options.addresses !== undefined) {
    return options.addresses
      .map((text) => {
        const family = ipFamily(text);
        if (family === undefined) throw new TypeError(`not an IP address: ${text}`);
        return { family, address: canonicalIp(text)! };
      })
      .filter((a) => ipv6 || a.family === "IPv4");
  }
  const found: LocalAddress[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    if (options.interfaceAllow !== undefined && !options.interfaceAllow.includes(name)) continue;
    if (options.interfaceDeny?.includes(name) === true) continue;
    for (const info of infos ?? []) {
      const family: AddressFamily = info.family === "IPv6" ? "IPv6" : "IPv4";
      if (family === "IPv6" && !ipv6) continue;
      if (info.internal && options.loopback !== true) continue;
      if (isLinkLocal(info.address) && options.linkLocal !== true) continue;
      if (info.address.includes("%")) continue;
      const address = canonicalIp(info.address);
      if (address !== undefined && !found.some((f) => f.address === address))
        found.push({ family, address });
    }
  }
  return found.sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv6" ? -1 : 1));
}
