/**
 * A sans-IO TURN client (RFC 8656) for one allocation on one server: Allocate with the
 * long-term credential dance, Refresh before expiry, CreatePermission per peer IP, ChannelBind
 * per peer, Send/Data indications until a channel is bound and ChannelData after. The caller
 * moves bytes between it and the server (UDP datagrams, or frames of a TCP/TLS stream) and
 * passes the time in; nothing here touches a socket or a clock.
 */
import { toHex } from "../common/bytes.js";
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { attr } from "../stun/attribute-types.js";
import { StunMethod, TransportProtocol } from "../stun/constants.js";
import { isStunMessage } from "../stun/demux.js";
import {
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  type DecodedStunMessage,
  type StunMessage,
} from "../stun/message.js";
import { StunClientTransaction } from "../stun/transaction.js";
import { createTransactionId } from "../stun/transaction-id.js";
import { LongTermCredentials } from "./auth.js";
import {
  decodeChannelData,
  encodeChannelData,
  MIN_CHANNEL_NUMBER,
  MAX_CHANNEL_NUMBER,
} from "./channel-data.js";
import { TurnError } from "./errors.js";
import { PeerTable, type PeerChannel, type PeerPermission } from "./peers.js";

/** Options of a {@link TurnClient}. Times in seconds where the RFC counts seconds. */
export interface TurnClientOptions {
  /** The TURN server. */
  readonly server: TransportAddress;
  /** How we reach it: over UDP requests are retransmitted; over TCP/TLS ChannelData is padded. @default "udp" */
  readonly transport?: "udp" | "tcp" | "tls";
  readonly username: string;
  readonly password: string;
  readonly rng: Rng;
  /** Requested allocation lifetime in seconds (RFC 8656 §7.2). @default 600 */
  readonly lifetime?: number;
  /** Refresh allocations, permissions and channels this many seconds before they expire. @default 60 */
  readonly refreshMargin?: number;
  /** Initial RTO of requests in ms (RFC 8489 §6.2.1). @default 500 */
  readonly rto?: number;
  /** Datagrams kept per peer while its permission is being created; more are dropped. @default 32 */
  readonly maxQueued?: number;
  /** Consecutive 438 Stale Nonce answers to one request before giving up. @default 5 */
  readonly maxStaleNonceRetries?: number;
}

/** What the client reports, drained with `pollEvent()`. */
export type TurnClientEvent =
  | {
      readonly type: "allocated";
      readonly relayed: TransportAddress;
      readonly mapped: TransportAddress;
      readonly lifetime: number;
    }
  | { readonly type: "redirected"; readonly server: TransportAddress }
  | { readonly type: "failed"; readonly error: TurnError }
  | { readonly type: "data"; readonly peer: TransportAddress; readonly data: Uint8Array }
  | {
      readonly type: "permission-failed";
      readonly peer: TransportAddress;
      readonly error: TurnError;
    }
  | { readonly type: "closed" };

/** Where the allocation stands. */
export type TurnClientState = "idle" | "allocating" | "allocated" | "failed" | "closing" | "closed";

/** Exact counters. */
export interface TurnClientStats {
  allocateRequests: number;
  refreshRequests: number;
  permissionRequests: number;
  channelBindRequests: number;
  staleNonceRetries: number;
  retransmissions: number;
  sendIndications: number;
  channelDataSent: number;
  dataIndications: number;
  channelDataReceived: number;
  queuedDropped: number;
  ignoredMessages: number;
}

/** Every {@link TurnClientStats} counter at zero: what a new client starts from. */
export const zeroTurnClientStats = (): TurnClientStats => ({
  allocateRequests: 0,
  refreshRequests: 0,
  permissionRequests: 0,
  channelBindRequests: 0,
  staleNonceRetries: 0,
  retransmissions: 0,
  sendIndications: 0,
  channelDataSent: 0,
  dataIndications: 0,
  channelDataReceived: 0,
  queuedDropped: 0,
  ignoredMessages: 0,
});

type Kind = "allocate" | "refresh" | "permission" | "channel-bind";

interface Request {
  readonly kind: Kind;
  readonly transaction: StunClientTransaction;
  readonly message: StunMessage;
  readonly signed: boolean;
  readonly staleRetries: number;
  readonly permission?: PeerPermission;
  readonly channel?: PeerChannel;
  readonly lifetime?: number;
}

const PERMISSION_LIFETIME = 300; // RFC 8656 §9
const CHANNEL_LIFETIME = 600; // RFC 8656 §12

/** One TURN allocation. */
export class TurnClient {
  private serverValue: TransportAddress;
  private stateValue: TurnClientState = "idle";
  private readonly reliable: boolean;
  private credentials: LongTermCredentials;
  private readonly requests = new Map<string, Request>();
  private readonly transmits: Uint8Array[] = [];
  private readonly events: TurnClientEvent[] = [];
  private readonly peers: PeerTable;
  private redirected = false;
  private relayedValue: TransportAddress | undefined;
  private mappedValue: TransportAddress | undefined;
  private refreshAt = Infinity;
  private readonly lifetime: number;
  private readonly margin: number;
  private readonly rto: number;
  private readonly maxQueued: number;
  private readonly maxStale: number;
  private readonly counters: TurnClientStats = zeroTurnClientStats();

  constructor(private readonly options: TurnClientOptions) {
    this.serverValue = options.server;
    this.reliable = (options.transport ?? "udp") !== "udp";
    this.credentials = new LongTermCredentials(options.username, options.password);
    this.lifetime = options.lifetime ?? 600;
    this.margin = options.refreshMargin ?? 60;
    this.rto = options.rto ?? 500;
    this.maxQueued = options.maxQueued ?? 32;
    this.maxStale = options.maxStaleNonceRetries ?? 5;
    this.peers = new PeerTable(MIN_CHANNEL_NUMBER, MAX_CHANNEL_NUMBER);
  }

  /** The server requests go to (it changes once if the server redirects us, RFC 8656 §7.3). */
  get server(): TransportAddress {
    return this.serverValue;
  }

  get state(): TurnClientState {
    return this.stateValue;
  }

  /** The relayed transport address, once allocated. */
  get relayed(): TransportAddress | undefined {
    return this.relayedValue;
  }

  /** Our address as the server saw it (XOR-MAPPED-ADDRESS of the Allocate response). */
  get mapped(): TransportAddress | undefined {
    return this.mappedValue;
  }

  /** Sends the first Allocate (RFC 8656 §7.1). */
  start(now: number): void {
    if (this.stateValue !== "idle") return;
    this.stateValue = "allocating";
    this.request(now, "allocate", this.allocateMessage(), 0);
  }

  /**
   * Sends `data` to `peer` through the relay: as ChannelData when a channel is bound, as a Send
   * indication when a permission exists, otherwise after a CreatePermission (the data waits,
   * up to `maxQueued` datagrams). Returns false when it cannot be sent (no allocation, or the
   * server refused a permission for this peer).
   */
  send(now: number, peer: TransportAddress, data: Uint8Array): boolean {
    if (this.stateValue !== "allocated") return false;
    const channel = this.peers.channel(peer);
    if (channel?.state === "bound") {
      this.transmits.push(encodeChannelData(channel.number, data, this.reliable));
      this.counters.channelDataSent++;
      return true;
    }
    const permission = this.peers.permission(peer.address);
    if (permission.state === "failed") return false;
    if (permission.state === "installed") {
      this.sendIndication(peer, data);
      this.bindChannel(now, peer);
      return true;
    }
    if (permission.queue.length >= this.maxQueued) {
      this.counters.queuedDropped++;
      return false;
    }
    permission.queue.push({ peer, data });
    if (permission.state === "none") this.createPermission(now, permission, peer);
    return true;
  }

  /**
   * Bytes from the server: one STUN message or one ChannelData message (a UDP datagram, or a
   * frame cut from the stream). Returns false when they are not TURN (left for the caller).
   */
  handleMessage(now: number, bytes: Uint8Array): boolean {
    const first = bytes[0];
    if (first !== undefined && first >= 0x40 && first <= 0x4f) return this.onChannelData(bytes);
    if (!isStunMessage(bytes)) return false;
    let message: DecodedStunMessage;
    try {
      message = decodeStunMessage(bytes);
    } catch {
      this.counters.ignoredMessages++;
      return true;
    }
    if (message.class === "indication") {
      if (message.method === StunMethod.Data) this.onDataIndication(message);
      else this.counters.ignoredMessages++;
      return true;
    }
    if (message.class !== "success" && message.class !== "error") return false;
    const id = toHex(message.transactionId);
    const request = this.requests.get(id);
    if (request === undefined) return false;
    if (!this.credentials.verify(message, request.signed)) {
      this.counters.ignoredMessages++;
      return true;
    }
    this.requests.delete(id);
    request.transaction.complete();
    this.onResponse(now, request, message);
    return true;
  }

  /** Retransmissions, timeouts and refreshes due at `now`. */
  handleTimeout(now: number): void {
    this.pump(now);
    if (this.stateValue !== "allocated") return;
    if (now >= this.refreshAt) {
      this.refreshAt = Infinity;
      this.request(now, "refresh", this.refreshMessage(this.lifetime), 0, {
        lifetime: this.lifetime,
      });
    }
    for (const permission of this.peers.permissions()) {
      if (permission.state === "installed" && now >= permission.refreshAt) {
        permission.refreshAt = Infinity;
        this.createPermission(now, permission, permission.lastPeer);
      }
    }
    for (const channel of this.peers.channels()) {
      if (channel.state === "bound" && now >= channel.refreshAt) {
        channel.refreshAt = Infinity;
        this.request(now, "channel-bind", this.channelBindMessage(channel), 0, { channel });
      }
    }
  }

  /** The next message for the server, or undefined. */
  pollTransmit(): Uint8Array | undefined {
    return this.transmits.shift();
  }

  /** The next event, or undefined. */
  pollEvent(): TurnClientEvent | undefined {
    return this.events.shift();
  }

  /** When {@link handleTimeout} is next due, or undefined. */
  pollTimeout(): number | undefined {
    let next = Infinity;
    for (const request of this.requests.values())
      next = Math.min(next, request.transaction.pollTimeout() ?? Infinity);
    if (this.stateValue === "allocated") {
      next = Math.min(next, this.refreshAt);
      for (const permission of this.peers.permissions()) {
        if (permission.state === "installed") next = Math.min(next, permission.refreshAt);
      }
      for (const channel of this.peers.channels()) {
        if (channel.state === "bound") next = Math.min(next, channel.refreshAt);
      }
    }
    return next === Infinity ? undefined : next;
  }

  /** Deallocates (Refresh with LIFETIME 0, RFC 8656 §7.3) and stops. */
  close(now: number): void {
    if (this.stateValue === "closed" || this.stateValue === "closing") return;
    const allocated = this.stateValue === "allocated";
    for (const request of this.requests.values()) request.transaction.cancel();
    this.requests.clear();
    if (allocated) {
      this.stateValue = "closing";
      this.request(now, "refresh", this.refreshMessage(0), 0, { lifetime: 0 });
    } else {
      this.finishClose();
    }
  }

  /** Counters, as plain data. */
  stats(): TurnClientStats {
    return { ...this.counters };
  }

  // --- requests ------------------------------------------------------------------------------

  private request(
    now: number,
    kind: Kind,
    message: StunMessage,
    staleRetries: number,
    extra: Partial<Request> = {},
  ): void {
    const transactionId = createTransactionId(this.options.rng);
    const withId = { ...message, transactionId };
    const signed = this.credentials.ready;
    const bytes = this.credentials.sign(withId);
    const transaction = new StunClientTransaction(now, transactionId, bytes, {
      rtoMs: this.rto,
      reliable: this.reliable,
    });
    this.requests.set(toHex(transactionId), {
      kind,
      transaction,
      message: withId,
      signed,
      staleRetries,
      ...extra,
    });
    if (kind === "allocate") this.counters.allocateRequests++;
    else if (kind === "refresh") this.counters.refreshRequests++;
    else if (kind === "permission") this.counters.permissionRequests++;
    else this.counters.channelBindRequests++;
    this.pump(now);
  }

  /** Re-sends a request as a new transaction (after learning a realm or a fresh nonce). */
  private retry(now: number, request: Request, staleRetries: number): void {
    const { kind, message, transaction: _t, signed: _s, staleRetries: _r, ...extra } = request;
    this.request(now, kind, message, staleRetries, extra);
  }

  private pump(now: number): void {
    for (const [id, request] of this.requests) {
      const { transaction } = request;
      transaction.handleTimeout(now);
      for (let bytes; (bytes = transaction.pollTransmit());) {
        if (transaction.transmissions > 1) this.counters.retransmissions++;
        this.transmits.push(bytes);
      }
      if (transaction.state === "timed-out") {
        this.requests.delete(id);
        this.onFailure(now, request, new TurnError(phaseOf(request.kind), 0, "no response"));
      }
    }
  }

  private onResponse(now: number, request: Request, response: DecodedStunMessage): void {
    if (response.class === "error") {
      const error = getAttribute(response, "ERROR-CODE");
      const code = error?.code ?? 0;
      if (code === 401 && !request.signed && this.credentials.learn(response)) {
        // RFC 8489 §9.2.3: the first request is sent without credentials to learn realm and nonce.
        this.retry(now, request, request.staleRetries);
        return;
      }
      if (
        code === 438 &&
        request.staleRetries < this.maxStale &&
        this.credentials.learn(response)
      ) {
        // RFC 8489 §9.2.5: a new nonce; retry with it, every time this happens.
        this.counters.staleNonceRetries++;
        this.retry(now, request, request.staleRetries + 1);
        return;
      }
      if (code === 300 && request.kind === "allocate" && !this.redirected) {
        const alternate = getAttribute(response, "ALTERNATE-SERVER");
        if (alternate !== undefined) {
          // RFC 8656 §7.4: try the alternate server once, with fresh credentials state.
          this.redirected = true;
          this.serverValue = alternate;
          // RFC 8489 §9.2.3.1: the first request to a server goes without credentials.
          this.credentials = new LongTermCredentials(this.options.username, this.options.password);
          this.events.push({ type: "redirected", server: alternate });
          this.request(now, "allocate", this.allocateMessage(), 0);
          return;
        }
      }
      this.onFailure(now, request, new TurnError(phaseOf(request.kind), code, error?.reason ?? ""));
      return;
    }
    switch (request.kind) {
      case "allocate":
        return this.onAllocated(now, response);
      case "refresh":
        if (request.lifetime === 0) return this.finishClose();
        this.scheduleRefresh(now, getAttribute(response, "LIFETIME") ?? this.lifetime);
        return;
      case "permission":
        return this.onPermission(now, request.permission!);
      case "channel-bind":
        return this.onChannelBound(now, request.channel!);
    }
  }

  private onAllocated(now: number, response: DecodedStunMessage): void {
    const relayed = getAttribute(response, "XOR-RELAYED-ADDRESS");
    const mapped = getAttribute(response, "XOR-MAPPED-ADDRESS");
    if (relayed === undefined || mapped === undefined) {
      this.fail(
        new TurnError(
          "allocate",
          0,
          "the success response lacks XOR-RELAYED-ADDRESS or XOR-MAPPED-ADDRESS",
        ),
      );
      return;
    }
    const lifetime = getAttribute(response, "LIFETIME") ?? this.lifetime;
    this.relayedValue = relayed;
    this.mappedValue = mapped;
    this.stateValue = "allocated";
    this.scheduleRefresh(now, lifetime);
    this.events.push({ type: "allocated", relayed, mapped, lifetime });
  }

  private scheduleRefresh(now: number, lifetime: number): void {
    // RFC 8656 §8: refresh a minute before expiry (or halfway, for short lifetimes).
    const lead = Math.min(this.margin, lifetime / 2);
    this.refreshAt = now + (lifetime - lead) * 1000;
  }

  private onPermission(now: number, permission: PeerPermission): void {
    permission.state = "installed";
    permission.refreshAt = now + (PERMISSION_LIFETIME - this.margin) * 1000;
    const queued = permission.queue.splice(0);
    for (const { peer, data } of queued) this.sendIndication(peer, data);
    for (const { peer } of queued) this.bindChannel(now, peer);
  }

  private onChannelBound(now: number, channel: PeerChannel): void {
    channel.state = "bound";
    channel.refreshAt = now + (CHANNEL_LIFETIME - this.margin) * 1000;
  }

  private onFailure(now: number, request: Request, error: TurnError): void {
    switch (request.kind) {
      case "allocate":
        this.fail(error);
        return;
      case "refresh":
        if (request.lifetime === 0) this.finishClose();
        else this.fail(error); // the allocation is lost (e.g. 437 after a server restart)
        return;
      case "permission": {
        const permission = request.permission!;
        if (permission.state === "installed") {
          // A failed refresh: try again at the next margin rather than dropping a working peer.
          permission.refreshAt = now + this.margin * 1000;
          return;
        }
        permission.state = "failed";
        this.counters.queuedDropped += permission.queue.length;
        const peer = permission.queue[0]?.peer ?? permission.lastPeer;
        permission.queue.length = 0;
        this.events.push({ type: "permission-failed", peer, error });
        return;
      }
      case "channel-bind":
        // Without a channel the peer is still reachable through Send indications.
        this.peers.dropChannel(request.channel!);
        return;
    }
  }

  private fail(error: TurnError): void {
    for (const request of this.requests.values()) request.transaction.cancel();
    this.requests.clear();
    this.stateValue = "failed";
    this.refreshAt = Infinity;
    this.events.push({ type: "failed", error });
  }

  private finishClose(): void {
    this.stateValue = "closed";
    this.refreshAt = Infinity;
    this.events.push({ type: "closed" });
  }

  // --- messages ------------------------------------------------------------------------------

  private allocateMessage(): StunMessage {
    return {
      class: "request",
      method: StunMethod.Allocate,
      transactionId: new Uint8Array(12),
      attributes: [
        attr("REQUESTED-TRANSPORT", TransportProtocol.UDP),
        attr("LIFETIME", this.lifetime),
      ],
    };
  }

  private refreshMessage(lifetime: number): StunMessage {
    return {
      class: "request",
      method: StunMethod.Refresh,
      transactionId: new Uint8Array(12),
      attributes: [attr("LIFETIME", lifetime)],
    };
  }

  private channelBindMessage(channel: PeerChannel): StunMessage {
    return {
      class: "request",
      method: StunMethod.ChannelBind,
      transactionId: new Uint8Array(12),
      attributes: [attr("CHANNEL-NUMBER", channel.number), attr("XOR-PEER-ADDRESS", channel.peer)],
    };
  }

  private createPermission(now: number, permission: PeerPermission, peer: TransportAddress): void {
    permission.lastPeer = peer;
    if (permission.state === "none") permission.state = "pending";
    const message: StunMessage = {
      class: "request",
      method: StunMethod.CreatePermission,
      transactionId: new Uint8Array(12),
      attributes: [attr("XOR-PEER-ADDRESS", peer)],
    };
    this.request(now, "permission", message, 0, { permission });
  }

  /** RFC 8656 §12.1: bind a channel for a peer that has a permission, once. */
  private bindChannel(now: number, peer: TransportAddress): void {
    if (this.peers.channel(peer) !== undefined) return;
    const channel = this.peers.newChannel(peer);
    if (channel === undefined) return; // all 4096 numbers in use: Send indications it is
    this.request(now, "channel-bind", this.channelBindMessage(channel), 0, { channel });
  }

  private sendIndication(peer: TransportAddress, data: Uint8Array): void {
    this.counters.sendIndications++;
    this.transmits.push(
      encodeStunMessage(
        {
          class: "indication",
          method: StunMethod.Send,
          transactionId: createTransactionId(this.options.rng),
          attributes: [attr("XOR-PEER-ADDRESS", peer), attr("DATA", data)],
        },
        { fingerprint: true },
      ),
    );
  }

  // --- incoming data -------------------------------------------------------------------------

  private onDataIndication(message: DecodedStunMessage): void {
    const peer = getAttribute(message, "XOR-PEER-ADDRESS");
    const data = getAttribute(message, "DATA");
    if (peer === undefined || data === undefined) {
      this.counters.ignoredMessages++;
      return;
    }
    this.counters.dataIndications++;
    this.events.push({ type: "data", peer, data });
  }

  private onChannelData(bytes: Uint8Array): boolean {
    let decoded;
    try {
      decoded = decodeChannelData(bytes);
    } catch {
      this.counters.ignoredMessages++;
      return true;
    }
    const channel = this.peers.byNumber(decoded.channel);
    // A channel counts from the moment we asked for it: the server may relay on it before its
    // ChannelBind success reaches us.
    if (channel === undefined) {
      this.counters.ignoredMessages++;
      return true;
    }
    this.counters.channelDataReceived++;
    this.events.push({ type: "data", peer: channel.peer, data: decoded.data });
    return true;
  }
}

function phaseOf(kind: Kind): TurnError["phase"] {
  return kind === "permission" ? "permission" : kind;
}
