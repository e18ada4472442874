import {
  copyBytes,
  readU16,
  readU32,
  utf8Decode,
  utf8EncodeInto,
  writeU16,
  writeU32,
} from "../common/bytes.js";
import { familyCode, familyFromCode, readAddress, writeAddress } from "./address-codec.js";
import type { StunAttributeName, StunAttributeValues } from "./attribute-types.js";
import { AttributeCode } from "./constants.js";
import { StunDecodeError, StunEncodeError } from "./errors.js";

/**
 * How one attribute type is read from and written to the wire. `write` gets a buffer with room
 * for at least {@link MAX_VALUE_LENGTH} bytes after `offset` and returns the value's length
 * (before padding).
 */
export interface AttributeCodec<V> {
  readonly code: number;
  /** `attribute/<lower-case name>`, used in errors. */
  readonly where: string;
  read(bytes: Uint8Array, offset: number, length: number, transactionId: Uint8Array): V;
  write(value: V, out: Uint8Array, offset: number, transactionId: Uint8Array): number;
}

/** An attribute value is at most 65535 bytes (16-bit length). */
export const MAX_VALUE_LENGTH = 0xffff;

type Codecs = { readonly [K in StunAttributeName]: AttributeCodec<StunAttributeValues[K]> };

const where = (name: string): string => `attribute/${name.toLowerCase()}`;

function expectLength(name: string, offset: number, length: number, expected: number): void {
  if (length !== expected) {
    throw new StunDecodeError(where(name), offset, `length ${length}, expected ${expected}`);
  }
}

function checkInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new StunEncodeError(where(name), `${value} is not an integer in 0..${max}`);
  }
}

/** Length limits from RFC 8489 §14: `maxBytes` of UTF-8 and fewer than `maxChars` characters. */
function text(
  name: StunAttributeName,
  maxBytes: number,
  maxChars?: number,
): AttributeCodec<string> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read: (bytes, offset, length) => utf8Decode(bytes, offset, offset + length),
    write(value, out, offset) {
      const written = utf8EncodeInto(value, out, offset);
      if (written < 0 || written > maxBytes) {
        throw new StunEncodeError(where(name), `longer than ${maxBytes} bytes of UTF-8`);
      }
      if (maxChars !== undefined && written >= maxChars && countCodePoints(value) >= maxChars) {
        throw new StunEncodeError(where(name), `must have fewer than ${maxChars} characters`);
      }
      return written;
    },
  };
}

function countCodePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function address(
  name: StunAttributeName,
  xor: boolean,
): AttributeCodec<StunAttributeValues["MAPPED-ADDRESS"]> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read: (bytes, offset, length, transactionId) =>
      readAddress(bytes, offset, length, where(name), xor ? transactionId : undefined),
    write: (value, out, offset, transactionId) =>
      writeAddress(value, out, offset, where(name), xor ? transactionId : undefined),
  };
}

function uint32(name: StunAttributeName): AttributeCodec<number> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read(bytes, offset, length) {
      expectLength(name, offset, length, 4);
      return readU32(bytes, offset);
    },
    write(value, out, offset) {
      checkInteger(name, value, 0xffffffff);
      writeU32(out, offset, value);
      return 4;
    },
  };
}

function flag(name: StunAttributeName): AttributeCodec<true> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read(_bytes, offset, length) {
      expectLength(name, offset, length, 0);
      return true;
    },
    write: () => 0,
  };
}

function tieBreaker(name: StunAttributeName): AttributeCodec<bigint> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read(bytes, offset, length) {
      expectLength(name, offset, length, 8);
      return (BigInt(readU32(bytes, offset)) << 32n) | BigInt(readU32(bytes, offset + 4));
    },
    write(value, out, offset) {
      if (typeof value !== "bigint" || value < 0n || value > 0xffffffffffffffffn) {
        throw new StunEncodeError(where(name), "tie-breaker must be a bigint in 0..2^64-1");
      }
      writeU32(out, offset, Number(value >> 32n));
      writeU32(out, offset + 4, Number(value & 0xffffffffn));
      return 8;
    },
  };
}

function fixedBytes(name: StunAttributeName, size: number): AttributeCodec<Uint8Array> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read(bytes, offset, length) {
      expectLength(name, offset, length, size);
      return copyBytes(bytes, offset, offset + size);
    },
    write(value, out, offset) {
      if (value.length !== size) {
        throw new StunEncodeError(where(name), `expected ${size} bytes, got ${value.length}`);
      }
      out.set(value, offset);
      return size;
    },
  };
}

function family(
  name: StunAttributeName,
): AttributeCodec<StunAttributeValues["REQUESTED-ADDRESS-FAMILY"]> {
  return {
    code: AttributeCode[name],
    where: where(name),
    read(bytes, offset, length) {
      expectLength(name, offset, length, 4);
      const value = familyFromCode(bytes[offset]!);
      if (value === undefined) {
        throw new StunDecodeError(
          where(name),
          offset,
          `unknown family 0x${bytes[offset]!.toString(16)}`,
        );
      }
      return value;
    },
    write(value, out, offset) {
      writeU32(out, offset, familyCode(value) << 24);
      return 4;
    },
  };
}

/** ERROR-CODE layout (RFC 8489 §14.8): 21 reserved bits, class (3 bits), number (8 bits), reason. */
function readErrorCode(
  name: string,
  bytes: Uint8Array,
  offset: number,
  length: number,
): { code: number; reason: string } {
  if (length < 4)
    throw new StunDecodeError(where(name), offset, `length ${length}, expected at least 4`);
  const cls = bytes[offset + 2]! & 0x07;
  const number = bytes[offset + 3]!;
  if (cls < 3 || cls > 6 || number > 99) {
    throw new StunDecodeError(
      where(name),
      offset,
      `invalid error code class ${cls} number ${number}`,
    );
  }
  return {
    code: cls * 100 + number,
    reason: utf8Decode(bytes, offset + 4, offset + length),
  };
}

function writeErrorCode(
  name: string,
  code: number,
  reason: string,
  out: Uint8Array,
  offset: number,
): number {
  if (!Number.isInteger(code) || code < 300 || code > 699) {
    throw new StunEncodeError(where(name), `code ${code} is not in 300..699`);
  }
  out[offset + 2] = Math.floor(code / 100);
  out[offset + 3] = code % 100;
  const written = utf8EncodeInto(reason, out, offset + 4);
  if (written < 0 || written > 763 || countCodePoints(reason) >= 128) {
    throw new StunEncodeError(where(name), "reason must be fewer than 128 characters (763 bytes)");
  }
  return 4 + written;
}

function readPasswordAlgorithm(bytes: Uint8Array, offset: number, end: number, name: string) {
  if (end - offset < 4) throw new StunDecodeError(where(name), offset, "truncated algorithm entry");
  const algorithm = readU16(bytes, offset);
  const paramLength = readU16(bytes, offset + 2);
  const next = offset + 4 + paramLength + ((4 - (paramLength % 4)) % 4);
  if (offset + 4 + paramLength > end) {
    throw new StunDecodeError(
      where(name),
      offset,
      `parameters length ${paramLength} overruns the attribute`,
    );
  }
  const parameters = copyBytes(bytes, offset + 4, offset + 4 + paramLength);
  return { value: { algorithm, parameters }, next: Math.min(next, end) };
}

function writePasswordAlgorithm(
  name: string,
  value: StunAttributeValues["PASSWORD-ALGORITHM"],
  out: Uint8Array,
  offset: number,
): number {
  checkInteger(name, value.algorithm, 0xffff);
  const padded = value.parameters.length + ((4 - (value.parameters.length % 4)) % 4);
  if (padded > 0xffff - 8) throw new StunEncodeError(where(name), "parameters too long");
  writeU16(out, offset, value.algorithm);
  writeU16(out, offset + 2, value.parameters.length);
  out.set(value.parameters, offset + 4);
  out.fill(0, offset + 4 + value.parameters.length, offset + 4 + padded);
  return 4 + padded;
}

/** The codec of every attribute with a typed value. */
export const attributeCodecs: Codecs = {
  "MAPPED-ADDRESS": address("MAPPED-ADDRESS", false),
  "XOR-MAPPED-ADDRESS": address("XOR-MAPPED-ADDRESS", true),
  USERNAME: text("USERNAME", 508),
  USERHASH: fixedBytes("USERHASH", 32),
  "ERROR-CODE": {
    code: AttributeCode["ERROR-CODE"],
    where: where("ERROR-CODE"),
    read: (bytes, offset, length) => readErrorCode("ERROR-CODE", bytes, offset, length),
    write(value, out, offset) {
      out[offset] = 0;
      out[offset + 1] = 0;
      return writeErrorCode("ERROR-CODE", value.code, value.reason, out, offset);
    },
  },
  REALM: text("REALM", 763, 128),
  NONCE: text("NONCE", 763, 128),
  "PASSWORD-ALGORITHMS": {
    code: AttributeCode["PASSWORD-ALGORITHMS"],
    where: where("PASSWORD-ALGORITHMS"),
    read(bytes, offset, length) {
      const list = [];
      const end = offset + length;
      for (let at = offset; at < end;) {
        const { value, next } = readPasswordAlgorithm(bytes, at, end, "PASSWORD-ALGORITHMS");
        list.push(value);
        at = next;
      }
      return list;
    },
    write(value, out, offset) {
      let at = offset;
      for (const entry of value) {
        if (at - offset > 0xffff - 8)
          throw new StunEncodeError(where("PASSWORD-ALGORITHMS"), "too many algorithms");
        at += writePasswordAlgorithm("PASSWORD-ALGORITHMS", entry, out, at);
      }
      return at - offset;
    },
  },
  "PASSWORD-ALGORITHM": {
    code: AttributeCode["PASSWORD-ALGORITHM"],
    where: where("PASSWORD-ALGORITHM"),
    read(bytes, offset, length) {
      const { value, next } = readPasswordAlgorithm(
        bytes,
        offset,
        offset + length,
        "PASSWORD-ALGORITHM",
      );
      if (next !== offset + length) {
        throw new StunDecodeError(
          where("PASSWORD-ALGORITHM"),
          offset,
          "trailing bytes after the parameters",
        );
      }
      return value;
    },
    write: (value, out, offset) => writePasswordAlgorithm("PASSWORD-ALGORITHM", value, out, offset),
  },
  "UNKNOWN-ATTRIBUTES": {
    code: AttributeCode["UNKNOWN-ATTRIBUTES"],
    where: where("UNKNOWN-ATTRIBUTES"),
    read(bytes, offset, length) {
      if (length % 2 !== 0) {
        throw new StunDecodeError(where("UNKNOWN-ATTRIBUTES"), offset, `odd length ${length}`);
      }
      const codes = [];
      for (let at = offset; at < offset + length; at += 2) codes.push(readU16(bytes, at));
      return codes;
    },
    write(value, out, offset) {
      if (value.length * 2 > 0xffff - 8) {
        throw new StunEncodeError(where("UNKNOWN-ATTRIBUTES"), "too many codes");
      }
      value.forEach((code, i) => {
        checkInteger("UNKNOWN-ATTRIBUTES", code, 0xffff);
        writeU16(out, offset + i * 2, code);
      });
      return value.length * 2;
    },
  },
  SOFTWARE: text("SOFTWARE", 763, 128),
  "ALTERNATE-SERVER": address("ALTERNATE-SERVER", false),
  "ALTERNATE-DOMAIN": text("ALTERNATE-DOMAIN", 255),
  PRIORITY: uint32("PRIORITY"),
  "USE-CANDIDATE": flag("USE-CANDIDATE"),
  "ICE-CONTROLLED": tieBreaker("ICE-CONTROLLED"),
  "ICE-CONTROLLING": tieBreaker("ICE-CONTROLLING"),
  "CHANNEL-NUMBER": {
    code: AttributeCode["CHANNEL-NUMBER"],
    where: where("CHANNEL-NUMBER"),
    read(bytes, offset, length) {
      expectLength("CHANNEL-NUMBER", offset, length, 4);
      return readU16(bytes, offset);
    },
    write(value, out, offset) {
      checkInteger("CHANNEL-NUMBER", value, 0xffff);
      writeU32(out, offset, value * 0x10000);
      return 4;
    },
  },
  LIFETIME: uint32("LIFETIME"),
  "XOR-PEER-ADDRESS": address("XOR-PEER-ADDRESS", true),
  DATA: {
    code: AttributeCode.DATA,
    where: where("DATA"),
    read: (bytes, offset, length) => copyBytes(bytes, offset, offset + length),
    write(value, out, offset) {
      if (value.length > 0xffff - 8) throw new StunEncodeError(where("DATA"), "too long");
      out.set(value, offset);
      return value.length;
    },
  },
  "XOR-RELAYED-ADDRESS": address("XOR-RELAYED-ADDRESS", true),
  "REQUESTED-ADDRESS-FAMILY": family("REQUESTED-ADDRESS-FAMILY"),
  "EVEN-PORT": {
    code: AttributeCode["EVEN-PORT"],
    where: where("EVEN-PORT"),
    read(bytes, offset, length) {
      expectLength("EVEN-PORT", offset, length, 1);
      return { reserveNext: (bytes[offset]! & 0x80) !== 0 };
    },
    write(value, out, offset) {
      out[offset] = value.reserveNext ? 0x80 : 0;
      return 1;
    },
  },
  "REQUESTED-TRANSPORT": {
    code: AttributeCode["REQUESTED-TRANSPORT"],
    where: where("REQUESTED-TRANSPORT"),
    read(bytes, offset, length) {
      expectLength("REQUESTED-TRANSPORT", offset, length, 4);
      return bytes[offset]!;
    },
    write(value, out, offset) {
      checkInteger("REQUESTED-TRANSPORT", value, 0xff);
      writeU32(out, offset, value * 0x1000000);
      return 4;
    },
  },
  "DONT-FRAGMENT": flag("DONT-FRAGMENT"),
  "RESERVATION-TOKEN": fixedBytes("RESERVATION-TOKEN", 8),
  "ADDITIONAL-ADDRESS-FAMILY": family("ADDITIONAL-ADDRESS-FAMILY"),
  "ADDRESS-ERROR-CODE": {
    code: AttributeCode["ADDRESS-ERROR-CODE"],
    where: where("ADDRESS-ERROR-CODE"),
    read(bytes, offset, length) {
      const { code, reason } = readErrorCode("ADDRESS-ERROR-CODE", bytes, offset, length);
      const value = familyFromCode(bytes[offset]!);
      if (value === undefined) {
        throw new StunDecodeError(where("ADDRESS-ERROR-CODE"), offset, "unknown family");
      }
      return { family: value, code, reason };
    },
    write(value, out, offset) {
      out[offset] = familyCode(value.family);
      out[offset + 1] = 0;
      return writeErrorCode("ADDRESS-ERROR-CODE", value.code, value.reason, out, offset);
    },
  },
};

/** A codec together with its attribute's name. */
export interface NamedCodec {
  readonly name: StunAttributeName;
  readonly codec: AttributeCodec<unknown>;
}

const named: NamedCodec[] = (Object.keys(attributeCodecs) as StunAttributeName[]).map((name) => ({
  name,
  codec: attributeCodecs[name] as AttributeCodec<unknown>,
}));

/** Codec by wire code, for the decoder (a Map: cheaper than a 30-key object on the hot path). */
export const codecByCode: ReadonlyMap<number, NamedCodec> = new Map(
  named.map((entry) => [entry.codec.code, entry]),
);

/** Codec by attribute name, for the encoder. */
export const codecByName: ReadonlyMap<string, AttributeCodec<unknown>> = new Map(
  named.map((entry) => [entry.name, entry.codec]),
);
