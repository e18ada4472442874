/**
 * Responses to our checks (RFC 8445 §7.2.5): a success from where the request went makes the
 * pair valid (with the local candidate the peer saw, §7.2.5.3) and may select it; a 487 makes
 * us switch role and check again (§7.2.5.1); anything else fails the pair. Responses to consent
 * checks refresh consent (RFC 7675); responses to STUN servers go to gathering.
 */
import type { LocalCandidate } from "./candidate.js";
import type { TransportAddress } from "../common/address.js";
import { getAttribute, type DecodedStunMessage } from "../stun/message.js";
import { symmetric, type CheckTransactions } from "./check-transactions.js";
import type { CheckList } from "./checklist.js";
import type { Components } from "./components.js";
import type { AgentCounters } from "./counters.js";
import type { DataPlane } from "./data-plane.js";
import type { ConsentFreshness } from "./freshness.js";
import type { Gathering } from "./gathering.js";
import type { Identity } from "./identity.js";
import type { Nomination } from "./nomination.js";
import type { CandidateRegistry } from "./registry.js";

/** Acts on the responses to our checks (it owns no state of its own). */
export class ResponseHandler {
  constructor(
    private readonly gathering: Gathering,
    private readonly transactions: CheckTransactions,
    private readonly identity: Identity,
    private readonly registry: CandidateRegistry,
    private readonly checklist: CheckList,
    private readonly components: Components,
    private readonly nomination: Nomination,
    private readonly freshness: ConsentFreshness,
    private readonly dataPlane: DataPlane,
    private readonly counters: AgentCounters,
  ) {}

  /** A success or error response that arrived on `socket` from `source`. */
  handleResponse(
    now: number,
    socket: LocalCandidate,
    source: TransportAddress,
    message: DecodedStunMessage,
  ): void {
    if (this.gathering.handleResponse(now, message)) return;
    const entry = this.transactions.match(message, socket.base, source);
    if (entry === "asymmetric") {
      // RFC 7675 §5.1: only a response from the address the consent check went to counts.
      this.counters.values.asymmetricResponses++;
      return;
    }
    if (typeof entry === "string") {
      this.counters.drop(entry);
      return;
    }
    if (message.class === "success") this.counters.values.successResponsesReceived++;
    else this.counters.values.errorResponsesReceived++;
    const { pair } = entry;
    if (entry.kind === "consent") {
      if (message.class === "success") this.freshness.granted(now, pair);
      return;
    }
    const sentRole = pair.check?.role ?? this.identity.role;
    pair.check = undefined;
    const record = this.components.of(pair);
    const wasNominating = record.nominating === pair;
    if (wasNominating) record.nominating = undefined;
    // RFC 8445 §7.2.5.2.1: the response must come from where the request went, to where it left.
    if (!symmetric(pair, socket.base, source)) {
      this.counters.values.asymmetricResponses++;
      pair.state = "failed";
      return;
    }
    if (message.class === "error") {
      if (getAttribute(message, "ERROR-CODE")?.code === 487) {
        // RFC 8445 §7.2.5.1: switch role (unless already switched) and check the pair again.
        this.counters.values.roleConflicts++;
        if (sentRole === this.identity.role)
          this.identity.switchRole(sentRole === "controlling" ? "controlled" : "controlling");
        pair.state = "waiting";
        this.checklist.trigger(pair, now);
        return;
      }
      pair.state = "failed";
      return;
    }
    const mapped = getAttribute(message, "XOR-MAPPED-ADDRESS");
    if (mapped === undefined) {
      pair.state = "failed";
      return;
    }
    pair.state = "succeeded";
    pair.validLocal = this.registry.localFor(pair, mapped);
    pair.lastSuccessAt = now;
    this.dataPlane.validate(pair);
    this.checklist.unfreezeAfterSuccess(pair);
    this.nomination.succeeded(now, pair, wasNominating);
  }
}
