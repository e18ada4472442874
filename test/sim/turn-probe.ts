/**
 * A tiny TURN test client endpoint (RFC 8656 over UDP) on the project's STUN codec, for driving
 * {@link SimTurnServer} in tests before the real TURN client exists. It sends requests once (no
 * retransmissions: use it on lossless links), answers a 401 to a request sent without
 * credentials and every 438 by resending with the new REALM/NONCE, and records what it gets.
 */
import type { TransportAddress } from "../../src/common/address.js";
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
import { decodeChannelData, encodeChannelData } from "../../src/turn/index.js";
import type { DatagramSansIo } from "../../src/common/sans-io.js";
import type { SimDatagram } from "./types.js";

/** Options of a {@link TurnProbe}. */
export interface TurnProbeOptions {
  readonly rng: Rng;
  /** The TURN server's listening address. */
  readonly server: TransportAddress;
  readonly username: string;
  readonly password: string;
  /**
   * The algorithm to pick when the server offers PASSWORD-ALGORITHMS (RFC 8489 §9.2.5). Without
   * an offer the key is MD5 and no algorithm attributes are sent. @default "MD5"
   */
  readonly passwordAlgorithm?: PasswordAlgorithm;
  /** Sign with MESSAGE-INTEGRITY ("sha1") or MESSAGE-INTEGRITY-SHA256. @default "sha1" */
  readonly integrity?: "sha1" | "sha256";
  /** Send USERHASH (RFC 8489 §14.4) instead of USERNAME. @default false */
  readonly userhash?: boolean;
  /** How many times one request is sent at most (the first try and the 401/438 retries). @default 3 */
  readonly maxAttempts?: number;
}

/** One request and its answers. */
export interface TurnExchange {
  readonly method: number;
  /** Times it was sent (retries included, {@link TurnProbe.resend} excluded). */
  attempts: number;
  /** Every response, in arrival order (a 401/438 that was retried included). */
  readonly responses: DecodedStunMessage[];
  /** Whether each response's MESSAGE-INTEGRITY(-SHA256) checked out with our key. */
  readonly verified: boolean[];
  /** The answer that ended it (undefined while pending). */
  final?: DecodedStunMessage;
  /** ERROR-CODE of {@link final}, when it is an error. */
  errorCode?: number;
}

/** What reached the client from a peer through the relay. */
export type RelayedToClient =
  | {
      readonly at: number;
      readonly kind: "data";
      readonly peer: TransportAddress;
      readonly data: Uint8Array;
    }
  | {
      readonly at: number;
      readonly kind: "channel";
      readonly channel: number;
      readonly data: Uint8Array;
    };

interface Pending {
  readonly exchange: TurnExchange;
  readonly attributes: readonly StunAttribute[];
  /** The last bytes sent for it, for {@link TurnProbe.resend}. */
  bytes: Uint8Array;
  credentials: boolean;
  key: Uint8Array | undefined;
}

/** See the module comment. Attach it, call {@link useAttachment}, drive it with `att.input()`. */
export class TurnProbe implements DatagramSansIo<SimDatagram, never> {
  /** Peer data that came through the relay, in arrival order. */
  readonly relayed: RelayedToClient[] = [];
  /** Datagrams that were neither a known response nor relayed data. */
  readonly other: SimDatagram[] = [];
  /** The REALM and NONCE in use (learnt from 401/438). */
  realm: string | undefined;
  nonce: string | undefined;
  private offered: readonly PasswordAlgorithmValue[] | undefined;
  private local: TransportAddress | undefined;
  private readonly byId = new Map<string, Pending>();
  private readonly outbox: SimDatagram[] = [];

  private username: string;
  private password: string;

  constructor(private readonly options: TurnProbeOptions) {
    this.username = options.username;
    this.password = options.password;
  }

  /** Switches to other credentials for the next requests (e.g. to provoke 441). */
  useCredentials(username: string, password: string): void {
    this.username = username;
    this.password = password;
  }

  /** Sends from the attachment's first address. */
  useAttachment(attachment: { readonly addresses: readonly TransportAddress[] }): void {
    this.local = attachment.addresses[0];
  }

  /** Allocate (RFC 8656 §7.1) with REQUESTED-TRANSPORT UDP unless `attributes` bring their own. */
  allocate(attributes: readonly StunAttribute[] = []): TurnExchange {
    const transport = attributes.some((a) => a.type === "REQUESTED-TRANSPORT")
      ? []
      : [attr("REQUESTED-TRANSPORT", TransportProtocol.UDP)];
    return this.request(StunMethod.Allocate, [...transport, ...attributes]);
  }

  /** Refresh (§7.3); `lifetime` 0 deletes the allocation. */
  refresh(lifetime?: number): TurnExchange {
    return this.request(
      StunMethod.Refresh,
      lifetime === undefined ? [] : [attr("LIFETIME", lifetime)],
    );
  }

  /** CreatePermission (§9.1) for one or more peers. */
  createPermission(...peers: TransportAddress[]): TurnExchange {
    return this.request(
      StunMethod.CreatePermission,
      peers.map((peer) => attr("XOR-PEER-ADDRESS", peer)),
    );
  }

  /** ChannelBind (§11.1). */
  channelBind(channel: number, peer: TransportAddress): TurnExchange {
    return this.request(StunMethod.ChannelBind, [
      attr("CHANNEL-NUMBER", channel),
      attr("XOR-PEER-ADDRESS", peer),
    ]);
  }

  /** A Send indication (§10.1): XOR-PEER-ADDRESS and DATA, unauthenticated. */
  sendIndication(peer: TransportAddress, data: Uint8Array): void {
    const bytes = encodeStunMessage(
      {
        class: "indication",
        method: StunMethod.Send,
        transactionId: createTransactionId(this.options.rng),
        attributes: [attr("XOR-PEER-ADDRESS", peer), attr("DATA", data)],
      },
      { fingerprint: true },
    );
    this.push(bytes);
  }

  /** A ChannelData message (§12.4). */
  sendChannelData(channel: number, data: Uint8Array): void {
    this.push(encodeChannelData(channel, data));
  }

  /** Any request, with credentials once a REALM/NONCE is known. */
  request(method: number, attributes: readonly StunAttribute[]): TurnExchange {
    const exchange: TurnExchange = { method, attempts: 0, responses: [], verified: [] };
    const pending: Pending = {
      exchange,
      attributes,
      bytes: new Uint8Array(0),
      credentials: false,
      key: undefined,
    };
    this.transmit(pending);
    return exchange;
  }

  /** Sends the exchange's last request again, byte for byte (a retransmission). */
  resend(exchange: TurnExchange): void {
    for (const pending of this.byId.values()) {
      if (pending.exchange === exchange) {
        this.push(pending.bytes);
        return;
      }
    }
    throw new Error("TurnProbe: unknown exchange");
  }

  handleDatagram(now: number, datagram: SimDatagram): boolean {
    const first = datagram.data[0];
    if (first !== undefined && first >= 0x40 && first <= 0x4f) {
      try {
        const frame = decodeChannelData(datagram.data);
        this.relayed.push({
          at: now,
          kind: "channel",
          channel: frame.channel,
          data: frame.data.slice(),
        });
        return true;
      } catch {
        // recorded below
      }
    } else if (isStunMessage(datagram.data)) {
      try {
        const message = decodeStunMessage(datagram.data);
        if (message.class === "indication" && message.method === StunMethod.Data) {
          const peer = getAttribute(message, "XOR-PEER-ADDRESS");
          const data = getAttribute(message, "DATA");
          if (peer !== undefined && data !== undefined) {
            this.relayed.push({ at: now, kind: "data", peer, data });
            return true;
          }
        }
        const pending = this.byId.get(toHex(message.transactionId));
        if (pending !== undefined && (message.class === "success" || message.class === "error")) {
          this.response(pending, message);
          return true;
        }
      } catch {
        // recorded below
      }
    }
    this.other.push(datagram);
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

  private response(pending: Pending, message: DecodedStunMessage): void {
    const { exchange } = pending;
    exchange.responses.push(message);
    const key = pending.key;
    exchange.verified.push(
      key !== undefined &&
        (message.messageIntegritySha256 !== undefined
          ? verifyMessageIntegritySha256(message, key)
          : verifyMessageIntegrity(message, key)),
    );
    if (exchange.final !== undefined) return; // a duplicate or the answer to a resend
    const code = getAttribute(message, "ERROR-CODE")?.code;
    const nonce = getAttribute(message, "NONCE");
    const retry =
      message.class === "error" &&
      nonce !== undefined &&
      ((code === StunErrorCode.Unauthorized && !pending.credentials) ||
        code === StunErrorCode.StaleNonce) &&
      exchange.attempts < (this.options.maxAttempts ?? 3);
    if (nonce !== undefined) this.nonce = nonce;
    const realm = getAttribute(message, "REALM");
    if (realm !== undefined) this.realm = realm;
    const offered = getAttribute(message, "PASSWORD-ALGORITHMS");
    if (offered !== undefined) this.offered = offered;
    if (retry) {
      this.transmit(pending);
      return;
    }
    exchange.final = message;
    if (code !== undefined) exchange.errorCode = code;
  }

  private transmit(pending: Pending): void {
    const { username, password } = this;
    const { rng } = this.options;
    const attributes = [...pending.attributes];
    let options: EncodeOptions = { fingerprint: true };
    pending.credentials = false;
    pending.key = undefined;
    if (this.realm !== undefined && this.nonce !== undefined) {
      let algorithm: PasswordAlgorithm = "MD5";
      attributes.push(
        this.options.userhash === true
          ? attr("USERHASH", userHash(username, this.realm))
          : attr("USERNAME", username),
        attr("REALM", this.realm),
        attr("NONCE", this.nonce),
      );
      if (this.offered !== undefined) {
        algorithm = this.options.passwordAlgorithm ?? "MD5";
        attributes.push(
          attr("PASSWORD-ALGORITHMS", this.offered),
          attr("PASSWORD-ALGORITHM", {
            algorithm: PasswordAlgorithmCode[algorithm],
            parameters: new Uint8Array(0),
          }),
        );
      }
      const key = longTermKey(username, this.realm, password, { algorithm });
      options =
        this.options.integrity === "sha256"
          ? { messageIntegritySha256: key, fingerprint: true }
          : { messageIntegrity: key, fingerprint: true };
      pending.credentials = true;
      pending.key = key;
    }
    const transactionId = createTransactionId(rng);
    pending.bytes = encodeStunMessage(
      { class: "request", method: pending.exchange.method, transactionId, attributes },
      options,
    );
    pending.exchange.attempts++;
    this.byId.set(toHex(transactionId), pending);
    this.push(pending.bytes);
  }

  private push(data: Uint8Array): void {
    if (this.local === undefined) throw new Error("TurnProbe: call useAttachment() first");
    this.outbox.push({ local: this.local, remote: this.options.server, data });
  }
}
