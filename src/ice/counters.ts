/** The agent's exact counters (the plain numbers of `stats()`), and the drop bookkeeping. */
import type { AgentStats } from "./types.js";

/** The counters the agent keeps itself (the rest of `AgentStats` is computed when asked). */
export type CounterStats = Omit<
  AgentStats,
  | "localCandidates"
  | "remoteCandidates"
  | "pairs"
  | "validPairs"
  | "selectedPairs"
  | "turn"
  | "stunServerRequestsSent"
>;

/** The counters, shared by the agent's parts; each part counts what it does. */
export class AgentCounters {
  readonly values: CounterStats = {
    checksSent: 0,
    checksReceived: 0,
    checkRetransmissions: 0,
    successResponsesReceived: 0,
    errorResponsesReceived: 0,
    responsesSent: 0,
    roleConflicts: 0,
    errorRepliesSuppressed: 0,
    asymmetricResponses: 0,
    consentChecksSent: 0,
    dataSent: 0,
    dataReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    dropped: {},
    ignoredRemoteCandidates: {},
  };

  /** Counts a datagram dropped for `reason`; true, for `return counters.drop(…)`. */
  drop(reason: string): true {
    const { dropped } = this.values;
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    return true;
  }

  /** Counts a remote candidate ignored for `reason`; false, for `return counters.ignore(…)`. */
  ignoreRemote(reason: string): false {
    const { ignoredRemoteCandidates } = this.values;
    ignoredRemoteCandidates[reason] = (ignoredRemoteCandidates[reason] ?? 0) + 1;
    return false;
  }

  /** A copy, safe to hand out. */
  snapshot(): CounterStats {
    return {
      ...this.values,
      dropped: { ...this.values.dropped },
      ignoredRemoteCandidates: { ...this.values.ignoredRemoteCandidates },
    };
  }
}
