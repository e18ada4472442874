/**
 * Connectivity checks from the peer (RFC 8445 §7.3): each is answered at once (the decision is
 * `answerCheck`'s), and an accepted one teaches us a peer-reflexive candidate, triggers a check
 * on its pair and may nominate it (§7.3.1.3–7.3.1.5). Checks that arrive before the peer's
 * credentials (trickle) wait for them, up to `maxRemoteCandidates`. Error replies to requests
 * we cannot accept are rate-limited (`ReplyLimiter`): strangers must not make us a reflector.
 */
import type { TransportAddress } from "../common/address.js";
import type { DecodedStunMessage } from "../stun/message.js";
import type { LocalCandidate } from "./candidate.js";
import { symmetric } from "./check-transactions.js";
import type { CheckList } from "./checklist.js";
import type { Components } from "./components.js";
import type { AgentCounters } from "./counters.js";
import type { Identity } from "./identity.js";
import type { Nomination } from "./nomination.js";
import type { Sender } from "./ports.js";
import type { CandidateRegistry } from "./registry.js";
import type { ReplyLimiter } from "./reply-limiter.js";
import { answerCheck, answerPreviousGeneration } from "./requests.js";
import type { ComponentStates } from "./states.js";

/** An accepted check, as it is remembered until the peer's credentials arrive. */
interface AcceptedCheck {
  readonly socket: LocalCandidate;
  readonly source: TransportAddress;
  readonly priority: number;
  readonly useCandidate: boolean;
}

/** Answers the peer's checks; owns the checks that wait for the peer's credentials. */
export class CheckResponder {
  private early: AcceptedCheck[] = [];

  constructor(
    private readonly maxEarlyChecks: number,
    private readonly identity: Identity,
    private readonly registry: CandidateRegistry,
    private readonly checklist: CheckList,
    private readonly nomination: Nomination,
    private readonly states: ComponentStates,
    private readonly sender: Sender,
    private readonly counters: AgentCounters,
    private readonly limiter: ReplyLimiter,
    private readonly components: Components,
  ) {}

  /** Checks waiting for the peer's credentials. */
  get earlyChecks(): number {
    return this.early.length;
  }

  /** A Binding request that arrived on `socket` from `source`. */
  handleRequest(
    now: number,
    socket: LocalCandidate,
    source: TransportAddress,
    message: DecodedStunMessage,
  ): void {
    const { counters, identity } = this;
    counters.values.checksReceived++;
    const old = this.answerOnPreviousPair(socket, source, message);
    if (old !== undefined) {
      this.reply(now, socket, source, old);
      return;
    }
    const decision = answerCheck(message, source, {
      ufrag: identity.localCredentials.ufrag,
      localKey: identity.localKey,
      role: identity.role,
      tieBreaker: identity.tieBreaker,
    });
    if (decision.kind === "role-conflict" || (decision.kind === "accepted" && decision.conflict))
      counters.values.roleConflicts++;
    if (decision.kind === "accepted" && decision.switchRole !== undefined)
      identity.switchRole(decision.switchRole);
    if (decision.kind === "rejected") {
      if (decision.drop !== undefined) counters.drop(decision.drop);
      // RFC 8489 §16 (reflection): unauthenticated error replies are rate-limited.
      if (this.limiter.allow(now, source)) this.reply(now, socket, source, decision.reply);
      else counters.values.errorRepliesSuppressed++;
      return;
    }
    this.reply(now, socket, source, decision.reply);
    if (decision.kind === "role-conflict") return;
    const check: AcceptedCheck = {
      socket,
      source,
      priority: decision.priority,
      useCandidate: decision.useCandidate,
    };
    if (identity.remoteKey === undefined) {
      if (this.early.length < this.maxEarlyChecks) this.early.push(check);
      return;
    }
    this.accept(now, check);
  }

  /**
   * RFC 8445 §9, RFC 7675 §5.1: the peer's consent check on an old pair that still carries
   * data after an ICE restart, with that generation's credentials, over that very pair (the
   * source and socket of the pair, RFC 8445 §7.2.5.2.1); answered, and nothing learnt from it.
   */
  private answerOnPreviousPair(
    socket: LocalCandidate,
    source: TransportAddress,
    message: DecodedStunMessage,
  ): Uint8Array | undefined {
    for (const record of this.components) {
      const { previous, previousCredentials } = record;
      if (previous === undefined || previousCredentials === undefined) continue;
      if (!symmetric(previous, socket.base, source)) continue;
      const reply = answerPreviousGeneration(message, source, previousCredentials);
      if (reply !== undefined) return reply;
    }
    return undefined;
  }

  private reply(now: number, socket: LocalCandidate, to: TransportAddress, data: Uint8Array): void {
    this.counters.values.responsesSent++;
    this.sender.send(now, socket.base, to, data);
  }

  /** The peer's credentials arrived: the checks that waited for them are taken now. */
  acceptEarly(now: number): void {
    const early = this.early;
    this.early = [];
    for (const check of early) this.accept(now, check);
  }

  /** Forgets the checks that waited (ICE restart). */
  clear(): void {
    this.early = [];
  }

  /** RFC 8445 §7.3.1.3–7.3.1.5: learn a peer-reflexive candidate, trigger a check, nominate. */
  private accept(now: number, check: AcceptedCheck): void {
    const component = check.socket.candidate.component;
    const remote =
      this.registry.findRemote(component, check.source) ??
      this.registry.learnRemote(component, check.source, check.priority);
    if (remote === undefined) return;
    const added = this.checklist.add(check.socket, remote, this.identity.role);
    if (added.kind === "cap") return;
    const pair = added.pair;
    if (check.useCandidate) pair.remoteNominated = true;
    if (pair.state === "succeeded") {
      if (check.useCandidate) this.nomination.select(now, pair);
    } else {
      this.checklist.trigger(pair, now);
    }
    this.states.set(component, "checking", true);
  }
}
