/**
 * A sans-IO TURN client (RFC 8656) for one allocation on one server: Allocate with the
 * long-term credential dance, Refresh before expiry, CreatePermission per peer IP, ChannelBind
 * per peer, Send/Data indications until a channel is bound and ChannelData after. The caller
 * moves bytes between it and the server (UDP datagrams, or frames of a TCP/TLS stream) and
 * passes the time in; nothing here touches a socket or a clock. It follows the project's
 * sans-IO contract (`src/common/sans-io.ts`): its transmits are messages for the server.
 */
import type { TransportAddress } from "../common/address.js";
import { earliest, isDue, Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { StunMethod } from "../stun/constants.js";
import { isStunMessage } from "../stun/demux.js";
import { decodeStunMessage, getAttribute, type DecodedStunMessage } from "../stun/message.js";
import { LongTermCredentials } from "./auth.js";
import { TurnError } from "./errors.js";
import {
  allocateRequest,
  channelBindRequest,
  createPermissionRequest,
  refreshRequest,
} from "./messages.js";
import { PeerData } from "./peer-data.js";
import { zeroTurnClientStats, type TurnClientStats } from "./stats.js";
import {
  TurnTransactions,
  type RequestContext,
  type RequestKind,
  type TurnRequest,
} from "./transactions.js";
import type { TurnClientEvent, TurnClientOptions, TurnClientState } from "./types.js";

export * from "./stats.js";
export * from "./types.js";

/** One TURN allocation. */
export class TurnClient implements SansIo<Uint8Array, TurnClientEvent> {
  private serverValue: TransportAddress;
  private stateValue: TurnClientState = "idle";
  private readonly reliable: boolean;
  private credentials: LongTermCredentials;
  private readonly transmits = new Outbox<Uint8Array>();
  private readonly events = new Outbox<TurnClientEvent>();
  private readonly requests: TurnTransactions;
  private readonly peers: PeerData;
  private redirected = false;
  private relayedValue: TransportAddress | undefined;
  private mappedValue: TransportAddress | undefined;
  private refreshAt: Deadline;
  /** The LIFETIME we ask for, in seconds as on the wire. */
  private readonly lifetimeS: number;
  private readonly marginMs: number;
  private readonly maxStale: number;
  private readonly counters: TurnClientStats = zeroTurnClientStats();

  constructor(private readonly options: TurnClientOptions) {
    this.serverValue = options.server;
    this.reliable = (options.transport ?? "udp") !== "udp";
    this.credentials = new LongTermCredentials(options.username, options.password);
    this.lifetimeS = Math.ceil((options.lifetimeMs ?? 600_000) / 1000);
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.maxStale = options.maxStaleNonceRetries ?? 5;
    this.requests = new TurnTransactions(
      options.rng,
      { rtoMs: options.rtoMs ?? 500, reliable: this.reliable },
      this.counters,
      this.transmits,
    );
    this.peers = new PeerData(
      {
        reliable: this.reliable,
        maxQueued: options.maxQueued ?? 32,
        refreshMarginMs: this.marginMs,
      },
      options.rng,
      this.counters,
      this.transmits,
      this.events,
      (now, kind, context) => this.request(now, kind, 0, context),
    );
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
    this.request(now, "allocate", 0);
  }

  /**
   * Sends `data` to `peer` through the relay: as ChannelData when a channel is bound, as a Send
   * indication when a permission exists, otherwise after a CreatePermission (the data waits,
   * up to `maxQueued` datagrams). Returns false when it cannot be sent (no allocation, or the
   * server refused a permission for this peer).
   */
  send(now: number, peer: TransportAddress, data: Uint8Array): boolean {
    if (this.stateValue !== "allocated") return false;
    return this.peers.send(now, peer, data);
  }

  /**
   * Bytes from the server: one STUN message or one ChannelData message (a UDP datagram, or a
   * frame cut from the stream). Returns false when they are not TURN (left for the caller).
   */
  handleMessage(now: number, bytes: Uint8Array): boolean {
    const first = bytes[0];
    if (first !== undefined && first >= 0x40 && first <= 0x4f)
      return this.peers.handleChannelData(bytes);
    if (!isStunMessage(bytes)) return false;
    let message: DecodedStunMessage;
    try {
      message = decodeStunMessage(bytes);
    } catch {
      this.counters.ignoredMessages++;
      return true;
    }
    if (message.class === "indication") {
      if (message.method === StunMethod.Data) this.peers.handleDataIndication(message);
      else this.counters.ignoredMessages++;
      return true;
    }
    if (message.class !== "success" && message.class !== "error") return false;
    const request = this.requests.match(message, this.credentials);
    if (request === "unknown") return false;
    if (request === "unverified") {
      this.counters.ignoredMessages++;
      return true;
    }
    this.onResponse(now, request, message);
    return true;
  }

  /** Retransmissions, timeouts and refreshes due at `now`. */
  handleTimeout(now: number): void {
    this.pump(now);
    if (this.stateValue !== "allocated") return;
    if (isDue(this.refreshAt, now)) {
      this.refreshAt = undefined;
      this.request(now, "refresh", 0, { lifetimeS: this.lifetimeS });
    }
    this.peers.handleTimeout(now);
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
  pollTimeout(): Deadline {
    const next = this.requests.deadline();
    if (this.stateValue !== "allocated") return next;
    return earliest(next, this.refreshAt, this.peers.deadline());
  }

  /** Deallocates (Refresh with LIFETIME 0, RFC 8656 §7.3) and stops. */
  close(now: number): void {
    if (this.stateValue === "closed" || this.stateValue === "closing") return;
    const allocated = this.stateValue === "allocated";
    this.requests.cancelAll();
    if (allocated) {
      this.stateValue = "closing";
      this.request(now, "refresh", 0, { lifetimeS: 0 });
    } else {
      this.finishClose();
    }
  }

  /** Counters, as plain data. */
  stats(): TurnClientStats {
    return { ...this.counters };
  }

  // --- requests ------------------------------------------------------------------------------

  /** Sends a new request of `kind` (its message built from `context`), then pumps. */
  private request(
    now: number,
    kind: RequestKind,
    staleRetries: number,
    context: RequestContext = {},
  ): void {
    const message =
      kind === "allocate"
        ? allocateRequest(this.lifetimeS)
        : kind === "refresh"
          ? refreshRequest(context.lifetimeS!)
          : kind === "permission"
            ? createPermissionRequest(context.permission!.lastPeer)
            : channelBindRequest(context.channel!.number, context.channel!.peer);
    this.requests.add(now, this.credentials, kind, message, staleRetries, context);
    this.pump(now);
  }

  /** Re-sends a request as a new transaction (after learning a realm or a fresh nonce). */
  private retry(now: number, request: TurnRequest, staleRetries: number): void {
    const { permission, channel, lifetimeS } = request;
    this.requests.add(now, this.credentials, request.kind, request.message, staleRetries, {
      ...(permission === undefined ? {} : { permission }),
      ...(channel === undefined ? {} : { channel }),
      ...(lifetimeS === undefined ? {} : { lifetimeS }),
    });
    this.pump(now);
  }

  private pump(now: number): void {
    this.requests.pump(now, (request) =>
      this.onFailure(now, request, new TurnError(request.kind, 0, "no response")),
    );
  }

  private onResponse(now: number, request: TurnRequest, response: DecodedStunMessage): void {
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
          this.request(now, "allocate", 0);
          return;
        }
      }
      this.onFailure(now, request, new TurnError(request.kind, code, error?.reason ?? ""));
      return;
    }
    switch (request.kind) {
      case "allocate":
        return this.onAllocated(now, response);
      case "refresh":
        if (request.lifetimeS === 0) return this.finishClose();
        this.scheduleRefresh(now, getAttribute(response, "LIFETIME") ?? this.lifetimeS);
        return;
      case "permission":
        return this.peers.permissionInstalled(now, request.permission!);
      case "channel-bind":
        return this.peers.channelBound(now, request.channel!);
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
    const lifetimeS = getAttribute(response, "LIFETIME") ?? this.lifetimeS;
    this.relayedValue = relayed;
    this.mappedValue = mapped;
    this.stateValue = "allocated";
    this.scheduleRefresh(now, lifetimeS);
    this.events.push({ type: "allocated", relayed, mapped, lifetimeMs: lifetimeS * 1000 });
  }

  private scheduleRefresh(now: number, lifetimeS: number): void {
    // RFC 8656 §8: refresh a minute before expiry (or halfway, for short lifetimes).
    const lifetimeMs = lifetimeS * 1000;
    const lead = Math.min(this.marginMs, lifetimeMs / 2);
    this.refreshAt = now + (lifetimeMs - lead);
  }

  private onFailure(now: number, request: TurnRequest, error: TurnError): void {
    switch (request.kind) {
      case "allocate":
        this.fail(error);
        return;
      case "refresh":
        if (request.lifetimeS === 0) this.finishClose();
        else this.fail(error); // the allocation is lost (e.g. 437 after a server restart)
        return;
      case "permission":
        this.peers.permissionFailed(now, request.permission!, error);
        return;
      case "channel-bind":
        this.peers.channelFailed(request.channel!);
        return;
    }
  }

  private fail(error: TurnError): void {
    this.requests.cancelAll();
    this.stateValue = "failed";
    this.refreshAt = undefined;
    this.events.push({ type: "failed", error });
  }

  private finishClose(): void {
    this.stateValue = "closed";
    this.refreshAt = undefined;
    this.events.push({ type: "closed" });
  }
}
