/**
 * Server-reflexive gathering (RFC 8445 §5.1.1.2): a Binding request from every host socket to
 * every STUN server of its family, all in parallel, each bounded by its own deadline so that a
 * dead server never delays the others or end-of-candidates. A sans-IO machine of its own
 * (`src/common/sans-io.ts`): its transmits are datagrams, its events what each query produced.
 */
import { toHex } from "../common/bytes.js";
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { earliest, Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { getAttribute, type DecodedStunMessage } from "../stun/message.js";
import { StunClientTransaction } from "../stun/transaction.js";
import { createTransactionId } from "../stun/transaction-id.js";
import type { LocalCandidate } from "./candidate.js";
import { StunServerError } from "./errors.js";
import { encodeServerBinding } from "./messages.js";
import type { Transmit } from "./types.js";

/** What a query produced. */
export type ReflexiveEvent =
  | {
      readonly type: "mapped";
      readonly host: LocalCandidate;
      readonly mapped: TransportAddress;
      readonly server: TransportAddress;
    }
  | {
      readonly type: "error";
      readonly server: TransportAddress;
      readonly error: StunServerError;
    };

interface Query {
  readonly transaction: StunClientTransaction;
  readonly host: LocalCandidate;
  readonly server: TransportAddress;
  readonly deadline: number;
}

/** Queries STUN servers for server-reflexive addresses; owns the queries in flight. */
export class ReflexiveGatherer implements SansIo<Transmit, ReflexiveEvent> {
  private readonly queries = new Map<string, Query>();
  private readonly transmits = new Outbox<Transmit>();
  private readonly events = new Outbox<ReflexiveEvent>();
  /** Binding requests sent, retransmissions included. */
  requestsSent = 0;

  constructor(
    private readonly rng: Rng,
    private readonly rtoMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** Queries every server from every host socket of the same family. */
  start(now: number, hosts: readonly LocalCandidate[], servers: readonly TransportAddress[]): void {
    for (const host of hosts) {
      for (const server of servers) {
        if (server.family !== host.base.family) continue;
        const transactionId = createTransactionId(this.rng);
        const request = encodeServerBinding(transactionId);
        const transaction = new StunClientTransaction(now, transactionId, request, {
          rtoMs: this.rtoMs,
        });
        this.queries.set(toHex(transactionId), {
          transaction,
          host,
          server,
          deadline: now + this.timeoutMs,
        });
      }
    }
    this.handleTimeout(now);
  }

  /** True while some server has neither answered nor timed out. */
  get gathering(): boolean {
    return this.queries.size > 0;
  }

  /** A response to one of our queries? Then it is consumed (true). */
  handleResponse(_now: number, message: DecodedStunMessage): boolean {
    const id = toHex(message.transactionId);
    const query = this.queries.get(id);
    if (query === undefined) return false;
    this.queries.delete(id);
    query.transaction.complete();
    const mapped =
      message.class === "success"
        ? (getAttribute(message, "XOR-MAPPED-ADDRESS") ?? getAttribute(message, "MAPPED-ADDRESS"))
        : undefined;
    if (mapped !== undefined) {
      this.events.push({ type: "mapped", host: query.host, mapped, server: query.server });
    } else {
      const error = getAttribute(message, "ERROR-CODE");
      this.events.push({
        type: "error",
        server: query.server,
        error: error
          ? new StunServerError(error.code, error.reason)
          : new StunServerError(0, "no mapped address"),
      });
    }
    return true;
  }

  /** Retransmissions, and queries past their deadline (reported as errors). */
  handleTimeout(now: number): void {
    for (const [id, query] of this.queries) {
      const { transaction } = query;
      transaction.handleTimeout(now);
      if (now >= query.deadline) transaction.cancel();
      for (let bytes; (bytes = transaction.pollTransmit());) {
        this.requestsSent++;
        this.transmits.push({
          type: "datagram",
          local: query.host.base,
          remote: query.server,
          data: bytes,
        });
      }
      if (transaction.state === "timed-out" || transaction.state === "cancelled") {
        this.queries.delete(id);
        this.events.push({
          type: "error",
          server: query.server,
          error: new StunServerError(0, "timeout"),
        });
      }
    }
  }

  pollTimeout(): Deadline {
    let next: Deadline;
    for (const query of this.queries.values()) {
      next = earliest(next, query.transaction.pollTimeout(), query.deadline);
    }
    return next;
  }

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): ReflexiveEvent | undefined {
    return this.events.shift();
  }
}
