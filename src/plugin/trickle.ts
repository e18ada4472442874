/**
 * Our side of one session's ICE-UDP signalling: the ICE connection's gathering events go into the
 * session's {@link JingleOutbox}, which alone decides when a stanza may leave (XEP-0166 §6,
 * XEP-0176 §5, XEP-0371); this class only sends what it releases and reports the answers back.
 * Candidates trickled in one drain go in one transport-info.
 */
import type { IceUdpTransport } from "../jingle/model.js";
import { JingleOutbox, type OutboxRole, type OutgoingTransport } from "../jingle/outbox.js";
import type { IceConnection } from "../node/ice-connection.js";
import { toJingleCandidate } from "./candidates.js";

/** How the trickle sends a transport and learns of the answer. */
export type SendTransport = (transport: IceUdpTransport) => Promise<void>;

export class Trickle {
  private readonly outbox: JingleOutbox;
  private scheduled = false;
  private stopped = false;

  constructor(
    role: OutboxRole,
    connection: IceConnection,
    private readonly sendTransportInfo: SendTransport,
    /** Called when a transport-info fails (the session goes on: one lost stanza). */
    private readonly onFailure: (error: unknown) => void,
    /**
     * Repeat the opening stanza's candidates in a transport-info once it is acknowledged:
     * Conversations reads candidates from transport-info only (docs/field-notes.md).
     */
    private readonly repeatOpeningCandidates = false,
  ) {
    this.outbox = new JingleOutbox(role, connection.localCredentials);
    connection.on("local-candidate", (candidate) => {
      this.outbox.addCandidate(toJingleCandidate(candidate));
      this.schedule();
    });
    connection.on("gathering-complete", () => {
      this.outbox.endOfCandidates();
      this.schedule();
    });
    connection.on("local-credentials", () => {
      this.outbox.restart(connection.localCredentials);
      this.schedule();
    });
  }

  /**
   * Sends the session-initiate or session-accept through `send` with everything gathered so far
   * (and what `decorate` adds, such as a DTLS fingerprint). Resolves when the peer acknowledged it; rejects with the IQ's error.
   */
  async open(
    send: SendTransport,
    decorate: (transport: IceUdpTransport) => IceUdpTransport = (t) => t,
  ): Promise<void> {
    const opening = this.outbox.opening();
    const answered = send(decorate(transportOf(opening)));
    this.outbox.sent(opening.id);
    this.schedule();
    try {
      await answered;
      // Before anything else the outbox releases, so no end-of-candidates precedes them.
      if (this.repeatOpeningCandidates && opening.candidates.length > 0 && !this.stopped)
        await this.sendTransportInfo(transportOf({ ...opening, gatheringComplete: false })).catch(
          (error: unknown) => {
            if (!this.stopped) this.onFailure(error);
          },
        );
    } finally {
      this.outbox.settled(opening.id);
      this.schedule();
    }
  }

  /** No more stanzas (the session ended). */
  stop(): void {
    this.stopped = true;
  }

  /** Flushes once the current drain of ICE events is over, so that one drain is one stanza. */
  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    for (let next = this.outbox.poll(); next !== undefined && !this.stopped;) {
      const { id } = next;
      this.sendTransportInfo(transportOf(next))
        .catch((error: unknown) => {
          if (!this.stopped) this.onFailure(error);
        })
        .finally(() => {
          this.outbox.settled(id);
          this.schedule();
        });
      this.outbox.sent(id);
      next = this.outbox.poll();
    }
  }
}

function transportOf(outgoing: OutgoingTransport): IceUdpTransport {
  return {
    kind: "ice-udp",
    ufrag: outgoing.ufrag,
    pwd: outgoing.pwd,
    candidates: outgoing.candidates,
    gatheringComplete: outgoing.gatheringComplete,
    skipped: [],
  };
}
