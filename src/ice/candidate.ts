/**
 * Local candidates (with their base), foundations, and the checks a remote candidate must pass
 * before it is used (RFC 8445 §5.1, §5.2; docs/ice.md).
 */
import { canonicalIp, ipFamily, parseIp, type TransportAddress } from "../common/address.js";
import type { Candidate, CandidateType } from "./types.js";

/** A candidate of ours, with the base (the socket address) it is sent from (RFC 8445 §5.1.1). */
export interface LocalCandidate {
  readonly candidate: Candidate;
  /** The host address of the socket: checks and data for this candidate leave from here. */
  readonly base: TransportAddress;
}

/** `1.2.3.4:5` / `[::1]:5`-style key for an address, for maps. */
export function addressKey(address: TransportAddress): string {
  return `${address.address}|${address.port}`;
}

/** True when both are the same IP and port. */
export function sameAddress(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && a.address === b.address;
}

/**
 * Hands out foundations (RFC 8445 §5.1.1.3): one per (type, base IP, server), so candidates that
 * would fail or succeed together share one. They are short decimal strings.
 */
export class FoundationRegistry {
  private readonly byKey = new Map<string, string>();

  /** The foundation for a candidate of `type` on `baseIp`, learnt through `server` if any. */
  foundationFor(type: CandidateType, baseIp: string, server?: TransportAddress): string {
    const key = `${type}|${baseIp}|${server ? addressKey(server) : ""}|udp`;
    let foundation = this.byKey.get(key);
    if (foundation === undefined) {
      foundation = String(this.byKey.size + 1);
      this.byKey.set(key, foundation);
    }
    return foundation;
  }
}

/**
 * A UDP candidate (the only transport we use): the one place candidates are built, so each has
 * exactly these fields and `relatedAddress` only when there is one.
 */
export function udpCandidate(
  type: CandidateType,
  component: number,
  foundation: string,
  priority: number,
  address: TransportAddress,
  relatedAddress?: TransportAddress,
): Candidate {
  const candidate: Candidate = { foundation, component, transport: "udp", priority, address, type };
  return relatedAddress === undefined ? candidate : { ...candidate, relatedAddress };
}

/** Why a remote candidate was not used (counted in `stats().ignoredRemoteCandidates`). */
export type RemoteCandidateRejection =
  | "not-udp"
  | "hostname"
  | "zone-id"
  | "bad-port"
  | "bad-priority"
  | "bad-component"
  | AddressScopeRejection;

/** Addresses no check may ever be sent to (a reflection or amplification vector). */
export type AddressScopeRejection = "unspecified" | "broadcast" | "multicast";

/**
 * Why no check may be sent to `ip` (canonical IP text), or undefined when it may: the
 * unspecified address (0.0.0.0, ::), the IPv4 limited broadcast (255.255.255.255) and multicast
 * (224.0.0.0/4, ff00::/8), IPv4-mapped IPv6 forms included (RFC 8445 §5.1.1.1 never gathers
 * them, so a peer has no business signalling them; docs/security.md).
 */
export function addressScopeRejection(ip: string): AddressScopeRejection | undefined {
  let bytes = parseIp(ip);
  if (bytes === undefined) return undefined;
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0)) {
    if (bytes[10] === 0xff && bytes[11] === 0xff) bytes = bytes.subarray(12);
  }
  if (bytes.every((b) => b === 0)) return "unspecified";
  if (bytes.length === 4) {
    if (bytes.every((b) => b === 0xff)) return "broadcast";
    if ((bytes[0]! & 0xf0) === 0xe0) return "multicast";
    return undefined;
  }
  return bytes[0] === 0xff ? "multicast" : undefined;
}

/** The fields a signalling layer hands in; checked by {@link checkRemoteCandidate}. */
export interface RemoteCandidateInput {
  readonly foundation: string;
  readonly component: number;
  readonly transport: string;
  readonly priority: number;
  readonly address: string;
  readonly port: number;
  readonly type: CandidateType;
  readonly relatedAddress?: { readonly address: string; readonly port: number };
}

/**
 * Checks and normalises a signalled candidate: UDP only, an IP literal (hostnames and mDNS
 * `.local` names cannot be resolved in the core), no IPv6 zone id, an address checks may go to
 * (not unspecified, broadcast or multicast: {@link addressScopeRejection}), port 1–65535,
 * priority 1..2^32−1, component 1..`components`. Returns the candidate or why it was refused.
 */
export function checkRemoteCandidate(
  input: RemoteCandidateInput,
  components: number,
): Candidate | RemoteCandidateRejection {
  if (input.transport.toLowerCase() !== "udp") return "not-udp";
  if (input.address.includes("%")) return "zone-id";
  const family = ipFamily(input.address);
  if (family === undefined) return "hostname";
  const scope = addressScopeRejection(input.address);
  if (scope !== undefined) return scope;
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 0xffff) return "bad-port";
  if (!Number.isInteger(input.priority) || input.priority < 1 || input.priority > 0xffffffff) {
    return "bad-priority";
  }
  if (!Number.isInteger(input.component) || input.component < 1 || input.component > components) {
    return "bad-component";
  }
  const address: TransportAddress = {
    family,
    address: canonicalIp(input.address)!,
    port: input.port,
  };
  const related = input.relatedAddress;
  const relatedFamily = related ? ipFamily(related.address) : undefined;
  return udpCandidate(
    input.type,
    input.component,
    input.foundation,
    input.priority,
    address,
    related && relatedFamily
      ? { family: relatedFamily, address: canonicalIp(related.address)!, port: related.port }
      : undefined,
  );
}

/** A candidate as `addRemoteCandidate` takes it (e.g. one agent's candidate for another). */
export function toRemoteCandidateInput(candidate: Candidate): RemoteCandidateInput {
  const { address, relatedAddress } = candidate;
  const input: RemoteCandidateInput = {
    foundation: candidate.foundation,
    component: candidate.component,
    transport: candidate.transport,
    priority: candidate.priority,
    address: address.address,
    port: address.port,
    type: candidate.type,
  };
  return relatedAddress === undefined
    ? input
    : { ...input, relatedAddress: { address: relatedAddress.address, port: relatedAddress.port } };
}
