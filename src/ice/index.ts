/**
 * The sans-IO ICE agent (RFC 8445).
 * @module
 */
export * from "./agent.js";
export {
  checkRemoteCandidate,
  toRemoteCandidateInput,
  type LocalCandidate,
  type RemoteCandidateInput,
} from "./candidate.js";
export * from "./credentials.js";
export * from "./errors.js";
export * from "./priority.js";
export * from "./states.js";
export * from "./types.js";
export * from "./warm-up.js";
