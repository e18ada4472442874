import { readU16, writeU16 } from "../common/bytes.js";
import { HEADER_LENGTH } from "../stun/constants.js";
import { StunDecodeError } from "../stun/errors.js";

/** Lowest TURN channel number (RFC 8656 §12). */
export const MIN_CHANNEL_NUMBER = 0x4000;
/** Highest TURN channel number (RFC 8656 §12). */
export const MAX_CHANNEL_NUMBER = 0x4fff;

/** The 4-byte ChannelData header: channel number and data length (RFC 8656 §12.4). */
export const CHANNEL_DATA_HEADER_LENGTH = 4;

/** A decoded ChannelData message. */
export interface ChannelData {
  readonly channel: number;
  /** The application data (a view into the input, not a copy). */
  readonly data: Uint8Array;
}

/** True for 0x4000–0x4FFF, the numbers a client may bind (RFC 8656 §12). */
export function isValidChannelNumber(channel: number): boolean {
  return (
    Number.isInteger(channel) && channel >= MIN_CHANNEL_NUMBER && channel <= MAX_CHANNEL_NUMBER
  );
}

/**
 * Frames `data` as a ChannelData message (RFC 8656 §12.4). Over TCP/TLS pass `pad: true`: the
 * message is then padded to a multiple of 4 bytes (RFC 8656 §12.5); over UDP padding is optional
 * and off by default.
 * @throws {RangeError} for a channel outside 0x4000–0x4FFF or data over 65535 bytes.
 */
export function encodeChannelData(channel: number, data: Uint8Array, pad = false): Uint8Array {
  if (!isValidChannelNumber(channel))
    throw new RangeError(`channel 0x${channel.toString(16)} is not in 0x4000..0x4fff`);
  if (data.length > 0xffff)
    throw new RangeError(`ChannelData carries at most 65535 bytes, got ${data.length}`);
  const padded = pad ? (data.length + 3) & ~3 : data.length;
  const out = new Uint8Array(CHANNEL_DATA_HEADER_LENGTH + padded);
  writeU16(out, 0, channel);
  writeU16(out, 2, data.length);
  out.set(data, CHANNEL_DATA_HEADER_LENGTH);
  return out;
}

/**
 * Decodes one ChannelData message that fills `bytes` (a UDP datagram or one stream frame). Up to
 * 3 bytes of padding after the data are accepted (RFC 8656 §12.5).
 * @throws {StunDecodeError} with `where` `channel-data/…` when the bytes are not ChannelData.
 */
export function decodeChannelData(bytes: Uint8Array): ChannelData {
  if (bytes.length < CHANNEL_DATA_HEADER_LENGTH) {
    throw new StunDecodeError(
      "channel-data/header",
      0,
      `${bytes.length} bytes, the header needs 4`,
    );
  }
  const channel = readU16(bytes, 0);
  if (!isValidChannelNumber(channel)) {
    throw new StunDecodeError(
      "channel-data/channel",
      0,
      `channel 0x${channel.toString(16)} is not in 0x4000..0x4fff`,
    );
  }
  const length = readU16(bytes, 2);
  const end = CHANNEL_DATA_HEADER_LENGTH + length;
  if (end > bytes.length) {
    throw new StunDecodeError(
      "channel-data/length",
      2,
      `states ${length} bytes, only ${bytes.length - 4} follow`,
    );
  }
  if (bytes.length - end > 3) {
    throw new StunDecodeError(
      "channel-data/length",
      2,
      `${bytes.length - end} bytes after the data, padding is at most 3`,
    );
  }
  return { channel, data: bytes.subarray(CHANNEL_DATA_HEADER_LENGTH, end) };
}

/**
 * The size of the frame at the start of a TCP/TLS stream buffer (RFC 8656 §12.5): a STUN message
 * (20 + length) or a ChannelData message (4 + length, padded to 4). Returns undefined while
 * fewer than 4 bytes are buffered.
 * @throws {StunDecodeError} when the first two bits say neither STUN (00) nor ChannelData (01).
 */
export function streamFrameLength(buffer: Uint8Array): number | undefined {
  if (buffer.length < 4) return undefined;
  const first = buffer[0]!;
  const length = readU16(buffer, 2);
  if (first >> 6 === 0) return HEADER_LENGTH + length;
  if (first >> 6 === 1) return CHANNEL_DATA_HEADER_LENGTH + ((length + 3) & ~3);
  throw new StunDecodeError(
    "stream/frame",
    0,
    `first byte 0x${first.toString(16)} is neither STUN nor ChannelData`,
  );
}
