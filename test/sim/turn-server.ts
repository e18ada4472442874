/**
 * A TURN server endpoint for the simulator (RFC 8656 over UDP), on the project's STUN codec and
 * ChannelData framing. It authenticates with long-term credentials (RFC 8489 §9.2), keeps one
 * allocation per 5-tuple, relays through ports it binds on its own host, and counts everything
 * for exact assertions. All time is the virtual `now` the simulator passes in; expiries run from
 * {@link SimTurnServer.pollTimeout}.
 *
 * ```ts
 * const server = new SimTurnServer({ rng: sim.rng("turn"), users: { alice: "secret" } });
 * const att = sim.attach(sim.host("turn", { ip: "198.51.100.2", on: internet }), server, [
 *   { port: 3478 },
 * ]);
 * server.useAttachment(att); // listens on att.addresses; relayed ports come from att.bind()
 * ```
 *
 * Deviations, all deliberate: UDP only (no TCP allocations, RFC 6062, or TLS); no EVEN-PORT or
 * RESERVATION-TOKEN (508); no ADDITIONAL-ADDRESS-FAMILY (one relayed address, of the family the
 * request arrived on); an expired channel number may be rebound at once (RFC 8656 §12 asks for a
 * 5-minute quarantine); Binding requests are answered without authentication, as coturn does.
 */
import { formatTransportAddress, type TransportAddress } from "../../src/common/address.js";
import { toHex } from "../../src/common/bytes.js";
import type { Rng } from "../../src/common/rng.js";
import {
  PasswordAlgorithmCode,
  StunErrorCode,
  StunMethod,
  TransportProtocol,
  attr,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  getAttributes,
  isStunMessage,
  longTermKey,
  userHash,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
  type DecodedStunMessage,
  type EncodeOptions,
  type PasswordAlgorithm,
  type PasswordAlgorithmValue,
  type StunAttribute,
} from "../../src/stun/index.js";
import {
  decodeChannelData,
  encodeChannelData,
  isValidChannelNumber,
} from "../../src/turn/index.js";
import type { BindSpec } from "./attachment.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import type { SimDatagram } from "./types.js";

/** Options of a {@link SimTurnServer}. Lifetimes are in seconds, as on the wire. */
export interface TurnServerOptions {
  /** Nonces and indication transaction ids come from here (e.g. `sim.rng("turn")`). */
  readonly rng: Rng;
  /** Long-term credentials: username → password (RFC 8489 §9.2). */
  readonly users: Readonly<Record<string, string>>;
  /** REALM (RFC 8489 §14.9). @default "sim.example" */
  readonly realm?: string;
  /** How long a nonce stays valid, in ms; after that a request gets 438. @default 600_000 */
  readonly nonceLifetime?: number;
  /** Allocation lifetime when the client asks for less or nothing (RFC 8656 §7.2). @default 600 */
  readonly defaultLifetime?: number;
  /** The most an allocation is granted per Allocate/Refresh. @default 3600 */
  readonly maxLifetime?: number;
  /** Permission lifetime (RFC 8656 §9: exactly 300 s; change it only to test). @default 300 */
  readonly permissionLifetime?: number;
  /** Channel binding lifetime (RFC 8656 §12: 600 s). @default 600 */
  readonly channelLifetime?: number;
  /**
   * Offer PASSWORD-ALGORITHMS (RFC 8489 §9.2.4–9.2.5) in this order: nonces then carry the
   * nonce cookie with the "Password algorithms" feature bit, and the client's
   * PASSWORD-ALGORITHM selects the key's hash. Without it the key is always MD5.
   */
  readonly passwordAlgorithms?: readonly PasswordAlgorithm[];
  /** Allocations one username may hold at once; one more gets 486. @default Infinity */
  readonly quota?: number;
  /** Allocations the server holds at once; one more gets 508. @default Infinity */
  readonly capacity?: number;
  /** Answer every authenticated Allocate with 300 Try Alternate naming this server. */
  readonly alternateServer?: TransportAddress;
  /** Peer IPs that CreatePermission and ChannelBind refuse with 403. @default [] */
  readonly forbiddenPeers?: readonly string[];
}

/**
 * What the server needs from its `Attachment` (which satisfies it): the addresses to listen on
 * and a way to bind relayed ports. `unbind`, when present, frees a relayed port once its
 * allocation is gone; without it the port stays bound and the server drops what arrives there.
 */
export interface TurnServerAttachment {
  readonly addresses: readonly TransportAddress[];
  bind(spec: BindSpec): TransportAddress[];
  unbind?(address: TransportAddress): void;
}

/** TURN server counters. Requests are counted on arrival, whatever their answer. */
export interface TurnServerCounters {
  allocateRequests: number;
  refreshRequests: number;
  createPermissionRequests: number;
  channelBindRequests: number;
  /** Binding requests (answered without authentication). */
  bindingRequests: number;
  /** Send indications received from clients. */
  sendIndications: number;
  /** Data indications sent to clients. */
  dataIndications: number;
  /** ChannelData messages sent to clients. */
  channelDataToClient: number;
  /** ChannelData messages received from clients. */
  channelDataFromClient: number;
  /** Datagrams relayed from a relayed address to a peer (Send or ChannelData). */
  relayedToPeer: number;
  /** Send/ChannelData to a peer, or peer datagrams, dropped for want of a permission. */
  droppedNoPermission: number;
  /** ChannelData from a client on a channel that is not bound. */
  droppedNoChannel: number;
  /** Send/ChannelData from a 5-tuple without allocation, or peer datagrams to a freed port. */
  droppedNoAllocation: number;
  /** Send indications without XOR-PEER-ADDRESS or DATA. */
  droppedMalformed: number;
  /** Datagrams ignored: not STUN/ChannelData, undecodable, responses, other indications. */
  ignored: number;
  /** 438 responses (stale and forced). */
  staleNonces: number;
  /** 401 responses. */
  unauthorized: number;
  /** Every error response, by code (401 and 438 included). */
  errors: Record<number, number>;
  /** Allocations alive now. */
  allocations: number;
  /** Allocations ever created. */
  allocationsCreated: number;
  /** Allocations deleted by a Refresh with LIFETIME 0. */
  deletedAllocations: number;
  /** Allocations that timed out. */
  expiredAllocations: number;
  /** Permissions that timed out (not those dropped with their allocation). */
  expiredPermissions: number;
  /** Channel bindings that timed out (not those dropped with their allocation). */
  expiredChannels: number;
}

/** A snapshot of one allocation, from {@link SimTurnServer.allocationList}. */
export interface TurnAllocationInfo {
  readonly client: TransportAddress;
  readonly server: TransportAddress;
  readonly relayed: TransportAddress;
  readonly username: string;
  /** Absolute virtual ms. */
  readonly expiresAt: number;
  /** IP → absolute expiry. */
  readonly permissions: ReadonlyMap<string, number>;
  readonly channels: ReadonlyMap<number, { readonly peer: TransportAddress; expiresAt: number }>;
}

/**
 * RFC 8489 §9.2: a nonce cookie is "obMatJos2" and the base64 of 24 bits of STUN Security
 * Features. Bit 0 ("Password algorithms", §18.1) is taken as the most significant bit, as
 * stun-rs does: 0x800000 → "gAAA".
 */
export const NONCE_COOKIE_PASSWORD_ALGORITHMS = "obMatJos2gAAA";

const reasons: Record<number, string> = {
  [StunErrorCode.TryAlternate]: "Try Alternate",
  [StunErrorCode.BadRequest]: "Bad Request",
  [StunErrorCode.Unauthorized]: "Unauthenticated",
  [StunErrorCode.Forbidden]: "Forbidden",
  [StunErrorCode.UnknownAttribute]: "Unknown Attribute",
  [StunErrorCode.AllocationMismatch]: "Allocation Mismatch",
  [StunErrorCode.StaleNonce]: "Stale Nonce",
  [StunErrorCode.AddressFamilyNotSupported]: "Address Family not Supported",
  [StunErrorCode.WrongCredentials]: "Wrong Credentials",
  [StunErrorCode.UnsupportedTransportProtocol]: "Unsupported Transport Protocol",
  [StunErrorCode.PeerAddressFamilyMismatch]: "Peer Address Family Mismatch",
  [StunErrorCode.AllocationQuotaReached]: "Allocation Quota Reached",
  [StunErrorCode.InsufficientCapacity]: "Insufficient Capacity",
};

interface Channel {
  readonly peer: TransportAddress;
  expiresAt: number;
}

interface Allocation {
  readonly client: TransportAddress;
  readonly server: TransportAddress;
  readonly relayed: TransportAddress;
  readonly username: string;
  /** The Allocate's transaction id (hex) and success response, for retransmissions (§7.2). */
  readonly transactionId: string;
  readonly response: Uint8Array;
  expiresAt: number;
  /** Peer IP → expiry (RFC 8656 §9: permissions are per IP, ports ignored). */
  readonly permissions: Map<string, number>;
  readonly channels: Map<number, Channel>;
  /** Peer transport address key → channel number. */
  readonly channelOf: Map<string, number>;
}

/** The outcome of a successful authentication: who, and how to sign the answer. */
interface Auth {
  readonly username: string;
  readonly options: EncodeOptions;
}

const key = (address: TransportAddress): string => formatTransportAddress(address);
const tupleKey = (client: TransportAddress, server: TransportAddress): string =>
  `${key(client)}>${key(server)}`;

/** Every server counter at zero (tests spread what they expect over it and compare exactly). */
export const zeroTurnServerCounters = (): TurnServerCounters => ({
  allocateRequests: 0,
  refreshRequests: 0,
  createPermissionRequests: 0,
  channelBindRequests: 0,
  bindingRequests: 0,
  sendIndications: 0,
  dataIndications: 0,
  channelDataToClient: 0,
  channelDataFromClient: 0,
  relayedToPeer: 0,
  droppedNoPermission: 0,
  droppedNoChannel: 0,
  droppedNoAllocation: 0,
  droppedMalformed: 0,
  ignored: 0,
  staleNonces: 0,
  unauthorized: 0,
  errors: {},
  allocations: 0,
  allocationsCreated: 0,
  deletedAllocations: 0,
  expiredAllocations: 0,
  expiredPermissions: 0,
  expiredChannels: 0,
});

/** See the module comment. Attach it, then call {@link useAttachment}. */
export class SimTurnServer implements DatagramSansIo<SimDatagram, never> {
  /** Exact counters, for assertions. */
  readonly counters: TurnServerCounters = zeroTurnServerCounters();
  /** The REALM it sends. */
  readonly realm: string;
  private readonly rng: Rng;
  private readonly users: ReadonlyMap<string, string>;
  private readonly nonceLifetime: number;
  private readonly defaultLifetime: number;
  private readonly maxLifetime: number;
  private readonly permissionLifetime: number;
  private readonly channelLifetime: number;
  private readonly algorithms: readonly PasswordAlgorithmValue[] | undefined;
  private readonly quota: number;
  private readonly capacity: number;
  private readonly alternateServer: TransportAddress | undefined;
  private readonly forbidden: ReadonlySet<string>;
  private attachment: TurnServerAttachment | undefined;
  private listen: readonly TransportAddress[] = [];
  /** Nonce → the virtual ms it goes stale. */
  private readonly nonces = new Map<string, number>();
  private forcedStale = 0;
  /** By 5-tuple (client>server). */
  private readonly allocations = new Map<string, Allocation>();
  /** By relayed address; a freed port stays here as `undefined` until unbound. */
  private readonly relays = new Map<string, Allocation | undefined>();
  private readonly outbox: SimDatagram[] = [];

  constructor(options: TurnServerOptions) {
    this.rng = options.rng;
    this.users = new Map(Object.entries(options.users));
    this.realm = options.realm ?? "sim.example";
    this.nonceLifetime = options.nonceLifetime ?? 600_000;
    this.defaultLifetime = options.defaultLifetime ?? 600;
    this.maxLifetime = options.maxLifetime ?? 3600;
    this.permissionLifetime = options.permissionLifetime ?? 300;
    this.channelLifetime = options.channelLifetime ?? 600;
    this.algorithms = options.passwordAlgorithms?.map((name) => ({
      algorithm: PasswordAlgorithmCode[name],
      parameters: new Uint8Array(0),
    }));
    this.quota = options.quota ?? Infinity;
    this.capacity = options.capacity ?? Infinity;
    this.alternateServer = options.alternateServer;
    this.forbidden = new Set(options.forbiddenPeers ?? []);
  }

  /**
   * Hands the server its attachment: it listens on every address bound so far (usually one,
   * port 3478) and binds each relayed port with `attachment.bind({ ip })` on the IP the Allocate
   * came in on.
   */
  useAttachment(attachment: TurnServerAttachment): void {
    this.attachment = attachment;
    this.listen = [...attachment.addresses];
  }

  /** The first listening address (where clients send). */
  get address(): TransportAddress {
    const first = this.listen[0];
    if (first === undefined) throw new Error("SimTurnServer: call useAttachment() first");
    return first;
  }

  /**
   * Makes the next `count` requests that pass authentication get 438 Stale Nonce (RFC 8489
   * §9.2.4) with a fresh nonce, as if the server had revoked their nonce.
   */
  forceStaleNonce(count = 1): void {
    this.forcedStale += count;
  }

  /** Live allocations, in creation order. */
  allocationList(): TurnAllocationInfo[] {
    return [...this.allocations.values()].map((a) => ({
      client: a.client,
      server: a.server,
      relayed: a.relayed,
      username: a.username,
      expiresAt: a.expiresAt,
      permissions: new Map(a.permissions),
      channels: new Map([...a.channels].map(([n, c]) => [n, { ...c }])),
    }));
  }

  handleDatagram(now: number, datagram: SimDatagram): boolean {
    const local = key(datagram.local);
    if (this.relays.has(local)) {
      this.fromPeer(now, this.relays.get(local), datagram);
      return true;
    }
    if (!this.listen.some((address) => key(address) === local)) {
      this.counters.ignored++;
      return false;
    }
    const first = datagram.data[0];
    if (first !== undefined && first >= 0x40 && first <= 0x4f) {
      this.channelDataFromClient(now, datagram);
      return true;
    }
    if (!isStunMessage(datagram.data)) {
      this.counters.ignored++;
      return false;
    }
    let message: DecodedStunMessage;
    try {
      message = decodeStunMessage(datagram.data);
    } catch {
      this.counters.ignored++;
      return true;
    }
    if (message.class === "indication" && message.method === StunMethod.Send) {
      this.sendIndication(now, message, datagram);
    } else if (message.class === "request") {
      this.request(now, message, datagram);
    } else {
      this.counters.ignored++;
    }
    return true;
  }

  handleTimeout(now: number): void {
    for (const [tuple, allocation] of this.allocations) {
      if (allocation.expiresAt <= now) {
        this.counters.expiredAllocations++;
        this.remove(tuple, allocation);
        continue;
      }
      for (const [ip, expiresAt] of allocation.permissions) {
        if (expiresAt > now) continue;
        allocation.permissions.delete(ip);
        this.counters.expiredPermissions++;
      }
      for (const [number, channel] of allocation.channels) {
        if (channel.expiresAt > now) continue;
        allocation.channels.delete(number);
        allocation.channelOf.delete(key(channel.peer));
        this.counters.expiredChannels++;
      }
    }
  }

  /** No events (what happens is recorded in its fields). */
  pollEvent(): undefined {
    return undefined;
  }

  pollTransmit(): SimDatagram | undefined {
    return this.outbox.shift();
  }

  pollTimeout(): number | undefined {
    let next = Infinity;
    for (const allocation of this.allocations.values()) {
      next = Math.min(next, allocation.expiresAt);
      for (const expiresAt of allocation.permissions.values()) next = Math.min(next, expiresAt);
      for (const channel of allocation.channels.values()) next = Math.min(next, channel.expiresAt);
    }
    return next === Infinity ? undefined : next;
  }

  // --- requests -------------------------------------------------------------------------------

  private request(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    switch (message.method) {
      case StunMethod.Binding:
        // RFC 8489 §6.3.1 / RFC 8656 §4: a TURN server is also a STUN server.
        this.counters.bindingRequests++;
        this.reply(datagram, message, "success", [attr("XOR-MAPPED-ADDRESS", datagram.remote)]);
        return;
      case StunMethod.Allocate:
        this.counters.allocateRequests++;
        return this.allocate(now, message, datagram);
      case StunMethod.Refresh:
        this.counters.refreshRequests++;
        return this.refresh(now, message, datagram);
      case StunMethod.CreatePermission:
        this.counters.createPermissionRequests++;
        return this.createPermission(now, message, datagram);
      case StunMethod.ChannelBind:
        this.counters.channelBindRequests++;
        return this.channelBind(now, message, datagram);
      default:
        // RFC 8489 §6.3.1: an unknown method in a request gets 400.
        this.fail(datagram, message, StunErrorCode.BadRequest);
    }
  }

  /** RFC 8656 §7.2: receiving an Allocate request. */
  private allocate(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    const auth = this.authenticate(now, message, datagram);
    if (auth === undefined || this.rejectUnknown(message, datagram, auth)) return;
    const tuple = tupleKey(datagram.remote, datagram.local);
    // Step 1: one allocation per 5-tuple; a retransmission gets the same success response.
    const existing = this.allocations.get(tuple);
    if (existing !== undefined) {
      if (existing.transactionId === toHex(message.transactionId)) {
        this.outbox.push({
          local: datagram.local,
          remote: datagram.remote,
          data: existing.response,
        });
      } else {
        this.fail(datagram, message, StunErrorCode.AllocationMismatch, auth);
      }
      return;
    }
    // "At any point, the server MAY choose to reject the request with a 300 (Try Alternate)";
    // after authentication, so that the client can trust it (RFC 8489 §10).
    if (this.alternateServer !== undefined) {
      this.fail(datagram, message, StunErrorCode.TryAlternate, auth, [
        attr("ALTERNATE-SERVER", this.alternateServer),
      ]);
      return;
    }
    // Step 2: REQUESTED-TRANSPORT must be there, and UDP.
    const transport = getAttribute(message, "REQUESTED-TRANSPORT");
    if (transport === undefined)
      return this.fail(datagram, message, StunErrorCode.BadRequest, auth);
    if (transport !== TransportProtocol.UDP) {
      return this.fail(datagram, message, StunErrorCode.UnsupportedTransportProtocol, auth);
    }
    // Steps 3–5: DONT-FRAGMENT is honoured trivially (the simulator never fragments); this
    // server reserves no ports, so RESERVATION-TOKEN and EVEN-PORT cannot be satisfied.
    if (
      getAttribute(message, "RESERVATION-TOKEN") !== undefined ||
      getAttribute(message, "EVEN-PORT") !== undefined
    ) {
      return this.fail(datagram, message, StunErrorCode.InsufficientCapacity, auth);
    }
    // Step 6: the relayed address has the family of the address the request came in on.
    const family = getAttribute(message, "REQUESTED-ADDRESS-FAMILY");
    if (family !== undefined && family !== datagram.local.family) {
      return this.fail(datagram, message, StunErrorCode.AddressFamilyNotSupported, auth);
    }
    // Step 7: quota per username, then the server's own capacity.
    let held = 0;
    for (const allocation of this.allocations.values()) {
      if (allocation.username === auth.username) held++;
    }
    if (held >= this.quota) {
      return this.fail(datagram, message, StunErrorCode.AllocationQuotaReached, auth);
    }
    if (this.allocations.size >= this.capacity) {
      return this.fail(datagram, message, StunErrorCode.InsufficientCapacity, auth);
    }
    let relayed: TransportAddress | undefined;
    try {
      relayed = this.attachment?.bind({ ip: datagram.local.address })[0];
    } catch {
      relayed = undefined; // no free port on the host
    }
    if (relayed === undefined) {
      return this.fail(datagram, message, StunErrorCode.InsufficientCapacity, auth);
    }
    const lifetime = this.desiredLifetime(message);
    const response = this.encode(
      message,
      "success",
      [
        attr("XOR-RELAYED-ADDRESS", relayed),
        attr("LIFETIME", lifetime),
        attr("XOR-MAPPED-ADDRESS", datagram.remote),
      ],
      auth,
    );
    const allocation: Allocation = {
      client: datagram.remote,
      server: datagram.local,
      relayed,
      username: auth.username,
      transactionId: toHex(message.transactionId),
      response,
      expiresAt: now + lifetime * 1000,
      permissions: new Map(),
      channels: new Map(),
      channelOf: new Map(),
    };
    this.allocations.set(tuple, allocation);
    this.relays.set(key(relayed), allocation);
    this.counters.allocationsCreated++;
    this.counters.allocations = this.allocations.size;
    this.outbox.push({ local: datagram.local, remote: datagram.remote, data: response });
  }

  /** RFC 8656 §7.3: receiving a Refresh request. */
  private refresh(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    const found = this.allocationFor(now, message, datagram);
    if (found === undefined) return;
    const { auth, allocation, tuple } = found;
    const lifetime = this.desiredLifetime(message);
    if (lifetime === 0) {
      this.counters.deletedAllocations++;
      this.remove(tuple, allocation);
    } else {
      allocation.expiresAt = now + lifetime * 1000;
    }
    this.reply(datagram, message, "success", [attr("LIFETIME", lifetime)], auth);
  }

  /** RFC 8656 §9.2: receiving a CreatePermission request. */
  private createPermission(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    const found = this.allocationFor(now, message, datagram);
    if (found === undefined) return;
    const { auth, allocation } = found;
    const peers = getAttributes(message, "XOR-PEER-ADDRESS");
    if (peers.length === 0) return this.fail(datagram, message, StunErrorCode.BadRequest, auth);
    // All or nothing: a single unacceptable peer rejects the whole request.
    for (const peer of peers) {
      if (this.rejectPeer(datagram, message, auth, allocation, peer)) return;
    }
    for (const peer of peers) {
      allocation.permissions.set(peer.address, now + this.permissionLifetime * 1000);
    }
    this.reply(datagram, message, "success", [], auth);
  }

  /** RFC 8656 §11.2: receiving a ChannelBind request. */
  private channelBind(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    const found = this.allocationFor(now, message, datagram);
    if (found === undefined) return;
    const { auth, allocation } = found;
    const number = getAttribute(message, "CHANNEL-NUMBER");
    const peer = getAttribute(message, "XOR-PEER-ADDRESS");
    if (number === undefined || !isValidChannelNumber(number) || peer === undefined) {
      return this.fail(datagram, message, StunErrorCode.BadRequest, auth);
    }
    if (this.rejectPeer(datagram, message, auth, allocation, peer)) return;
    // A number is bound to one peer, and a peer to one number.
    const bound = allocation.channels.get(number);
    const numberOfPeer = allocation.channelOf.get(key(peer));
    if (
      (bound !== undefined && key(bound.peer) !== key(peer)) ||
      (numberOfPeer !== undefined && numberOfPeer !== number)
    ) {
      return this.fail(datagram, message, StunErrorCode.BadRequest, auth);
    }
    allocation.channels.set(number, { peer, expiresAt: now + this.channelLifetime * 1000 });
    allocation.channelOf.set(key(peer), number);
    // §11.2: binding a channel installs or refreshes the permission for the peer's IP.
    allocation.permissions.set(peer.address, now + this.permissionLifetime * 1000);
    this.reply(datagram, message, "success", [], auth);
  }

  // --- relaying -------------------------------------------------------------------------------

  /** RFC 8656 §10.2: a Send indication from the client. Indications are not authenticated. */
  private sendIndication(now: number, message: DecodedStunMessage, datagram: SimDatagram): void {
    this.counters.sendIndications++;
    const allocation = this.liveAllocation(now, datagram);
    if (allocation === undefined) {
      this.counters.droppedNoAllocation++;
      return;
    }
    const peer = getAttribute(message, "XOR-PEER-ADDRESS");
    const data = getAttribute(message, "DATA");
    if (peer === undefined || data === undefined) {
      this.counters.droppedMalformed++;
      return;
    }
    this.toPeer(now, allocation, peer, data);
  }

  /** RFC 8656 §12.6: ChannelData from the client goes to the channel's peer. */
  private channelDataFromClient(now: number, datagram: SimDatagram): void {
    let frame;
    try {
      frame = decodeChannelData(datagram.data);
    } catch {
      this.counters.ignored++;
      return;
    }
    this.counters.channelDataFromClient++;
    const allocation = this.liveAllocation(now, datagram);
    if (allocation === undefined) {
      this.counters.droppedNoAllocation++;
      return;
    }
    const channel = allocation.channels.get(frame.channel);
    if (channel === undefined || channel.expiresAt <= now) {
      this.counters.droppedNoChannel++;
      return;
    }
    this.toPeer(now, allocation, channel.peer, frame.data);
  }

  /** Relays `data` from the relayed address to `peer`, if a permission allows (§9). */
  private toPeer(
    now: number,
    allocation: Allocation,
    peer: TransportAddress,
    data: Uint8Array,
  ): void {
    if (!this.permitted(now, allocation, peer)) {
      this.counters.droppedNoPermission++;
      return;
    }
    this.counters.relayedToPeer++;
    this.outbox.push({ local: allocation.relayed, remote: peer, data: data.slice() });
  }

  /**
   * RFC 8656 §11.3 / §12.7: a datagram from a peer at a relayed address goes to the client, as
   * ChannelData when a channel is bound to that peer, else as a Data indication.
   */
  private fromPeer(now: number, allocation: Allocation | undefined, datagram: SimDatagram): void {
    if (allocation === undefined || allocation.expiresAt <= now) {
      this.counters.droppedNoAllocation++;
      return;
    }
    if (!this.permitted(now, allocation, datagram.remote)) {
      this.counters.droppedNoPermission++;
      return;
    }
    const number = allocation.channelOf.get(key(datagram.remote));
    const channel = number === undefined ? undefined : allocation.channels.get(number);
    let data: Uint8Array;
    if (number !== undefined && channel !== undefined && channel.expiresAt > now) {
      this.counters.channelDataToClient++;
      data = encodeChannelData(number, datagram.data);
    } else {
      this.counters.dataIndications++;
      data = encodeStunMessage(
        {
          class: "indication",
          method: StunMethod.Data,
          transactionId: createTransactionId(this.rng),
          attributes: [attr("XOR-PEER-ADDRESS", datagram.remote), attr("DATA", datagram.data)],
        },
        { fingerprint: true },
      );
    }
    this.outbox.push({ local: allocation.server, remote: allocation.client, data });
  }

  private permitted(now: number, allocation: Allocation, peer: TransportAddress): boolean {
    const expiresAt = allocation.permissions.get(peer.address);
    return expiresAt !== undefined && expiresAt > now;
  }

  // --- helpers --------------------------------------------------------------------------------

  /**
   * RFC 8489 §9.2.4, in its order: no integrity → 401 with REALM and NONCE (and
   * PASSWORD-ALGORITHMS); missing USERNAME/USERHASH, REALM or NONCE → 400; a bad algorithm
   * negotiation → 400; an unknown user or a wrong MESSAGE-INTEGRITY(-SHA256) → 401; a nonce that
   * is unknown, stale or forced stale → 438 with a fresh one. Returns undefined once it has
   * answered.
   */
  private authenticate(
    now: number,
    message: DecodedStunMessage,
    datagram: SimDatagram,
  ): Auth | undefined {
    if (message.messageIntegrity === undefined && message.messageIntegritySha256 === undefined) {
      this.challenge(now, datagram, message);
      return undefined;
    }
    const realm = getAttribute(message, "REALM");
    const nonce = getAttribute(message, "NONCE");
    const name = getAttribute(message, "USERNAME");
    const hash = getAttribute(message, "USERHASH");
    if (realm === undefined || nonce === undefined || (name === undefined && hash === undefined)) {
      this.fail(datagram, message, StunErrorCode.BadRequest);
      return undefined;
    }
    const algorithm = this.selectAlgorithm(message);
    if (algorithm === undefined) {
      this.fail(datagram, message, StunErrorCode.BadRequest);
      return undefined;
    }
    const username = name ?? this.userByHash(hash!);
    const password = username === undefined ? undefined : this.users.get(username);
    if (username === undefined || password === undefined || realm !== this.realm) {
      this.challenge(now, datagram, message);
      return undefined;
    }
    const credential = longTermKey(username, this.realm, password, { algorithm });
    const valid =
      message.messageIntegritySha256 !== undefined
        ? verifyMessageIntegritySha256(message, credential)
        : verifyMessageIntegrity(message, credential);
    if (!valid) {
      this.challenge(now, datagram, message);
      return undefined;
    }
    // Answer with the integrity attributes the request used (RFC 8489 §9.2.4).
    const options: EncodeOptions = {
      ...(message.messageIntegrity !== undefined ? { messageIntegrity: credential } : {}),
      ...(message.messageIntegritySha256 !== undefined
        ? { messageIntegritySha256: credential }
        : {}),
      fingerprint: true,
    };
    const auth: Auth = { username, options };
    const staleAt = this.nonces.get(nonce);
    if (staleAt === undefined || staleAt <= now || this.forcedStale > 0) {
      if (staleAt !== undefined && staleAt > now) this.forcedStale--;
      this.nonces.delete(nonce);
      this.fail(datagram, message, StunErrorCode.StaleNonce, auth, this.challengeAttributes(now));
      return undefined;
    }
    return auth;
  }

  /**
   * RFC 8489 §9.2.4: with PASSWORD-ALGORITHMS offered, a request without PASSWORD-ALGORITHMS and
   * PASSWORD-ALGORITHM uses MD5; otherwise it needs both, the list exactly as offered (no
   * bid-down), and a choice from it. Returns undefined for a 400.
   */
  private selectAlgorithm(message: DecodedStunMessage): PasswordAlgorithm | undefined {
    const list = getAttribute(message, "PASSWORD-ALGORITHMS");
    const chosen = getAttribute(message, "PASSWORD-ALGORITHM");
    if (this.algorithms === undefined || (list === undefined && chosen === undefined)) {
      return "MD5";
    }
    if (list === undefined || chosen === undefined) return undefined;
    const same = (a: PasswordAlgorithmValue, b: PasswordAlgorithmValue): boolean =>
      a.algorithm === b.algorithm && toHex(a.parameters) === toHex(b.parameters);
    if (
      list.length !== this.algorithms.length ||
      !list.every((entry, i) => same(entry, this.algorithms![i]!)) ||
      !list.some((entry) => same(entry, chosen))
    ) {
      return undefined;
    }
    if (chosen.algorithm === PasswordAlgorithmCode.MD5) return "MD5";
    if (chosen.algorithm === PasswordAlgorithmCode["SHA-256"]) return "SHA-256";
    return undefined;
  }

  /** RFC 8489 §14.4: the user whose SHA-256(username ":" realm) is `hash`. */
  private userByHash(hash: Uint8Array): string | undefined {
    const wanted = toHex(hash);
    for (const username of this.users.keys()) {
      try {
        if (toHex(userHash(username, this.realm)) === wanted) return username;
      } catch {
        // a username OpaqueString rejects cannot be hashed, so cannot match
      }
    }
    return undefined;
  }

  /** 401 with REALM and a fresh NONCE (and PASSWORD-ALGORITHMS when offered), unsigned. */
  private challenge(now: number, datagram: SimDatagram, message: DecodedStunMessage): void {
    this.fail(
      datagram,
      message,
      StunErrorCode.Unauthorized,
      undefined,
      this.challengeAttributes(now),
    );
  }

  private challengeAttributes(now: number): StunAttribute[] {
    const attributes: StunAttribute[] = [
      attr("REALM", this.realm),
      attr("NONCE", this.issueNonce(now)),
    ];
    if (this.algorithms !== undefined) {
      attributes.push(attr("PASSWORD-ALGORITHMS", this.algorithms));
    }
    return attributes;
  }

  private issueNonce(now: number): string {
    for (const [nonce, staleAt] of this.nonces) if (staleAt <= now) this.nonces.delete(nonce);
    const random = new Uint8Array(12);
    this.rng.fill(random);
    const nonce = `${this.algorithms === undefined ? "" : NONCE_COOKIE_PASSWORD_ALGORITHMS}${toHex(random)}`;
    this.nonces.set(nonce, now + this.nonceLifetime);
    return nonce;
  }

  /** RFC 8489 §6.3.1: comprehension-required attributes we do not know → 420. */
  private rejectUnknown(message: DecodedStunMessage, datagram: SimDatagram, auth: Auth): boolean {
    if (message.unknownComprehensionRequired.length === 0) return false;
    this.fail(datagram, message, StunErrorCode.UnknownAttribute, auth, [
      attr("UNKNOWN-ATTRIBUTES", message.unknownComprehensionRequired),
    ]);
    return true;
  }

  /**
   * The common front of Refresh, CreatePermission and ChannelBind (RFC 8656 §5): authenticate,
   * find the 5-tuple's allocation (else 437) and check it belongs to the same username (else
   * 441).
   */
  private allocationFor(
    now: number,
    message: DecodedStunMessage,
    datagram: SimDatagram,
  ): { auth: Auth; allocation: Allocation; tuple: string } | undefined {
    const auth = this.authenticate(now, message, datagram);
    if (auth === undefined || this.rejectUnknown(message, datagram, auth)) return undefined;
    const tuple = tupleKey(datagram.remote, datagram.local);
    const allocation = this.allocations.get(tuple);
    if (allocation === undefined || allocation.expiresAt <= now) {
      this.fail(datagram, message, StunErrorCode.AllocationMismatch, auth);
      return undefined;
    }
    if (allocation.username !== auth.username) {
      this.fail(datagram, message, StunErrorCode.WrongCredentials, auth);
      return undefined;
    }
    return { auth, allocation, tuple };
  }

  /** RFC 8656 §9.2 / §11.2: 443 for a peer of another family, 403 for a forbidden one. */
  private rejectPeer(
    datagram: SimDatagram,
    message: DecodedStunMessage,
    auth: Auth,
    allocation: Allocation,
    peer: TransportAddress,
  ): boolean {
    if (peer.family !== allocation.relayed.family) {
      this.fail(datagram, message, StunErrorCode.PeerAddressFamilyMismatch, auth);
      return true;
    }
    if (this.forbidden.has(peer.address)) {
      this.fail(datagram, message, StunErrorCode.Forbidden, auth);
      return true;
    }
    return false;
  }

  /** RFC 8656 §7.2–7.3: max(default, min(requested, max)); a requested 0 stays 0 (Refresh). */
  private desiredLifetime(message: DecodedStunMessage): number {
    const requested = getAttribute(message, "LIFETIME");
    if (requested === undefined) return this.defaultLifetime;
    if (requested === 0 && message.method === StunMethod.Refresh) return 0;
    return Math.max(this.defaultLifetime, Math.min(requested, this.maxLifetime));
  }

  private liveAllocation(now: number, datagram: SimDatagram): Allocation | undefined {
    const allocation = this.allocations.get(tupleKey(datagram.remote, datagram.local));
    return allocation !== undefined && allocation.expiresAt > now ? allocation : undefined;
  }

  /** Deletes an allocation: its relayed port stops relaying and is unbound when possible. */
  private remove(tuple: string, allocation: Allocation): void {
    this.allocations.delete(tuple);
    this.counters.allocations = this.allocations.size;
    const relayed = key(allocation.relayed);
    if (this.attachment?.unbind !== undefined) {
      this.attachment.unbind(allocation.relayed);
      this.relays.delete(relayed);
    } else {
      this.relays.set(relayed, undefined);
    }
  }

  private fail(
    datagram: SimDatagram,
    message: DecodedStunMessage,
    code: number,
    auth?: Auth,
    extra: readonly StunAttribute[] = [],
  ): void {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
    if (code === StunErrorCode.Unauthorized) this.counters.unauthorized++;
    if (code === StunErrorCode.StaleNonce) this.counters.staleNonces++;
    const reason = reasons[code] ?? "Error";
    this.reply(datagram, message, "error", [attr("ERROR-CODE", { code, reason }), ...extra], auth);
  }

  private reply(
    datagram: SimDatagram,
    message: DecodedStunMessage,
    cls: "success" | "error",
    attributes: readonly StunAttribute[],
    auth?: Auth,
  ): void {
    const data = this.encode(message, cls, attributes, auth);
    this.outbox.push({ local: datagram.local, remote: datagram.remote, data });
  }

  /** A response to `message`, signed when authenticated, always with FINGERPRINT. */
  private encode(
    message: DecodedStunMessage,
    cls: "success" | "error",
    attributes: readonly StunAttribute[],
    auth?: Auth,
  ): Uint8Array {
    return encodeStunMessage(
      { class: cls, method: message.method, transactionId: message.transactionId, attributes },
      auth?.options ?? { fingerprint: true },
    );
  }
}
