import { copyBytes, readU16, readU32, writeU16, writeU32 } from "../common/bytes.js";
import { codecByCode, codecByName, type NamedCodec } from "./attribute-codecs.js";
import type { StunAttribute, StunAttributeName, StunAttributeValues } from "./attribute-types.js";
import {
  AttributeCode,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  MAX_BODY_LENGTH,
  isComprehensionRequired,
  type StunClass,
} from "./constants.js";
import { StunDecodeError, StunEncodeError } from "./errors.js";
import { encodeMessageType, messageClassOf, messageMethodOf } from "./header.js";
import {
  FINGERPRINT_SIZE,
  MESSAGE_INTEGRITY_SHA256_SIZE,
  MESSAGE_INTEGRITY_SIZE,
  fingerprintOver,
  hmacOver,
  receivedFingerprint,
  type IntegrityField,
} from "./integrity.js";

/** A STUN message as plain data (RFC 8489 §5–6). */
export interface StunMessage {
  readonly class: StunClass;
  /** 12-bit method, e.g. `StunMethod.Binding`. */
  readonly method: number;
  /** 12 bytes (RFC 8489 §5: 96 random bits). */
  readonly transactionId: Uint8Array;
  /**
   * Attributes in wire order, without MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
   * FINGERPRINT (the encoder adds those from {@link EncodeOptions}).
   */
  readonly attributes: readonly StunAttribute[];
}

/** A message decoded from bytes, with what the integrity checks need. */
export interface DecodedStunMessage extends StunMessage {
  /** The bytes it was decoded from (not copied). */
  readonly raw: Uint8Array;
  /** MESSAGE-INTEGRITY (HMAC-SHA1), if present: verify it with `verifyMessageIntegrity`. */
  readonly messageIntegrity: IntegrityField | undefined;
  /** MESSAGE-INTEGRITY-SHA256, if present: verify it with `verifyMessageIntegritySha256`. */
  readonly messageIntegritySha256: IntegrityField | undefined;
  /** True when a FINGERPRINT was present (decoding fails when it does not match). */
  readonly fingerprint: boolean;
  /**
   * Attributes that followed MESSAGE-INTEGRITY(-SHA256) or FINGERPRINT and were ignored, as
   * RFC 8489 §14.5–14.7 requires. They are not in `attributes`.
   */
  readonly ignoredAttributes: number;
  /** Comprehension-required attribute codes (< 0x8000) this codec does not know (for a 420). */
  readonly unknownComprehensionRequired: readonly number[];
}

/** What the encoder appends after the attributes. */
export interface EncodeOptions {
  /** Key for MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5). */
  readonly messageIntegrity?: Uint8Array;
  /** Key for MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6), placed after MESSAGE-INTEGRITY. */
  readonly messageIntegritySha256?: Uint8Array;
  /** Append FINGERPRINT (RFC 8489 §14.7). @default false */
  readonly fingerprint?: boolean;
  /**
   * Byte used for attribute padding. RFC 8489 §14 lets it be anything; RFC 5769's samples use
   * 0x20. @default 0
   */
  readonly paddingByte?: number;
}

const structural = new Set<number>([
  AttributeCode["MESSAGE-INTEGRITY"],
  AttributeCode["MESSAGE-INTEGRITY-SHA256"],
  AttributeCode.FINGERPRINT,
]);

// One scratch buffer for every encode: room for the largest message plus one attribute that
// overruns it (checked afterwards) and the trailing integrity attributes. Encoding never
// yields to other code, so sharing it is safe.
const scratch = new Uint8Array(HEADER_LENGTH + MAX_BODY_LENGTH + 4 + 0xffff + 4 + 128);

/**
 * Encodes a message (RFC 8489 §5–6, §14), appending MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT as `options` asks.
 * @throws {StunEncodeError} for values out of range or a message over 65535 body bytes.
 */
export function encodeStunMessage(message: StunMessage, options: EncodeOptions = {}): Uint8Array {
  const { transactionId, method } = message;
  if (transactionId.length !== 12) {
    throw new StunEncodeError(
      "header/transaction-id",
      `expected 12 bytes, got ${transactionId.length}`,
    );
  }
  if (!Number.isInteger(method) || method < 0 || method > 0xfff) {
    throw new StunEncodeError("header/method", `method ${method} is not in 0..0xfff`);
  }
  const out = scratch;
  writeU16(out, 0, encodeMessageType(method, message.class));
  writeU32(out, 4, MAGIC_COOKIE);
  out.set(transactionId, 8);
  const paddingByte = options.paddingByte ?? 0;
  let offset = HEADER_LENGTH;
  for (const attribute of message.attributes) {
    let code: number;
    let length: number;
    if (attribute.type === "unknown") {
      code = attribute.code;
      if (
        !Number.isInteger(code) ||
        code < 0 ||
        code > 0xffff ||
        codecByCode.has(code) ||
        structural.has(code)
      ) {
        throw new StunEncodeError(
          "attribute/unknown",
          `code ${code} is not a free attribute code; use the typed form`,
        );
      }
      if (attribute.value.length > 0xffff)
        throw new StunEncodeError("attribute/unknown", "value too long");
      out.set(attribute.value, offset + 4);
      length = attribute.value.length;
    } else {
      const codec = codecByName.get(attribute.type);
      if (codec === undefined)
        throw new StunEncodeError("attribute", `unknown attribute type ${String(attribute.type)}`);
      code = codec.code;
      length = codec.write(attribute.value, out, offset + 4, transactionId);
    }
    writeU16(out, offset, code);
    writeU16(out, offset + 2, length);
    offset += 4 + length;
    while (offset % 4 !== 0) out[offset++] = paddingByte;
    if (offset - HEADER_LENGTH > MAX_BODY_LENGTH) {
      throw new StunEncodeError("message", "longer than 65535 bytes after the header");
    }
  }
  if (options.messageIntegrity !== undefined) {
    offset = appendMac(out, offset, "sha1", options.messageIntegrity);
  }
  if (options.messageIntegritySha256 !== undefined) {
    offset = appendMac(out, offset, "sha256", options.messageIntegritySha256);
  }
  if (options.fingerprint === true) {
    writeU16(out, 2, offset + FINGERPRINT_SIZE - HEADER_LENGTH);
    const crc = fingerprintOver(out, offset);
    writeU16(out, offset, AttributeCode.FINGERPRINT);
    writeU16(out, offset + 2, 4);
    writeU32(out, offset + 4, crc);
    offset += FINGERPRINT_SIZE;
  }
  if (offset - HEADER_LENGTH > MAX_BODY_LENGTH) {
    throw new StunEncodeError("message", "longer than 65535 bytes after the header");
  }
  writeU16(out, 2, offset - HEADER_LENGTH);
  return out.slice(0, offset);
}

function appendMac(
  out: Uint8Array,
  offset: number,
  algorithm: "sha1" | "sha256",
  key: Uint8Array,
): number {
  const size = algorithm === "sha1" ? MESSAGE_INTEGRITY_SIZE : MESSAGE_INTEGRITY_SHA256_SIZE;
  // RFC 8489 §14.5: the length field covers the integrity attribute itself, but nothing after it.
  writeU16(out, 2, offset + size - HEADER_LENGTH);
  const mac = hmacOver(algorithm, key, out, offset);
  writeU16(
    out,
    offset,
    algorithm === "sha1"
      ? AttributeCode["MESSAGE-INTEGRITY"]
      : AttributeCode["MESSAGE-INTEGRITY-SHA256"],
  );
  writeU16(out, offset + 2, mac.length);
  out.set(mac, offset + 4);
  return offset + size;
}

const enum Phase {
  Open,
  AfterIntegrity,
  AfterIntegritySha256,
  AfterFingerprint,
}

function whereOf(code: number): string {
  if (code === AttributeCode["MESSAGE-INTEGRITY"]) return "attribute/message-integrity";
  if (code === AttributeCode["MESSAGE-INTEGRITY-SHA256"])
    return "attribute/message-integrity-sha256";
  if (code === AttributeCode.FINGERPRINT) return "attribute/fingerprint";
  return codecByCode.get(code)?.codec.where ?? `attribute/0x${code.toString(16).padStart(4, "0")}`;
}

/**
 * Decodes one STUN message that fills `bytes` exactly (a UDP datagram, or one frame cut from a
 * stream). Checks the header, every attribute's bounds and value, and FINGERPRINT when present;
 * MESSAGE-INTEGRITY is checked separately because the key depends on the message
 * (`verifyMessageIntegrity`). Values are copied out of `bytes`, except `raw`.
 * @throws {StunDecodeError} — and nothing else — when the bytes are not a valid message.
 */
export function decodeStunMessage(bytes: Uint8Array): DecodedStunMessage {
  if (bytes.length < HEADER_LENGTH) {
    throw new StunDecodeError("header", 0, `${bytes.length} bytes, a STUN header needs 20`);
  }
  const type = readU16(bytes, 0);
  if ((type & 0xc000) !== 0) {
    throw new StunDecodeError("header/type", 0, "the two most significant bits must be zero");
  }
  const length = readU16(bytes, 2);
  if (length % 4 !== 0)
    throw new StunDecodeError("header/length", 2, `length ${length} is not a multiple of 4`);
  if (length + HEADER_LENGTH !== bytes.length) {
    throw new StunDecodeError(
      "header/length",
      2,
      `states ${length} bytes, but ${bytes.length - HEADER_LENGTH} follow`,
    );
  }
  if (readU32(bytes, 4) !== MAGIC_COOKIE)
    throw new StunDecodeError("header/magic-cookie", 4, "wrong magic cookie");
  const transactionId = copyBytes(bytes, 8, HEADER_LENGTH);

  const attributes: StunAttribute[] = [];
  const unknownComprehensionRequired: number[] = [];
  let messageIntegrity: IntegrityField | undefined;
  let messageIntegritySha256: IntegrityField | undefined;
  let fingerprint = false;
  let ignoredAttributes = 0;
  let phase = Phase.Open;
  for (let offset = HEADER_LENGTH; offset < bytes.length;) {
    const code = readU16(bytes, offset);
    const valueLength = readU16(bytes, offset + 2);
    const start = offset + 4;
    const next = start + valueLength + ((4 - (valueLength % 4)) % 4);
    if (next > bytes.length) {
      throw new StunDecodeError(
        whereOf(code),
        offset,
        `value of ${valueLength} bytes (padded) overruns the message`,
      );
    }
    if (code === AttributeCode.FINGERPRINT && phase !== Phase.AfterFingerprint) {
      if (valueLength !== 4)
        throw new StunDecodeError(
          "attribute/fingerprint",
          offset,
          `length ${valueLength}, expected 4`,
        );
      if (readU32(bytes, start) !== receivedFingerprint(bytes, offset)) {
        throw new StunDecodeError("attribute/fingerprint", offset, "CRC-32 does not match");
      }
      fingerprint = true;
      phase = Phase.AfterFingerprint;
    } else if (code === AttributeCode["MESSAGE-INTEGRITY"] && phase === Phase.Open) {
      if (valueLength !== 20) {
        throw new StunDecodeError(
          "attribute/message-integrity",
          offset,
          `length ${valueLength}, expected 20`,
        );
      }
      messageIntegrity = { offset, value: copyBytes(bytes, start, start + 20) };
      phase = Phase.AfterIntegrity;
    } else if (
      code === AttributeCode["MESSAGE-INTEGRITY-SHA256"] &&
      (phase === Phase.Open || phase === Phase.AfterIntegrity)
    ) {
      // RFC 8489 §14.6: 16 to 32 bytes, a multiple of 4.
      if (valueLength < 16 || valueLength > 32 || valueLength % 4 !== 0) {
        throw new StunDecodeError(
          "attribute/message-integrity-sha256",
          offset,
          `length ${valueLength}, expected 16..32 in steps of 4`,
        );
      }
      messageIntegritySha256 = { offset, value: copyBytes(bytes, start, start + valueLength) };
      phase = Phase.AfterIntegritySha256;
    } else if (phase !== Phase.Open) {
      // RFC 8489 §14.5–14.7: attributes after the integrity attributes are ignored.
      ignoredAttributes++;
    } else {
      const entry = codecByCode.get(code);
      if (entry === undefined) {
        if (isComprehensionRequired(code)) unknownComprehensionRequired.push(code);
        attributes.push({
          type: "unknown",
          code,
          value: copyBytes(bytes, start, start + valueLength),
        });
      } else {
        attributes.push({
          type: entry.name,
          value: readValue(entry, bytes, offset, valueLength, transactionId),
        } as StunAttribute);
      }
    }
    offset = next;
  }
  return {
    class: messageClassOf(type),
    method: messageMethodOf(type),
    transactionId,
    attributes,
    raw: bytes,
    messageIntegrity,
    messageIntegritySha256,
    fingerprint,
    ignoredAttributes,
    unknownComprehensionRequired,
  };
}

/** Reads one typed value; errors point at the attribute's header, not into its value. */
function readValue(
  entry: NamedCodec,
  bytes: Uint8Array,
  offset: number,
  valueLength: number,
  transactionId: Uint8Array,
): unknown {
  try {
    return entry.codec.read(bytes, offset + 4, valueLength, transactionId);
  } catch (error) {
    if (error instanceof StunDecodeError && error.offset !== offset) {
      throw new StunDecodeError(error.where, offset, error.reason);
    }
    throw error;
  }
}

/** The value of the first attribute named `type`, or undefined. */
export function getAttribute<K extends StunAttributeName>(
  message: StunMessage,
  type: K,
): StunAttributeValues[K] | undefined {
  for (const attribute of message.attributes) {
    if (attribute.type === type) return attribute.value as StunAttributeValues[K];
  }
  return undefined;
}

/** The values of every attribute named `type`, in order (e.g. several XOR-PEER-ADDRESS). */
export function getAttributes<K extends StunAttributeName>(
  message: StunMessage,
  type: K,
): StunAttributeValues[K][] {
  const values: StunAttributeValues[K][] = [];
  for (const attribute of message.attributes) {
    if (attribute.type === type) values.push(attribute.value as StunAttributeValues[K]);
  }
  return values;
}

/** True when the message carries an attribute named `type`. */
export function hasAttribute(message: StunMessage, type: StunAttributeName): boolean {
  return message.attributes.some((attribute) => attribute.type === type);
}
