/**
 * The peer's side of one session's ICE-UDP transport: its credentials, candidates and
 * end-of-candidates go to our ICE connection; what arrives before that connection exists (a
 * transport-info that overtakes our accept, or comes with the session-initiate) is buffered,
 * within limits, and applied when it does.
 */
import type { IceUdpTransport } from "../jingle/model.js";
import type { IceConnection } from "../node/ice-connection.js";
import { fromJingleCandidate } from "./candidates.js";

/** The most candidates buffered from transport-info that arrives before our ICE agent exists. */
export const MAX_EARLY_CANDIDATES = 100;
/** The most transport elements buffered before our ICE agent exists (each may restart ICE). */
export const MAX_EARLY_TRANSPORTS = 16;

export class RemoteTransport {
  private connection: IceConnection | undefined;
  private readonly early: IceUdpTransport[] = [];
  private earlyCandidates = 0;

  /** Candidates buffered so far (capped at {@link MAX_EARLY_CANDIDATES}). */
  get bufferedCandidates(): number {
    return this.earlyCandidates;
  }

  /** Our ICE connection exists: what was buffered is applied now, the rest as it comes. */
  attach(connection: IceConnection): void {
    this.connection = connection;
    for (const transport of this.early.splice(0)) this.apply(transport);
  }

  /** A transport from the peer (session-initiate, session-accept or transport-info). */
  take(transport: IceUdpTransport): void {
    if (this.connection !== undefined) {
      this.apply(transport);
      return;
    }
    if (this.early.length >= MAX_EARLY_TRANSPORTS) return;
    const room = MAX_EARLY_CANDIDATES - this.earlyCandidates;
    const candidates = transport.candidates.slice(0, Math.max(0, room));
    this.earlyCandidates += candidates.length;
    this.early.push({ ...transport, candidates });
  }

  private apply(transport: IceUdpTransport): void {
    const connection = this.connection!;
    if (transport.ufrag !== undefined && transport.pwd !== undefined) {
      // New credentials on a known content mean an ICE restart (XEP-0176 §7); the agent
      // answers it with a restart of its own, whose credentials we then trickle.
      connection.setRemoteCredentials(transport.ufrag, transport.pwd);
    }
    for (const candidate of transport.candidates)
      connection.addRemoteCandidate(fromJingleCandidate(candidate));
    if (transport.gatheringComplete) connection.endOfRemoteCandidates();
  }
}
