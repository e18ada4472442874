/** The agent's numeric settings: the defaults of `AgentOptions`, checked once. */
import type { AgentOptions } from "./types.js";

/** The defaults of {@link AgentOptions}, documented there. */
const defaults = {
  components: 1,
  taMs: 20,
  minRtoMs: 500,
  maxRtoMs: 3000,
  maxCheckTransmissions: 7,
  stunServerTimeoutMs: 3000,
  nominationSettleMs: 100,
  maxRemoteCandidates: 100,
  maxPairs: 100,
  consentIntervalMs: 5000,
  disconnectedTimeoutMs: 10_000,
  consentTimeoutMs: 30_000,
  failureGraceMs: 1000,
  noEndOfCandidatesTimeoutMs: 10_000,
  turnServerTimeoutMs: 5000,
  errorRepliesPerSourcePerSecond: 5,
  errorRepliesPerSecond: 50,
  maxErrorReplySources: 1000,
} as const;

/** Every numeric setting of an agent, defaults applied. */
export type AgentSettings = { readonly [K in keyof typeof defaults]: number };

/**
 * The settings of `options` with the defaults filled in.
 * @throws {RangeError} for a setting that is not a finite number ≥ 0, or a component count
 * outside 1..256 (RFC 8445 §5.1.2.1: the component id fits in 8 bits).
 */
export function agentSettings(options: AgentOptions): AgentSettings {
  const settings: { -readonly [K in keyof AgentSettings]: number } = { ...defaults };
  for (const name of Object.keys(defaults) as (keyof AgentSettings)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!(Number.isFinite(value) && value >= 0))
      throw new RangeError(`${name} must be a finite number ≥ 0`);
    settings[name] = value;
  }
  const { components } = settings;
  if (!Number.isInteger(components) || components < 1 || components > 256)
    throw new RangeError("components must be an integer in 1..256");
  return settings;
}
