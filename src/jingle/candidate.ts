/**
 * `<candidate/>` and `<remote-candidate/>` of an ICE-UDP transport (XEP-0176 §5.3, §5.7):
 * lenient parsing that skips what cannot be used, and building exactly what docs/plugin.md describes.
 */
import { JingleBuildError } from "./errors.js";
import {
  CANDIDATE_TYPES,
  type CandidateSkipReason,
  type JingleCandidate,
  type JingleCandidateType,
  type RemoteCandidate,
  type SkippedCandidate,
} from "./model.js";
import { el, type XmlElement } from "./xml.js";

const MAX_PRIORITY = 0xffffffff;

/** A decimal integer in `min..max`, or undefined (no sign, spaces, exponent or hex). */
function decimal(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^[0-9]{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/** A non-empty string, or undefined. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function isCandidateType(value: string): value is JingleCandidateType {
  return (CANDIDATE_TYPES as readonly string[]).includes(value);
}

/**
 * Reads a `<candidate/>` (XEP-0176 §5.3), leniently (docs/plugin.md): `id`, `network` and
 * `generation` may be missing (or unreadable: then they are left out too); `foundation` stays a
 * string; a missing `protocol` means udp, since the transport is ICE-UDP; `protocol` and `type`
 * are compared case-insensitively (RFC 8839 §5.1 tokens); unknown attributes are ignored.
 * `rel-addr`/`rel-port` are kept for non-host candidates when both are readable (`rel-port` may
 * be 0, as WebRTC stacks send when they hide the related address). Returns the reason instead
 * when the candidate cannot be used: a protocol other than udp, an unknown type, a component
 * outside 1–256 (RFC 8445 §5.1.1), no foundation, no ip, a port outside 1–65535, or a priority
 * outside 1..2^32−1 (RFC 8445 §5.1.2).
 */
export function parseCandidate(element: XmlElement): JingleCandidate | SkippedCandidate {
  const a = element.attrs;
  const skip = (reason: CandidateSkipReason): SkippedCandidate => ({
    candidate: { ...a },
    reason,
  });

  const protocol = a["protocol"]?.toLowerCase() ?? "udp";
  if (protocol !== "udp") return skip("unsupported-protocol");
  const type = a["type"]?.toLowerCase() ?? "";
  if (!isCandidateType(type)) return skip("bad-type");
  const component = decimal(a["component"], 1, 256);
  if (component === undefined) return skip("bad-component");
  const foundation = nonEmpty(a["foundation"]);
  if (foundation === undefined) return skip("bad-foundation");
  const ip = nonEmpty(a["ip"]);
  if (ip === undefined) return skip("bad-ip");
  const port = decimal(a["port"], 1, 0xffff);
  if (port === undefined) return skip("bad-port");
  const priority = decimal(a["priority"], 1, MAX_PRIORITY);
  if (priority === undefined) return skip("bad-priority");

  const generation = decimal(a["generation"], 0, MAX_PRIORITY);
  const id = nonEmpty(a["id"]);
  const network = decimal(a["network"], 0, MAX_PRIORITY);
  const relAddr = type === "host" ? undefined : nonEmpty(a["rel-addr"]);
  const relPort = relAddr === undefined ? undefined : decimal(a["rel-port"], 0, 0xffff);
  return {
    component,
    foundation,
    ...(generation !== undefined && { generation }),
    ...(id !== undefined && { id }),
    ip,
    ...(network !== undefined && { network }),
    port,
    priority,
    protocol: "udp",
    type,
    ...(relAddr !== undefined && relPort !== undefined && { relAddr, relPort }),
  };
}

/** True for what {@link parseCandidate} returns when it skips a candidate. */
export function isSkipped(result: JingleCandidate | SkippedCandidate): result is SkippedCandidate {
  return "reason" in result;
}

function checkCounter(candidate: JingleCandidate, field: "generation" | "network"): void {
  const value = candidate[field];
  if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > MAX_PRIORITY)) {
    throw new JingleBuildError(`candidate ${field} must be an integer in 0..2^32−1: ${value}`);
  }
}

/**
 * Writes a `<candidate/>` (XEP-0176 §5.3) with every attribute peers expect (docs/plugin.md):
 * component, foundation, generation (default 0), id (when absent or empty: derived from component,
 * foundation, ip and port, so it is stable and unique per address), ip, network (default 0),
 * port, priority, protocol `udp`, type, and for non-host types rel-addr/rel-port (`0.0.0.0` or
 * `::` and 0 when the model has none, as WebRTC stacks send for a hidden related address).
 * Throws {@link JingleBuildError} for a candidate that {@link parseCandidate} would skip.
 */
export function buildCandidate(candidate: JingleCandidate): XmlElement {
  checkCounter(candidate, "generation");
  checkCounter(candidate, "network");
  const c = candidate;
  let related: { "rel-addr": string; "rel-port": number } | undefined;
  if (c.type !== "host") {
    related =
      c.relAddr !== undefined && c.relPort !== undefined
        ? { "rel-addr": c.relAddr, "rel-port": c.relPort }
        : { "rel-addr": c.ip.includes(":") ? "::" : "0.0.0.0", "rel-port": 0 };
  }
  const element = el("candidate", {
    component: c.component,
    foundation: c.foundation,
    generation: c.generation ?? 0,
    id: c.id || `${c.component}-${c.foundation}-${c.ip}-${c.port}`,
    ip: c.ip,
    network: c.network ?? 0,
    port: c.port,
    priority: c.priority,
    protocol: "udp",
    type: c.type,
    ...related,
  });
  const checked = parseCandidate(element);
  if (isSkipped(checked)) {
    throw new JingleBuildError(`candidate would be skipped by the peer: ${checked.reason}`);
  }
  if (related !== undefined && checked.relPort === undefined) {
    throw new JingleBuildError("candidate rel-addr must be non-empty and rel-port in 0..65535");
  }
  return element;
}

/** Reads a `<remote-candidate/>` (XEP-0176 §5.7); undefined when it is unreadable. */
export function parseRemoteCandidate(element: XmlElement): RemoteCandidate | undefined {
  const component = decimal(element.attrs["component"], 1, 256);
  const ip = nonEmpty(element.attrs["ip"]);
  const port = decimal(element.attrs["port"], 1, 0xffff);
  if (component === undefined || ip === undefined || port === undefined) return undefined;
  return { component, ip, port };
}

/** Writes a `<remote-candidate/>` (XEP-0176 §5.7). */
export function buildRemoteCandidate(remote: RemoteCandidate): XmlElement {
  if (parseRemoteCandidate(el("remote-candidate", { ...remote })) === undefined) {
    throw new JingleBuildError("remote-candidate needs a component 1–256, an ip and a port");
  }
  return el("remote-candidate", { component: remote.component, ip: remote.ip, port: remote.port });
}
