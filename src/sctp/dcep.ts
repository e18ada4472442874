/**
 * The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN (§5.1) and
 * DATA_CHANNEL_ACK (§5.2), carried on the channel's own stream with PPID 50, and the payload
 * protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).
 */
import { readU16, readU32, utf8Decode, utf8Encode, writeU16, writeU32 } from "../common/bytes.js";
import { SctpDecodeError, SctpError } from "./errors.js";

/** Payload protocol identifiers (RFC 8831 §8, IANA "SCTP Payload Protocol Identifiers"). */
export const Ppid = {
  DCEP: 50,
  STRING: 51,
  /** Deprecated: one part of a string message (RFC 8831 §6.6). Accepted on receive. */
  STRING_PARTIAL: 52,
  BINARY: 53,
  /** Deprecated: one part of a binary message. Accepted on receive. */
  BINARY_PARTIAL: 54,
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

/** DCEP message types (§8.2.1). */
export const DcepMessageType = { ACK: 0x02, OPEN: 0x03 } as const;

/** Channel types (§5.1, §8.2.2): 0x80 is the unordered bit. */
export const ChannelType = {
  RELIABLE: 0x00,
  PARTIAL_RELIABLE_REXMIT: 0x01,
  PARTIAL_RELIABLE_TIMED: 0x02,
  RELIABLE_UNORDERED: 0x80,
  PARTIAL_RELIABLE_REXMIT_UNORDERED: 0x81,
  PARTIAL_RELIABLE_TIMED_UNORDERED: 0x82,
} as const;

/** Priorities of §5.1 (RFC 8831 §6.4 / W3C `RTCPriorityType`). */
export const ChannelPriority = {
  BELOW_NORMAL: 128,
  NORMAL: 256,
  HIGH: 512,
  EXTRA_HIGH: 1024,
} as const;

/** What a DATA_CHANNEL_OPEN says about the channel. */
export interface ChannelParameters {
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  /** Retransmissions allowed (partially reliable by count), or `undefined`. */
  readonly maxRetransmits: number | undefined;
  /** Lifetime in ms (partially reliable by time), or `undefined`. */
  readonly maxPacketLifeTime: number | undefined;
  readonly priority: number;
}

/** A decoded DCEP message. */
export type DcepMessage =
  ({ readonly type: "open" } & ChannelParameters) | { readonly type: "ack" };

/**
 * Encodes a DATA_CHANNEL_OPEN.
 * @throws {SctpError} `invalid-argument` for a label or protocol over 65535 bytes.
 */
export function encodeOpen(p: ChannelParameters): Uint8Array {
  const label = utf8Encode(p.label);
  const protocol = utf8Encode(p.protocol);
  if (label.length > 0xffff || protocol.length > 0xffff) {
    throw new SctpError("invalid-argument", "label and protocol must each fit in 65535 bytes");
  }
  let type: number = ChannelType.RELIABLE;
  let reliability = 0;
  if (p.maxRetransmits !== undefined) {
    type = ChannelType.PARTIAL_RELIABLE_REXMIT;
    reliability = p.maxRetransmits;
  } else if (p.maxPacketLifeTime !== undefined) {
    type = ChannelType.PARTIAL_RELIABLE_TIMED;
    reliability = p.maxPacketLifeTime;
  }
  if (!p.ordered) type |= 0x80;
  const out = new Uint8Array(12 + label.length + protocol.length);
  out[0] = DcepMessageType.OPEN;
  out[1] = type;
  writeU16(out, 2, p.priority);
  writeU32(out, 4, reliability);
  writeU16(out, 8, label.length);
  writeU16(out, 10, protocol.length);
  out.set(label, 12);
  out.set(protocol, 12 + label.length);
  return out;
}

/** The one-byte DATA_CHANNEL_ACK. */
export function encodeAck(): Uint8Array {
  return new Uint8Array([DcepMessageType.ACK]);
}

/**
 * Decodes a DCEP message.
 * @throws {SctpDecodeError} for an unknown message or channel type, or lengths past the end.
 */
export function decodeDcep(bytes: Uint8Array): DcepMessage {
  const type = bytes[0];
  if (type === DcepMessageType.ACK) return { type: "ack" };
  if (type !== DcepMessageType.OPEN) throw new SctpDecodeError(`unknown DCEP message ${type}`);
  if (bytes.length < 12) throw new SctpDecodeError(`DATA_CHANNEL_OPEN of ${bytes.length} bytes`);
  const channelType = bytes[1]!;
  const labelLength = readU16(bytes, 8);
  const protocolLength = readU16(bytes, 10);
  if (12 + labelLength + protocolLength > bytes.length) {
    throw new SctpDecodeError("DATA_CHANNEL_OPEN label and protocol run past the message");
  }
  const reliability = readU32(bytes, 4);
  const kind = channelType & 0x7f;
  if (kind > 2) throw new SctpDecodeError(`unknown channel type 0x${channelType.toString(16)}`);
  return {
    type: "open",
    ordered: (channelType & 0x80) === 0,
    maxRetransmits: kind === 1 ? reliability : undefined,
    maxPacketLifeTime: kind === 2 ? reliability : undefined,
    priority: readU16(bytes, 2),
    label: utf8Decode(bytes, 12, 12 + labelLength),
    protocol: utf8Decode(bytes, 12 + labelLength, 12 + labelLength + protocolLength),
  };
}
