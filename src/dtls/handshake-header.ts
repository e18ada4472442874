/**
 * The DTLS handshake header (RFC 6347 §4.2.2): every handshake message carries its sequence
 * number and may be cut into fragments, each with its offset and length.
 * @module
 */
import { DtlsDecodeError } from "./errors.js";

/** Bytes of a handshake header. */
export const HANDSHAKE_HEADER_LENGTH = 12;

/** One handshake fragment as received. */
export interface HandshakeFragment {
  readonly msgType: number;
  /** Length of the whole message body. */
  readonly length: number;
  readonly messageSeq: number;
  readonly fragmentOffset: number;
  /** A view of this fragment's bytes of the body. */
  readonly body: Uint8Array;
}

/**
 * Decodes the handshake fragments of one record's plaintext (a record may hold several, RFC 6347
 * §4.2.3). Throws {@link DtlsDecodeError} on a header that does not fit.
 */
export function decodeHandshakeFragments(plaintext: Uint8Array): HandshakeFragment[] {
  const out: HandshakeFragment[] = [];
  let offset = 0;
  while (offset < plaintext.length) {
    if (plaintext.length - offset < HANDSHAKE_HEADER_LENGTH)
      throw new DtlsDecodeError("handshake", `truncated header at ${offset}`);
    const b = plaintext;
    const u24 = (o: number): number => (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
    const msgType = b[offset]!;
    const length = u24(offset + 1);
    const messageSeq = (b[offset + 4]! << 8) | b[offset + 5]!;
    const fragmentOffset = u24(offset + 6);
    const fragmentLength = u24(offset + 9);
    const start = offset + HANDSHAKE_HEADER_LENGTH;
    if (start + fragmentLength > plaintext.length)
      throw new DtlsDecodeError("handshake", `fragment of ${fragmentLength} bytes cut short`);
    if (fragmentOffset + fragmentLength > length)
      throw new DtlsDecodeError("handshake", "fragment extends past the message length");
    out.push({
      msgType,
      length,
      messageSeq,
      fragmentOffset,
      body: plaintext.subarray(start, start + fragmentLength),
    });
    offset = start + fragmentLength;
  }
  return out;
}

/** Writes a handshake header for a fragment (or a whole message: offset 0, full length). */
export function writeHandshakeHeader(
  out: Uint8Array,
  offset: number,
  msgType: number,
  length: number,
  messageSeq: number,
  fragmentOffset: number,
  fragmentLength: number,
): void {
  const u24 = (o: number, v: number): void => {
    out[o] = v >>> 16;
    out[o + 1] = v >>> 8;
    out[o + 2] = v;
  };
  out[offset] = msgType;
  u24(offset + 1, length);
  out[offset + 4] = messageSeq >>> 8;
  out[offset + 5] = messageSeq;
  u24(offset + 6, fragmentOffset);
  u24(offset + 9, fragmentLength);
}

/**
 * A whole message with its header, as it enters the handshake transcript: RFC 6347 §4.2.6 hashes
 * each message as if it had been sent in one fragment.
 */
export function encodeHandshakeMessage(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + body.length);
  writeHandshakeHeader(out, 0, msgType, body.length, messageSeq, 0, body.length);
  out.set(body, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/**
 * Cuts a message (header + body, as {@link encodeHandshakeMessage} made it) into fragments of at
 * most `maxFragment` body bytes each, every one with its own header (RFC 6347 §4.2.3).
 */
export function fragmentHandshakeMessage(message: Uint8Array, maxFragment: number): Uint8Array[] {
  const body = message.subarray(HANDSHAKE_HEADER_LENGTH);
  if (body.length <= maxFragment) return [message];
  const msgType = message[0]!;
  const messageSeq = (message[4]! << 8) | message[5]!;
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < body.length; offset += maxFragment) {
    const length = Math.min(maxFragment, body.length - offset);
    const fragment = new Uint8Array(HANDSHAKE_HEADER_LENGTH + length);
    writeHandshakeHeader(fragment, 0, msgType, body.length, messageSeq, offset, length);
    fragment.set(body.subarray(offset, offset + length), HANDSHAKE_HEADER_LENGTH);
    out.push(fragment);
  }
  return out;
}
