/** A candidate pair and its check state (RFC 8445 §6.1.2). */
import type { StunClientTransaction } from "../stun/transaction.js";
import { addressKey, type LocalCandidate } from "./candidate.js";
import { pairPriority } from "./priority.js";
import type { Candidate, CandidatePairInfo, IceRole } from "./types.js";

/** RFC 8445 §6.1.2.6 pair states. */
export type PairState = "frozen" | "waiting" | "in-progress" | "succeeded" | "failed";

/** An outstanding connectivity check on a pair. */
export interface PairCheck {
  readonly transaction: StunClientTransaction;
  /** The request carried USE-CANDIDATE (the controlling agent nominating). */
  readonly useCandidate: boolean;
  /** Our role when the check was sent (a 487 reply is judged against it). */
  readonly role: IceRole;
}

/** The key that identifies a pair: local base, remote address and component. */
export function pairKey(local: LocalCandidate, remote: Candidate): string {
  return `${local.candidate.component}|${addressKey(local.base)}|${addressKey(remote.address)}`;
}

/** A local candidate (always a host or relayed base) paired with a remote candidate. */
export class CandidatePair {
  readonly key: string;
  readonly component: number;
  state: PairState = "frozen";
  /** Set once a check succeeded: the local candidate the peer saw (RFC 8445 §7.2.5.3.2). */
  validLocal: LocalCandidate | undefined;
  /** This pair is nominated: the controlling agent's USE-CANDIDATE check on it succeeded. */
  nominated = false;
  /** Controlled side: the peer sent USE-CANDIDATE on this pair (RFC 8445 §7.3.1.5). */
  remoteNominated = false;
  /** The check in flight, if any. */
  check: PairCheck | undefined;
  /** When the last check on this pair succeeded (for consent, RFC 7675); undefined: never. */
  lastSuccessAt: number | undefined;
  private priorityValue = 0n;

  constructor(
    readonly local: LocalCandidate,
    public remote: Candidate,
    role: IceRole,
  ) {
    this.key = pairKey(local, remote);
    this.component = local.candidate.component;
    this.updatePriority(role);
  }

  /** The 64-bit pair priority for the current role. */
  get priority(): bigint {
    return this.priorityValue;
  }

  /** Recomputes the priority after a role change or a remote candidate update. */
  updatePriority(role: IceRole): void {
    const local = this.local.candidate.priority;
    const remote = this.remote.priority;
    this.priorityValue =
      role === "controlling" ? pairPriority(local, remote) : pairPriority(remote, local);
  }

  /** RFC 8445 §6.1.2.6: pairs whose candidates share foundations succeed or fail together. */
  get foundation(): string {
    return `${this.local.candidate.foundation}:${this.remote.foundation}`;
  }

  /** True once a check succeeded (the pair is in the valid list). */
  get valid(): boolean {
    return this.validLocal !== undefined;
  }

  /**
   * Priority of the valid pair built from this one: its local candidate is the one the peer saw
   * (srflx or prflx behind a NAT), RFC 8445 §7.2.5.3.2.
   */
  validPriority(role: IceRole): bigint {
    const local = (this.validLocal ?? this.local).candidate.priority;
    const remote = this.remote.priority;
    return role === "controlling" ? pairPriority(local, remote) : pairPriority(remote, local);
  }
}

/** A pair as the application sees it: the local candidate is the one the peer saw, once valid. */
export function pairInfo(pair: CandidatePair): CandidatePairInfo {
  return {
    component: pair.component,
    local: (pair.validLocal ?? pair.local).candidate,
    remote: pair.remote,
  };
}
