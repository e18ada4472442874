/**
 * Stream reset (RFC 6525) as data channels use it to close (RFC 8831 §6.7): we reset our
 * outgoing streams with an Outgoing SSN Reset Request once their queued data is sent; the peer
 * answers, and resets its own outgoing streams the same way. One request is outstanding at a
 * time (§5.1.1); it is retransmitted on the RTO (§5.1.1, like DATA) and retried when the peer
 * says "in progress". An incoming request is performed once every TSN up to the sender's last
 * assigned TSN has arrived (§5.2.2), and answered "in progress" until then.
 */
import type {
  OutgoingResetRequest,
  ReconfigChunk,
  ReconfigParam,
  ReconfigResponse,
} from "./chunk-types.js";
import { ReconfigResult } from "./chunk-types.js";
import { tsnAdd, tsnLte } from "./tsn.js";

/** What handling a RE-CONFIG chunk asks of the association. */
export interface ReconfigOutcome {
  /** Parameters to answer with (a RE-CONFIG chunk), if any. */
  readonly reply: ReconfigChunk | undefined;
  /** Incoming streams the peer reset: restart their sequence numbers. */
  readonly incomingReset: readonly number[];
  /** Our outgoing streams whose reset the peer performed. */
  readonly outgoingReset: readonly number[];
  /** Our request was refused (denied or error): these streams stay as they were. */
  readonly refused: readonly number[];
}

/** The reset requests we make and the ones we answer. */
export class StreamResets {
  /** Streams waiting for their queued data to drain before their reset is requested. */
  private readonly waiting = new Set<number>();
  /** The request in flight, if any. */
  private outstanding: OutgoingResetRequest | undefined;
  /** Next request sequence number (§3.1: starts at our initial TSN). */
  private nextRequestSeq: number;
  /** The peer's next expected request sequence number (its initial TSN to start with). */
  private expectedPeerSeq: number;
  /** Our answer to the peer's last request, resent when it retransmits (§5.2.1). */
  private lastResponse: ReconfigResponse | undefined;
  /** A request answered "in progress", performed as soon as its data has arrived. */
  private deferred: OutgoingResetRequest | undefined;
  /** When the outstanding request is resent, or `undefined`. */
  deadline: number | undefined;

  constructor(localInitialTsn: number, peerInitialTsn: number) {
    this.nextRequestSeq = localInitialTsn;
    this.expectedPeerSeq = peerInitialTsn;
  }

  /** Asks for `streamId`'s outgoing reset once its data has drained. */
  request(streamId: number): void {
    this.waiting.add(streamId);
  }

  /** True while a stream waits or a request is unanswered. */
  get busy(): boolean {
    return this.waiting.size > 0 || this.outstanding !== undefined;
  }

  /**
   * The request to send now, if one can go: no other is outstanding and some waiting streams
   * have nothing left to send (`drained`). `lastTsn` is our last assigned TSN.
   */
  nextRequest(
    now: number,
    rto: number,
    lastTsn: number,
    drained: (id: number) => boolean,
  ): ReconfigChunk | undefined {
    if (this.outstanding !== undefined || this.waiting.size === 0) return undefined;
    const streamIds = [...this.waiting].filter(drained);
    if (streamIds.length === 0) return undefined;
    for (const id of streamIds) this.waiting.delete(id);
    this.outstanding = {
      kind: "outgoing-reset",
      requestSeq: this.nextRequestSeq,
      responseSeq: tsnAdd(this.expectedPeerSeq, -1),
      lastTsn,
      streamIds,
    };
    this.nextRequestSeq = tsnAdd(this.nextRequestSeq, 1);
    this.deadline = now + rto;
    return { type: 130, params: [this.outstanding] };
  }

  /** The reconfiguration timer fired: the outstanding request again. */
  onTimeout(now: number, rto: number): ReconfigChunk | undefined {
    if (this.outstanding === undefined) {
      this.deadline = undefined;
      return undefined;
    }
    this.deadline = now + rto;
    return { type: 130, params: [this.outstanding] };
  }

  /** Handles a RE-CONFIG chunk; `cumulativeTsn` is the receive side's cumulative TSN. */
  handle(now: number, rto: number, chunk: ReconfigChunk, cumulativeTsn: number): ReconfigOutcome {
    const replies: ReconfigParam[] = [];
    const incomingReset: number[] = [];
    const outgoingReset: number[] = [];
    const refused: number[] = [];
    for (const param of chunk.params) {
      if (param.kind === "outgoing-reset") {
        const response = this.answer(param, cumulativeTsn, incomingReset);
        replies.push(response);
      } else if (param.kind === "incoming-reset") {
        // §5.2.3: we do not reset on the peer's behalf; data channels never ask for it.
        replies.push({
          kind: "response",
          responseSeq: param.requestSeq,
          result: ReconfigResult.DENIED,
        });
      } else if (param.kind === "response") {
        const request = this.outstanding;
        if (request === undefined || param.responseSeq !== request.requestSeq) continue;
        if (param.result === ReconfigResult.IN_PROGRESS) {
          this.deadline = now + rto;
          continue;
        }
        this.outstanding = undefined;
        this.deadline = undefined;
        if (
          param.result === ReconfigResult.SUCCESS_PERFORMED ||
          param.result === ReconfigResult.SUCCESS_NOTHING_TO_DO
        ) {
          outgoingReset.push(...request.streamIds);
        } else {
          refused.push(...request.streamIds);
        }
      }
    }
    const reply: ReconfigChunk | undefined =
      replies.length > 0 ? { type: 130, params: replies.slice(0, 2) } : undefined;
    return { reply, incomingReset, outgoingReset, refused };
  }

  private answer(
    request: OutgoingResetRequest,
    cumulativeTsn: number,
    performed: number[],
  ): ReconfigResponse {
    const seq = request.requestSeq;
    // §5.2.1: a retransmission of the request we answered last gets the same answer.
    if (this.lastResponse !== undefined && seq === tsnAdd(this.expectedPeerSeq, -1)) {
      return this.lastResponse;
    }
    if (seq !== this.expectedPeerSeq) {
      return {
        kind: "response",
        responseSeq: seq,
        result: ReconfigResult.ERROR_BAD_SEQUENCE_NUMBER,
      };
    }
    // §5.2.2: wait until every TSN up to the sender's last assigned TSN has arrived.
    if (!tsnLte(request.lastTsn, cumulativeTsn)) {
      this.deferred = request;
      return { kind: "response", responseSeq: seq, result: ReconfigResult.IN_PROGRESS };
    }
    return this.perform(request, performed);
  }

  private perform(request: OutgoingResetRequest, performed: number[]): ReconfigResponse {
    this.deferred = undefined;
    performed.push(...request.streamIds);
    this.expectedPeerSeq = tsnAdd(request.requestSeq, 1);
    this.lastResponse = {
      kind: "response",
      responseSeq: request.requestSeq,
      result: ReconfigResult.SUCCESS_PERFORMED,
    };
    return this.lastResponse;
  }

  /**
   * Performs a deferred request once the cumulative TSN reached its last assigned TSN; returns
   * the streams reset (the peer learns it when it retransmits its request).
   */
  checkDeferred(cumulativeTsn: number): number[] {
    const request = this.deferred;
    if (request === undefined || !tsnLte(request.lastTsn, cumulativeTsn)) return [];
    const performed: number[] = [];
    this.perform(request, performed);
    return performed;
  }
}
