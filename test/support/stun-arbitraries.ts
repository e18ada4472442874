// fast-check generators for STUN messages: every typed attribute with values inside the ranges
// the encoder accepts, unknown attributes with free codes, and encode options. Shared by the
// property tests and the manual fuzz script.
import fc from "fast-check";
import { formatIp, type TransportAddress } from "../../src/common/address.js";
import { codecByCode } from "../../src/stun/attribute-codecs.js";
import type { StunAttribute } from "../../src/stun/attribute-types.js";
import { AttributeCode, type StunClass } from "../../src/stun/constants.js";
import type { EncodeOptions, StunMessage } from "../../src/stun/message.js";

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

export const transportAddress: fc.Arbitrary<TransportAddress> = fc.oneof(
  fc.tuple(bytes(4, 4), fc.integer({ min: 0, max: 0xffff })).map(([ip, port]) => ({
    family: "IPv4" as const,
    address: formatIp(ip),
    port,
  })),
  fc.tuple(bytes(16, 16), fc.integer({ min: 0, max: 0xffff })).map(([ip, port]) => ({
    family: "IPv6" as const,
    address: formatIp(ip),
    port,
  })),
);

/** Strings of whole code points (no lone surrogates), so UTF-8 round-trips. */
const text = (maxChars: number) => fc.string({ unit: "grapheme-composite", maxLength: maxChars });
const shortText = (maxChars: number, maxBytes: number) =>
  text(maxChars).filter((s) => [...s].length < maxChars + 1 && Buffer.byteLength(s) <= maxBytes);

const family = fc.constantFrom("IPv4" as const, "IPv6" as const);
const errorCode = fc.integer({ min: 300, max: 699 });
const passwordAlgorithm = fc.record(
  {
    algorithm: fc.integer({ min: 0, max: 0xffff }),
    parameters: bytes(0, 12),
  },
  { noNullPrototype: true },
);
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const free = new Set<number>([
  ...codecByCode.keys(),
  AttributeCode["MESSAGE-INTEGRITY"],
  AttributeCode["MESSAGE-INTEGRITY-SHA256"],
  AttributeCode.FINGERPRINT,
]);

/** One attribute of any kind the codec supports. */
export const stunAttribute: fc.Arbitrary<StunAttribute> = fc.oneof(
  transportAddress.map((value) => ({ type: "MAPPED-ADDRESS" as const, value })),
  transportAddress.map((value) => ({ type: "XOR-MAPPED-ADDRESS" as const, value })),
  shortText(120, 508).map((value) => ({ type: "USERNAME" as const, value })),
  bytes(32, 32).map((value) => ({ type: "USERHASH" as const, value })),
  fc
    .record({ code: errorCode, reason: shortText(127, 763) }, { noNullPrototype: true })
    .map((value) => ({ type: "ERROR-CODE" as const, value })),
  shortText(127, 763).map((value) => ({ type: "REALM" as const, value })),
  shortText(127, 763).map((value) => ({ type: "NONCE" as const, value })),
  fc
    .array(passwordAlgorithm, { maxLength: 4 })
    .map((value) => ({ type: "PASSWORD-ALGORITHMS" as const, value })),
  passwordAlgorithm.map((value) => ({ type: "PASSWORD-ALGORITHM" as const, value })),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 })
    .map((value) => ({ type: "UNKNOWN-ATTRIBUTES" as const, value })),
  shortText(127, 763).map((value) => ({ type: "SOFTWARE" as const, value })),
  transportAddress.map((value) => ({ type: "ALTERNATE-SERVER" as const, value })),
  shortText(60, 255).map((value) => ({ type: "ALTERNATE-DOMAIN" as const, value })),
  u32.map((value) => ({ type: "PRIORITY" as const, value })),
  fc.constant({ type: "USE-CANDIDATE" as const, value: true as const }),
  fc
    .bigInt({ min: 0n, max: 2n ** 64n - 1n })
    .map((value) => ({ type: "ICE-CONTROLLED" as const, value })),
  fc
    .bigInt({ min: 0n, max: 2n ** 64n - 1n })
    .map((value) => ({ type: "ICE-CONTROLLING" as const, value })),
  fc.integer({ min: 0, max: 0xffff }).map((value) => ({ type: "CHANNEL-NUMBER" as const, value })),
  u32.map((value) => ({ type: "LIFETIME" as const, value })),
  transportAddress.map((value) => ({ type: "XOR-PEER-ADDRESS" as const, value })),
  bytes(0, 64).map((value) => ({ type: "DATA" as const, value })),
  transportAddress.map((value) => ({ type: "XOR-RELAYED-ADDRESS" as const, value })),
  family.map((value) => ({ type: "REQUESTED-ADDRESS-FAMILY" as const, value })),
  fc.boolean().map((reserveNext) => ({ type: "EVEN-PORT" as const, value: { reserveNext } })),
  fc
    .integer({ min: 0, max: 255 })
    .map((value) => ({ type: "REQUESTED-TRANSPORT" as const, value })),
  fc.constant({ type: "DONT-FRAGMENT" as const, value: true as const }),
  bytes(8, 8).map((value) => ({ type: "RESERVATION-TOKEN" as const, value })),
  family.map((value) => ({ type: "ADDITIONAL-ADDRESS-FAMILY" as const, value })),
  fc
    .record({ family, code: errorCode, reason: shortText(60, 763) }, { noNullPrototype: true })
    .map((value) => ({ type: "ADDRESS-ERROR-CODE" as const, value })),
  fc
    .record(
      {
        code: fc.integer({ min: 0, max: 0xffff }).filter((c) => !free.has(c)),
        value: bytes(0, 40),
      },
      { noNullPrototype: true },
    )
    .map(({ code, value }) => ({ type: "unknown" as const, code, value })),
);

export const stunClass: fc.Arbitrary<StunClass> = fc.constantFrom(
  "request",
  "indication",
  "success",
  "error",
);

/** A whole message with up to `maxAttributes` attributes. */
export const stunMessage = (maxAttributes = 12): fc.Arbitrary<StunMessage> =>
  fc.record(
    {
      class: stunClass,
      method: fc.integer({ min: 0, max: 0xfff }),
      transactionId: bytes(12, 12),
      attributes: fc.array(stunAttribute, { maxLength: maxAttributes }),
    },
    { noNullPrototype: true },
  );

/** Encoder options: any mix of integrity attributes and fingerprint. */
export const encodeOptions: fc.Arbitrary<EncodeOptions> = fc.record(
  {
    messageIntegrity: bytes(1, 64),
    messageIntegritySha256: bytes(1, 64),
    fingerprint: fc.boolean(),
    paddingByte: fc.integer({ min: 0, max: 255 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);
