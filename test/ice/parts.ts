/**
 * Shared pieces of the agent's unit tests: an agent's parts assembled exactly as `IceAgent`
 * assembles them (seeded), with helpers to drain their outboxes and to stand up pairs, so each
 * part can be tested through its own methods.
 */
import type { TransportAddress } from "../../src/common/address.js";
import { seededRng } from "../../src/common/rng.js";
import { assembleAgent, type AgentParts } from "../../src/ice/assembly.js";
import type { CandidatePair } from "../../src/ice/pair.js";
import type { AgentEvent, AgentOptions, Transmit } from "../../src/ice/types.js";
import { encodeCheckRequest } from "../../src/ice/messages.js";
import { decodeStunMessage, type DecodedStunMessage } from "../../src/stun/index.js";
import { HOST, PEER, remoteHost } from "./fixtures.js";

export * from "./fixtures.js";

export interface TestParts extends AgentParts {
  /** Every event so far (drains the outbox). */
  takeEvents(): AgentEvent[];
  /** Every transmit so far (drains the outbox). */
  takeTransmits(): Transmit[];
}

/** The parts of an agent with `options` (role controlling, seed 1 unless given). */
export function testParts(options: Partial<AgentOptions> = {}, seed = 1): TestParts {
  const parts = assembleAgent({ role: "controlling", rng: seededRng(seed), ...options });
  return {
    ...parts,
    takeEvents: () => {
      const out: AgentEvent[] = [];
      for (let e; (e = parts.events.shift());) out.push(e);
      return out;
    },
    takeTransmits: () => {
      const out: Transmit[] = [];
      for (let t; (t = parts.transmits.shift());) out.push(t);
      return out;
    },
  };
}

/**
 * A host socket on HOST and the peer's host candidates on `remotes`, in decreasing priority:
 * their pairs, formed, best first.
 */
export function withPairs(
  parts: AgentParts,
  remotes: readonly TransportAddress[] = [PEER],
): CandidatePair[] {
  parts.registry.addHost(1, HOST);
  parts.registry.announceSockets();
  remotes.forEach((remote, i) =>
    parts.registry.addRemote(remoteHost(remote, 1, 2_130_706_431 - 256 * i)),
  );
  return [...parts.checklist.pairs];
}

/** Makes `pair` valid as a success on it would (what `ResponseHandler` does). */
export function succeed(parts: AgentParts, pair: CandidatePair): void {
  pair.state = "succeeded";
  pair.validLocal = pair.local;
  parts.dataPlane.validate(pair);
}

/** A connectivity check from the peer, signed for us (RFC 8445 §7.2.2), in the other role by default. */
export function checkFromPeer(
  parts: AgentParts,
  options: {
    useCandidate?: boolean;
    role?: "controlling" | "controlled";
    tieBreaker?: bigint;
  } = {},
): DecodedStunMessage {
  const { ufrag } = parts.identity.localCredentials;
  return decodeStunMessage(
    encodeCheckRequest({
      transactionId: new Uint8Array(12).fill(9),
      username: `${ufrag}:peer`,
      priority: 1_862_270_975,
      role: options.role ?? (parts.identity.role === "controlling" ? "controlled" : "controlling"),
      tieBreaker: options.tieBreaker ?? 1n,
      useCandidate: options.useCandidate ?? false,
      key: parts.identity.localKey,
    }),
  );
}
