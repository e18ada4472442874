// Shared by the property tests and the manual fuzz script: mutations of valid STUN messages and
// a decode that fails loudly on anything but StunDecodeError.
import fc from "fast-check";
import { decodeChannelData, streamFrameLength } from "../../src/turn/channel-data.js";
import { StunDecodeError } from "../../src/stun/errors.js";
import { encodeStunMessage, getAttribute } from "../../src/stun/message.js";
import { decodeStunMessage } from "../../src/stun/message.js";
import { isStunMessage } from "../../src/stun/demux.js";
import { verifyMessageIntegrity } from "../../src/stun/verify.js";
import { encodeOptions, stunMessage } from "./stun-arbitraries.js";

/** Thrown when decoding threw something other than StunDecodeError. */
export class UndocumentedDecodeError extends Error {
  override readonly name = "UndocumentedDecodeError";
  constructor(
    readonly input: Uint8Array,
    readonly original: unknown,
  ) {
    super(`decoding threw an undocumented error: ${String(original)}`);
  }
}

/**
 * Runs every decoder on `bytes` (STUN message, verification, demux predicate, ChannelData,
 * stream framing). Returns normally when each either succeeds or throws StunDecodeError.
 */
export function decodeAnything(bytes: Uint8Array): void {
  const attempt = (fn: () => unknown): void => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof StunDecodeError)) throw new UndocumentedDecodeError(bytes, error);
    }
  };
  attempt(() => {
    const message = decodeStunMessage(bytes);
    verifyMessageIntegrity(message, new Uint8Array([1, 2, 3]));
    getAttribute(message, "XOR-MAPPED-ADDRESS");
  });
  attempt(() => isStunMessage(bytes));
  attempt(() => decodeChannelData(bytes));
  attempt(() => streamFrameLength(bytes));
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "extend"; extra: Uint8Array }
  | { kind: "length"; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("extend" as const),
    extra: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant("length" as const), value: fc.integer({ min: 0, max: 0xffff }) }),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  switch (m.kind) {
    case "flip": {
      const out = bytes.slice();
      const at = m.at % out.length;
      out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case "set": {
      const out = bytes.slice();
      out[m.at % out.length] = m.value;
      return out;
    }
    case "truncate":
      return bytes.slice(0, m.at % bytes.length);
    case "extend": {
      const out = new Uint8Array(bytes.length + m.extra.length);
      out.set(bytes);
      out.set(m.extra, bytes.length);
      return out;
    }
    case "length": {
      // Rewrite an attribute length field or the header length.
      const out = bytes.slice();
      const at = out.length > 22 ? 22 : 2;
      out[at] = m.value >> 8;
      out[at + 1] = m.value & 0xff;
      return out;
    }
  }
}

/** A valid encoded message with one to four mutations applied. */
export const mutatedMessage: fc.Arbitrary<Uint8Array> = fc
  .tuple(stunMessage(6), encodeOptions, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([message, options, mutations]) =>
    mutations.reduce(apply, encodeStunMessage(message, options)),
  );
