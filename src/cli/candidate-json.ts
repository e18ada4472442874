/**
 * Candidates as JSON objects with XEP-0176 attribute names (component, foundation, generation,
 * id, ip, network, port, priority, protocol, type, rel-addr, rel-port): the `jingle-ice peer`
 * protocol's candidate format.
 */
import type { RemoteCandidateInput } from "../ice/candidate.js";
import type { Candidate, CandidateType } from "../ice/types.js";

/** A candidate in XEP-0176 terms. */
export interface CandidateJson {
  component: number;
  foundation: string;
  generation: number;
  id: string;
  ip: string;
  network: number;
  port: number;
  priority: number;
  protocol: string;
  type: CandidateType;
  "rel-addr"?: string;
  "rel-port"?: number;
}

let nextId = 0;

/** Our candidate as protocol JSON; `id` is unique within this process. */
export function candidateToJson(candidate: Candidate): CandidateJson {
  const json: CandidateJson = {
    component: candidate.component,
    foundation: candidate.foundation,
    generation: 0,
    id: `c${++nextId}`,
    ip: candidate.address.address,
    network: 0,
    port: candidate.address.port,
    priority: candidate.priority,
    protocol: candidate.transport,
    type: candidate.type,
  };
  if (candidate.relatedAddress !== undefined) {
    json["rel-addr"] = candidate.relatedAddress.address;
    json["rel-port"] = candidate.relatedAddress.port;
  }
  return json;
}

const types = new Set<string>(["host", "srflx", "prflx", "relay"]);

/**
 * A peer's candidate from protocol JSON, parsed leniently as docs/plugin.md describes: `id`,
 * `network`, `generation` may be missing; numbers may come as strings.
 * @throws {TypeError} naming the field that is missing or malformed.
 */
export function candidateFromJson(value: unknown): RemoteCandidateInput {
  if (typeof value !== "object" || value === null)
    throw new TypeError("candidate must be an object");
  const json = value as Record<string, unknown>;
  const number = (name: string): number => {
    const n = typeof json[name] === "string" ? Number(json[name]) : json[name];
    if (typeof n !== "number" || !Number.isFinite(n))
      throw new TypeError(`candidate.${name} must be a number`);
    return n;
  };
  const string = (name: string): string => {
    const s = json[name];
    if (typeof s === "number") return String(s);
    if (typeof s !== "string" || s.length === 0)
      throw new TypeError(`candidate.${name} must be a string`);
    return s;
  };
  const type = string("type");
  if (!types.has(type)) throw new TypeError(`candidate.type must be host, srflx, prflx or relay`);
  const input: RemoteCandidateInput = {
    foundation: string("foundation"),
    component: number("component"),
    transport: string("protocol"),
    priority: number("priority"),
    address: string("ip"),
    port: number("port"),
    type: type as CandidateType,
  };
  if (json["rel-addr"] !== undefined && json["rel-port"] !== undefined) {
    return { ...input, relatedAddress: { address: string("rel-addr"), port: number("rel-port") } };
  }
  return input;
}
