/** Conversions between the ICE agent's candidates and XEP-0176 candidates. */
import type { RemoteCandidateInput } from "../ice/candidate.js";
import type { Candidate } from "../ice/types.js";
import type { JingleCandidate } from "../jingle/model.js";

/** Our candidate as an XEP-0176 `<candidate/>` (docs/plugin.md: strict emitting). */
export function toJingleCandidate(candidate: Candidate): JingleCandidate {
  const base: JingleCandidate = {
    component: candidate.component,
    foundation: candidate.foundation,
    generation: 0,
    ip: candidate.address.address,
    network: 0,
    port: candidate.address.port,
    priority: candidate.priority,
    protocol: "udp",
    type: candidate.type,
  };
  const related = candidate.relatedAddress;
  return related === undefined
    ? base
    : { ...base, relAddr: related.address, relPort: related.port };
}

/** A peer's XEP-0176 candidate as the agent takes it. */
export function fromJingleCandidate(candidate: JingleCandidate): RemoteCandidateInput {
  const input: RemoteCandidateInput = {
    foundation: candidate.foundation,
    component: candidate.component,
    transport: candidate.protocol,
    priority: candidate.priority,
    address: candidate.ip,
    port: candidate.port,
    type: candidate.type,
  };
  return candidate.relAddr !== undefined && candidate.relPort !== undefined
    ? { ...input, relatedAddress: { address: candidate.relAddr, port: candidate.relPort } }
    : input;
}
