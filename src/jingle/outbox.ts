/**
 * The order in which one session's ICE-UDP stanzas leave (XEP-0166 §6, XEP-0176 §5, XEP-0371
 * for end-of-candidates), enforced in this one place — never by timing:
 *
 * 1. **Opening first.** The session-initiate (initiator) or session-accept (responder) is the
 *    first stanza that carries our transport. As initiator nothing else leaves until the peer
 *    has acknowledged the session-initiate (XEP-0166 §6.3.2: until then the session does not
 *    exist for the peer). As responder nothing leaves before the session-accept has been sent
 *    (XEP-0166 §6.3.3; XMPP delivers stanzas between two entities in order, RFC 6120 §10.1).
 * 2. **Candidates after credentials.** Every stanza with candidates carries the ufrag and pwd of
 *    their generation (XEP-0176 §5.3); after an ICE restart the new credentials go out in a
 *    transport-info of their own even when no candidate is ready yet (XEP-0176 §7).
 * 3. **End-of-candidates last.** `<gathering-complete/>` (XEP-0371 §3.1) for a generation is
 *    sent only after every candidate of that generation: in the same stanza after them, or in a
 *    later one once every earlier stanza with candidates has been acknowledged — so a peer that
 *    handles stanzas out of order (or runs its handlers concurrently) still sees every
 *    candidate before the end.
 *
 * The outbox is pure: the session feeds it gathering events and IQ outcomes and sends what
 * {@link JingleOutbox.poll} returns.
 */
import type { JingleCandidate } from "./model.js";

/** Which side of the session we are. */
export type OutboxRole = "initiator" | "responder";

/** The ICE-UDP transport content of one outgoing stanza. */
export interface OutgoingTransport {
  /** Identifies the stanza in {@link JingleOutbox.sent} / {@link JingleOutbox.settled}. */
  readonly id: number;
  readonly ufrag: string;
  readonly pwd: string;
  readonly candidates: readonly JingleCandidate[];
  /** Put `<gathering-complete/>` after the candidates. */
  readonly gatheringComplete: boolean;
}

/** Counters for tests and stats. */
export interface OutboxStats {
  /** Stanzas handed out (the opening one included). */
  readonly stanzas: number;
  readonly candidates: number;
  readonly endOfCandidates: number;
  /** Candidates of an older generation dropped by a restart before they were sent. */
  readonly discarded: number;
}

/** The largest number of candidates waiting to be sent; later ones are dropped and counted. */
export const MAX_PENDING_CANDIDATES = 100;

export class JingleOutbox {
  private ufrag: string;
  private pwd: string;
  private pending: JingleCandidate[] = [];
  /** Gathering is complete for the current generation and the peer has not been told yet. */
  private endPending = false;
  /** The current generation's credentials have not been sent yet (after a restart). */
  private credentialsPending = false;
  /** The opening stanza has been handed out by {@link opening}. */
  private openingTaken = false;
  /** Stanzas other than the opening may leave (rule 1). */
  private open = false;
  private openingId = -1;
  /** Stanzas with candidates that the peer has not acknowledged yet. */
  private readonly unacknowledged = new Set<number>();
  private nextId = 0;
  private counts = { stanzas: 0, candidates: 0, endOfCandidates: 0, discarded: 0 };

  constructor(
    private readonly role: OutboxRole,
    credentials: { readonly ufrag: string; readonly pwd: string },
  ) {
    this.ufrag = credentials.ufrag;
    this.pwd = credentials.pwd;
  }

  /** A local candidate of the current generation was gathered. */
  addCandidate(candidate: JingleCandidate): void {
    if (this.pending.length >= MAX_PENDING_CANDIDATES) {
      this.counts.discarded++;
      return;
    }
    this.pending.push(candidate);
  }

  /** Gathering is complete for the current generation. */
  endOfCandidates(): void {
    this.endPending = true;
  }

  /**
   * New local credentials (an ICE restart): a new generation starts. Candidates of the old one
   * that were not sent are dropped; its end-of-candidates is no longer owed.
   */
  restart(credentials: { readonly ufrag: string; readonly pwd: string }): void {
    if (credentials.ufrag === this.ufrag && credentials.pwd === this.pwd) return;
    this.ufrag = credentials.ufrag;
    this.pwd = credentials.pwd;
    this.counts.discarded += this.pending.length;
    this.pending = [];
    this.endPending = false;
    // Before the opening stanza is taken, it will carry the new credentials anyway.
    this.credentialsPending = this.openingTaken;
  }

  /**
   * The transport for the session-initiate or session-accept: the credentials, every candidate
   * gathered so far and, when gathering is already complete, `<gathering-complete/>` after them.
   * Call once; then {@link sent} when it has been written and {@link settled} when answered.
   */
  opening(): OutgoingTransport {
    if (this.openingTaken) throw new Error("the opening transport was already taken");
    this.openingTaken = true;
    const out = this.take(true);
    this.openingId = out.id;
    return out;
  }

  /** The stanza `id` has been written to the stream. */
  sent(id: number): void {
    if (id === this.openingId && this.role === "responder") this.open = true;
  }

  /** The peer answered the stanza `id` (a result, an error or a timeout: it is no longer in flight). */
  settled(id: number): void {
    this.unacknowledged.delete(id);
    if (id === this.openingId) this.open = true;
  }

  /** The next transport-info to send, or undefined when nothing may or need leave now. */
  poll(): OutgoingTransport | undefined {
    if (!this.open) return undefined;
    if (this.pending.length > 0 || this.credentialsPending) return this.take(false);
    if (this.endPending && this.unacknowledged.size === 0) return this.take(false);
    return undefined;
  }

  stats(): OutboxStats {
    return { ...this.counts };
  }

  /** Builds a stanza from everything pending that may go now. */
  private take(opening: boolean): OutgoingTransport {
    const candidates = this.pending;
    this.pending = [];
    // Rule 3: the end may ride along when no earlier candidate stanza is still in flight.
    const gatheringComplete = this.endPending && (opening || this.unacknowledged.size === 0);
    if (gatheringComplete) this.endPending = false;
    this.credentialsPending = false;
    const id = this.nextId++;
    if (candidates.length > 0) this.unacknowledged.add(id);
    this.counts.stanzas++;
    this.counts.candidates += candidates.length;
    if (gatheringComplete) this.counts.endOfCandidates++;
    return { id, ufrag: this.ufrag, pwd: this.pwd, candidates, gatheringComplete };
  }
}
