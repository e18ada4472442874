/**
 * A small test client endpoint: it runs STUN Binding transactions (on
 * {@link StunClientTransaction}, with retransmissions) to learn mapped addresses, sends raw
 * datagrams on request, and records every other datagram it receives. It accepts everything.
 */
import type { TransportAddress } from "../../src/common/address.js";
import type { Rng } from "../../src/common/rng.js";
import {
  StunClientTransaction,
  StunMethod,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  isStunMessage,
  type RetransmissionOptions,
} from "../../src/stun/index.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import type { SimDatagram } from "./types.js";

/** One Binding transaction and what came of it. */
export interface BindingResult {
  readonly local: TransportAddress;
  readonly server: TransportAddress;
  readonly startedAt: number;
  /** `pending` until a response arrives or the transaction times out. */
  readonly state: "pending" | "success" | "error" | "timed-out";
  /** XOR-MAPPED-ADDRESS of a success response. */
  readonly mapped?: TransportAddress;
  /** When the response arrived or the transaction gave up. */
  readonly completedAt?: number;
}

/** A datagram the probe received that did not answer one of its transactions. */
export interface ReceivedDatagram extends SimDatagram {
  readonly at: number;
}

interface Pending {
  readonly tx: StunClientTransaction;
  readonly result: { -readonly [K in keyof BindingResult]: BindingResult[K] };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** See the module comment. Drive it through `Attachment.input()`. */
export class StunProbe implements DatagramSansIo<SimDatagram, never> {
  /** Every Binding started, in order. */
  readonly results: BindingResult[] = [];
  /** Every datagram that was not a response to one of our transactions, in arrival order. */
  readonly received: ReceivedDatagram[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly outbox: SimDatagram[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly retransmission: RetransmissionOptions = {},
  ) {}

  /** True when no Binding transaction is pending. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Starts a Binding request from `local` to `server`; the returned result fills in later. */
  binding(now: number, local: TransportAddress, server: TransportAddress): BindingResult {
    const transactionId = createTransactionId(this.rng);
    const request = encodeStunMessage(
      { class: "request", method: StunMethod.Binding, transactionId, attributes: [] },
      { fingerprint: true },
    );
    const tx = new StunClientTransaction(now, transactionId, request, this.retransmission);
    const result: Pending["result"] = { local, server, startedAt: now, state: "pending" };
    this.results.push(result);
    this.pending.set(hex(transactionId), { tx, result });
    tx.handleTimeout(now);
    this.flush();
    return result;
  }

  /** Queues a raw datagram. */
  send(local: TransportAddress, remote: TransportAddress, data: Uint8Array): void {
    this.outbox.push({ local, remote, data });
  }

  handleDatagram(now: number, datagram: SimDatagram): boolean {
    if (isStunMessage(datagram.data)) {
      try {
        const message = decodeStunMessage(datagram.data);
        const entry = this.pending.get(hex(message.transactionId));
        if (entry !== undefined && (message.class === "success" || message.class === "error")) {
          entry.tx.complete();
          this.pending.delete(hex(message.transactionId));
          entry.result.state = message.class;
          entry.result.completedAt = now;
          const mapped = getAttribute(message, "XOR-MAPPED-ADDRESS");
          if (mapped !== undefined) entry.result.mapped = mapped;
          return true;
        }
      } catch {
        // not for a transaction of ours: recorded below
      }
    }
    this.received.push({ ...datagram, at: now });
    return true;
  }

  handleTimeout(now: number): void {
    for (const [id, { tx, result }] of this.pending) {
      tx.handleTimeout(now);
      if (tx.state === "timed-out") {
        this.pending.delete(id);
        result.state = "timed-out";
        result.completedAt = now;
      }
    }
    this.flush();
  }

  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimDatagram | undefined {
    return this.outbox.shift();
  }

  pollTimeout(): number | undefined {
    let next: number | undefined;
    for (const { tx } of this.pending.values()) {
      const t = tx.pollTimeout();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  private flush(): void {
    for (const { tx, result } of this.pending.values()) {
      for (let bytes = tx.pollTransmit(); bytes; bytes = tx.pollTransmit()) {
        this.outbox.push({ local: result.local, remote: result.server, data: bytes });
      }
    }
  }
}
