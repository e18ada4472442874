/**
 * What arrived on one of our sockets, once TURN's own traffic is taken out: ICE's STUN (checks
 * and responses) or application data — from the network directly, or relayed by TURN.
 */
import type { TransportAddress } from "../common/address.js";
import { StunMethod } from "../stun/constants.js";
import { isStunMessage } from "../stun/demux.js";
import { decodeStunMessage, type DecodedStunMessage } from "../stun/message.js";
import type { LocalCandidate } from "./candidate.js";
import type { AgentCounters } from "./counters.js";
import type { DataPlane } from "./data-plane.js";
import type { Reception, Receiver } from "./ports.js";
import type { CandidateRegistry } from "./registry.js";
import type { CheckResponder } from "./responder.js";
import type { ResponseHandler } from "./responses.js";

/** The receiving end of our sockets: STUN to the responder or response handler, data to the data plane. */
export class Inbound implements Receiver {
  constructor(
    private readonly registry: CandidateRegistry,
    private readonly counters: AgentCounters,
    private readonly responder: CheckResponder,
    private readonly responses: ResponseHandler,
    private readonly dataPlane: DataPlane,
  ) {}

  receive(
    now: number,
    socket: LocalCandidate,
    remote: TransportAddress,
    data: Uint8Array,
  ): Reception {
    if (!this.registry.usable(socket)) return this.dropped("relay-only");
    if (!isStunMessage(data))
      return this.dataPlane.receive(socket, remote, data) ? "data" : "dropped";
    let message: DecodedStunMessage;
    try {
      message = decodeStunMessage(data);
    } catch {
      return this.dropped("malformed-stun");
    }
    if (message.method !== StunMethod.Binding) return "foreign";
    if (message.class === "request") this.responder.handleRequest(now, socket, remote, message);
    else if (message.class === "success" || message.class === "error")
      this.responses.handleResponse(now, socket, remote, message);
    return "stun";
  }

  private dropped(reason: string): "dropped" {
    this.counters.drop(reason);
    return "dropped";
  }
}
