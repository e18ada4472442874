/**
 * The data side of one TURN allocation (RFC 8656 §9–12): permissions per peer IP and channels
 * per peer address, their refreshes, and application data both ways — queued until the
 * permission exists, then Send indications until the channel is bound, then ChannelData.
 */
import type { TransportAddress } from "../common/address.js";
import type { Rng } from "../common/rng.js";
import { earliest, isDue, type Deadline, type Outbox } from "../common/sans-io.js";
import { getAttribute, type DecodedStunMessage } from "../stun/message.js";
import { createTransactionId } from "../stun/transaction-id.js";
import {
  decodeChannelData,
  encodeChannelData,
  MAX_CHANNEL_NUMBER,
  MIN_CHANNEL_NUMBER,
} from "./channel-data.js";
import type { TurnError } from "./errors.js";
import { encodeSendIndication } from "./messages.js";
import { PeerTable, type PeerChannel, type PeerPermission } from "./peers.js";
import type { TurnClientStats } from "./stats.js";
import type { TurnClientEvent } from "./types.js";

const PERMISSION_LIFETIME_MS = 300_000; // RFC 8656 §9
const CHANNEL_LIFETIME_MS = 600_000; // RFC 8656 §12

/** How the data side asks its client for a CreatePermission or a ChannelBind. */
export type PeerRequester = (
  now: number,
  kind: "permission" | "channel-bind",
  context: { readonly permission?: PeerPermission; readonly channel?: PeerChannel },
) => void;

/** What the data side needs to know of its client's settings. */
export interface PeerDataSettings {
  /** TCP/TLS: ChannelData is padded (RFC 8656 §12.5). */
  readonly reliable: boolean;
  /** Datagrams kept per peer while its permission is being created. */
  readonly maxQueued: number;
  /** Refresh permissions and channels this long before they expire. */
  readonly refreshMarginMs: number;
}

/** Permissions, channels and data of one allocation; bytes and events go to the client's outboxes. */
export class PeerData {
  private readonly peers = new PeerTable(MIN_CHANNEL_NUMBER, MAX_CHANNEL_NUMBER);

  constructor(
    private readonly settings: PeerDataSettings,
    private readonly rng: Rng,
    private readonly counters: TurnClientStats,
    private readonly transmits: Outbox<Uint8Array>,
    private readonly events: Outbox<TurnClientEvent>,
    private readonly request: PeerRequester,
  ) {}

  /** See `TurnClient.send` (the allocation exists). */
  send(now: number, peer: TransportAddress, data: Uint8Array): boolean {
    const channel = this.peers.channel(peer);
    if (channel?.state === "bound") {
      this.transmits.push(encodeChannelData(channel.number, data, this.settings.reliable));
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
    if (permission.queue.length >= this.settings.maxQueued) {
      this.counters.queuedDropped++;
      return false;
    }
    permission.queue.push({ peer, data });
    if (permission.state === "none") this.createPermission(now, permission, peer);
    return true;
  }

  /** Permission and channel refreshes due at `now` (RFC 8656 §9, §12.3). */
  handleTimeout(now: number): void {
    for (const permission of this.peers.permissions()) {
      if (permission.state === "installed" && isDue(permission.refreshAt, now)) {
        permission.refreshAt = undefined;
        this.createPermission(now, permission, permission.lastPeer);
      }
    }
    for (const channel of this.peers.channels()) {
      if (channel.state === "bound" && isDue(channel.refreshAt, now)) {
        channel.refreshAt = undefined;
        this.request(now, "channel-bind", { channel });
      }
    }
  }

  /** The next permission or channel refresh. */
  deadline(): Deadline {
    let next: Deadline;
    for (const permission of this.peers.permissions()) {
      if (permission.state === "installed") next = earliest(next, permission.refreshAt);
    }
    for (const channel of this.peers.channels()) {
      if (channel.state === "bound") next = earliest(next, channel.refreshAt);
    }
    return next;
  }

  /** CreatePermission succeeded: the queued data leaves as Send indications, channels follow. */
  permissionInstalled(now: number, permission: PeerPermission): void {
    permission.state = "installed";
    permission.refreshAt = now + (PERMISSION_LIFETIME_MS - this.settings.refreshMarginMs);
    const queued = permission.queue.splice(0);
    for (const { peer, data } of queued) this.sendIndication(peer, data);
    for (const { peer } of queued) this.bindChannel(now, peer);
  }

  /** CreatePermission failed: the peer's data is dropped and reported, unless it was a refresh. */
  permissionFailed(now: number, permission: PeerPermission, error: TurnError): void {
    if (permission.state === "installed") {
      // A failed refresh: try again at the next margin rather than dropping a working peer.
      permission.refreshAt = now + this.settings.refreshMarginMs;
      return;
    }
    permission.state = "failed";
    this.counters.queuedDropped += permission.queue.length;
    const peer = permission.queue[0]?.peer ?? permission.lastPeer;
    permission.queue.length = 0;
    this.events.push({ type: "permission-failed", peer, error });
  }

  channelBound(now: number, channel: PeerChannel): void {
    channel.state = "bound";
    channel.refreshAt = now + (CHANNEL_LIFETIME_MS - this.settings.refreshMarginMs);
  }

  /** Without a channel the peer is still reachable through Send indications. */
  channelFailed(channel: PeerChannel): void {
    this.peers.dropChannel(channel);
  }

  /** A Data indication (RFC 8656 §11.4). */
  handleDataIndication(message: DecodedStunMessage): void {
    const peer = getAttribute(message, "XOR-PEER-ADDRESS");
    const data = getAttribute(message, "DATA");
    if (peer === undefined || data === undefined) {
      this.counters.ignoredMessages++;
      return;
    }
    this.counters.dataIndications++;
    this.events.push({ type: "data", peer, data });
  }

  /** A ChannelData message (RFC 8656 §12.6). Always TURN's: true. */
  handleChannelData(bytes: Uint8Array): true {
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

  private createPermission(now: number, permission: PeerPermission, peer: TransportAddress): void {
    permission.lastPeer = peer;
    if (permission.state === "none") permission.state = "pending";
    this.request(now, "permission", { permission });
  }

  /** RFC 8656 §12.1: bind a channel for a peer that has a permission, once. */
  private bindChannel(now: number, peer: TransportAddress): void {
    if (this.peers.channel(peer) !== undefined) return;
    const channel = this.peers.newChannel(peer);
    if (channel === undefined) return; // all 4096 numbers in use: Send indications it is
    this.request(now, "channel-bind", { channel });
  }

  private sendIndication(peer: TransportAddress, data: Uint8Array): void {
    this.counters.sendIndications++;
    this.transmits.push(encodeSendIndication(createTransactionId(this.rng), peer, data));
  }
}
