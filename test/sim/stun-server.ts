/**
 * A STUN server endpoint for the simulator, on the project's codec: it answers Binding
 * requests with the source address as it saw it (XOR-MAPPED-ADDRESS, RFC 8489 §14.2) and a
 * FINGERPRINT, from the address the request came in on. Everything else is ignored.
 */
import {
  StunMethod,
  decodeStunMessage,
  encodeStunMessage,
  isStunMessage,
} from "../../src/stun/index.js";
import { attr } from "../../src/stun/index.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import type { SimDatagram } from "./types.js";

/** STUN server counters. */
export interface StunServerCounters {
  /** Binding requests answered. */
  requests: number;
  /** Datagrams that were not a Binding request (other STUN, malformed, or not STUN). */
  ignored: number;
}

/** Answers STUN Binding requests on every address it is bound to. */
export class SimStunServer implements DatagramSansIo<SimDatagram, never> {
  /** Exact counters, for assertions. */
  readonly counters: StunServerCounters = { requests: 0, ignored: 0 };
  private readonly outbox: SimDatagram[] = [];

  handleDatagram(_now: number, datagram: SimDatagram): boolean {
    if (!isStunMessage(datagram.data)) {
      this.counters.ignored++;
      return false;
    }
    let request;
    try {
      request = decodeStunMessage(datagram.data);
    } catch {
      this.counters.ignored++;
      return true;
    }
    if (request.class !== "request" || request.method !== StunMethod.Binding) {
      this.counters.ignored++;
      return true;
    }
    this.counters.requests++;
    const response = encodeStunMessage(
      {
        class: "success",
        method: StunMethod.Binding,
        transactionId: request.transactionId,
        attributes: [attr("XOR-MAPPED-ADDRESS", datagram.remote)],
      },
      { fingerprint: true },
    );
    this.outbox.push({ local: datagram.local, remote: datagram.remote, data: response });
    return true;
  }

  handleTimeout(): void {}

  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimDatagram | undefined {
    return this.outbox.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }
}
