/** Per-peer TURN state: permissions by peer IP (RFC 8656 §9) and channels by peer address (§12). */
import type { TransportAddress } from "../common/address.js";
import type { Deadline } from "../common/sans-io.js";

/** A permission for one peer IP, with the datagrams waiting for it. */
export interface PeerPermission {
  readonly ip: string;
  state: "none" | "pending" | "installed" | "failed";
  /** When to send the next CreatePermission (refresh). */
  refreshAt: Deadline;
  /** The last peer address seen for this IP (CreatePermission needs a full address). */
  lastPeer: TransportAddress;
  readonly queue: { readonly peer: TransportAddress; readonly data: Uint8Array }[];
}

/** A channel bound (or being bound) to one peer transport address. */
export interface PeerChannel {
  readonly number: number;
  readonly peer: TransportAddress;
  state: "pending" | "bound";
  /** When to send the next ChannelBind (refresh). */
  refreshAt: Deadline;
}

const key = (peer: TransportAddress): string => `${peer.address}|${peer.port}`;

/** Permissions and channels of one allocation. */
export class PeerTable {
  private readonly permissionsByIp = new Map<string, PeerPermission>();
  private readonly channelsByPeer = new Map<string, PeerChannel>();
  private readonly channelsByNumber = new Map<number, PeerChannel>();
  private nextNumber: number;

  constructor(
    private readonly minNumber: number,
    private readonly maxNumber: number,
  ) {
    this.nextNumber = minNumber;
  }

  /** The permission entry for `ip`, created in state `none` on first use. */
  permission(ip: string): PeerPermission {
    let permission = this.permissionsByIp.get(ip);
    if (permission === undefined) {
      permission = {
        ip,
        state: "none",
        refreshAt: undefined,
        lastPeer: { family: ip.includes(":") ? "IPv6" : "IPv4", address: ip, port: 0 },
        queue: [],
      };
      this.permissionsByIp.set(ip, permission);
    }
    return permission;
  }

  permissions(): IterableIterator<PeerPermission> {
    return this.permissionsByIp.values();
  }

  /** The channel of `peer`, if one was requested. */
  channel(peer: TransportAddress): PeerChannel | undefined {
    return this.channelsByPeer.get(key(peer));
  }

  byNumber(number: number): PeerChannel | undefined {
    return this.channelsByNumber.get(number);
  }

  channels(): IterableIterator<PeerChannel> {
    return this.channelsByPeer.values();
  }

  /** A new pending channel for `peer` with the next free number, or undefined when none is left. */
  newChannel(peer: TransportAddress): PeerChannel | undefined {
    const span = this.maxNumber - this.minNumber + 1;
    for (let tries = 0; tries < span; tries++) {
      const number = this.nextNumber;
      this.nextNumber = number === this.maxNumber ? this.minNumber : number + 1;
      if (this.channelsByNumber.has(number)) continue;
      const channel: PeerChannel = { number, peer, state: "pending", refreshAt: undefined };
      this.channelsByPeer.set(key(peer), channel);
      this.channelsByNumber.set(number, channel);
      return channel;
    }
    return undefined;
  }

  /** Forgets a channel (its binding failed). */
  dropChannel(channel: PeerChannel): void {
    this.channelsByPeer.delete(key(channel.peer));
    this.channelsByNumber.delete(channel.number);
  }
}
