import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/common/bytes.js";
import {
  StunMethod,
  attr,
  decodeMessageType,
  decodeStunMessage,
  encodeMessageType,
  encodeStunMessage,
  getAttribute,
  getAttributes,
  hasAttribute,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
  type StunAttribute,
  type StunMessage,
} from "../../src/stun/index.js";

const transactionId = fromHex("0102030405060708090a0b0c");
const key = new TextEncoder().encode("secret");

function message(attributes: StunAttribute[], cls: StunMessage["class"] = "request"): StunMessage {
  return { class: cls, method: StunMethod.Binding, transactionId, attributes };
}

/** Appends a raw attribute to encoded bytes and fixes the header length. */
function appendRaw(bytes: Uint8Array, hex: string): Uint8Array {
  const extra = fromHex(hex);
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  out[2] = (out.length - 20) >> 8;
  out[3] = (out.length - 20) & 0xff;
  return out;
}

describe("message type packing (RFC 8489 §5)", () => {
  it("packs the well-known types exactly as the RFCs list them", () => {
    assert.equal(encodeMessageType(StunMethod.Binding, "request"), 0x0001);
    assert.equal(encodeMessageType(StunMethod.Binding, "indication"), 0x0011);
    assert.equal(encodeMessageType(StunMethod.Binding, "success"), 0x0101);
    assert.equal(encodeMessageType(StunMethod.Binding, "error"), 0x0111);
    assert.equal(encodeMessageType(StunMethod.Allocate, "request"), 0x0003);
    assert.equal(encodeMessageType(StunMethod.Send, "indication"), 0x0016);
    assert.equal(encodeMessageType(StunMethod.Data, "indication"), 0x0017);
    assert.equal(encodeMessageType(StunMethod.ChannelBind, "success"), 0x0109);
  });

  it("unpacks every 12-bit method and class back to themselves", () => {
    for (let method = 0; method <= 0xfff; method += 7) {
      for (const cls of ["request", "indication", "success", "error"] as const) {
        assert.deepEqual(decodeMessageType(encodeMessageType(method, cls)), { method, class: cls });
      }
    }
  });
});

describe("encodeStunMessage", () => {
  it("writes the header, the attributes and zero padding", () => {
    const bytes = encodeStunMessage(
      message([attr("USERNAME", "abcde"), attr("USE-CANDIDATE", true)]),
    );
    assert.equal(
      toHex(bytes),
      "000100102112a442" + "0102030405060708090a0b0c" + "000600056162636465000000" + "00250000",
    );
  });

  it("encodes TURN and ICE attributes with their exact wire layouts (RFC 8656 §18, RFC 8445 §16.1)", () => {
    const bytes = encodeStunMessage(
      message([
        attr("ERROR-CODE", { code: 420, reason: "Unknown" }),
        attr("CHANNEL-NUMBER", 0x4001),
        attr("REQUESTED-TRANSPORT", 17),
        attr("EVEN-PORT", { reserveNext: true }),
        attr("LIFETIME", 600),
        attr("DONT-FRAGMENT", true),
        attr("REQUESTED-ADDRESS-FAMILY", "IPv6"),
        attr("ICE-CONTROLLING", 0x0102030405060708n),
        attr("PRIORITY", 0x6e7f1eff),
        attr("UNKNOWN-ATTRIBUTES", [0x0031, 0x0032, 0x0033]),
      ]),
    );
    assert.equal(
      toHex(bytes.subarray(20)),
      [
        "0009000b0000041455" + "6e6b6e6f776e00",
        "000c000440010000",
        "0019000411000000",
        "0018000180000000",
        "000d000400000258",
        "001a0000",
        "0017000402000000",
        "802a00080102030405060708",
        "002400046e7f1eff",
        "000a0006003100320033" + "0000",
      ].join(""),
    );
  });

  it("XORs peer and relayed addresses with the cookie and transaction id (RFC 8489 §14.2)", () => {
    const peer = { family: "IPv6" as const, address: "2001:db8::1", port: 3478 };
    const bytes = encodeStunMessage(message([attr("XOR-PEER-ADDRESS", peer)]));
    assert.equal(
      toHex(bytes.subarray(24, 28)),
      "0002" + (3478 ^ 0x2112).toString(16).padStart(4, "0"),
    );
    assert.equal(toHex(bytes.subarray(28, 32)), "0113a9fa", "2001:0db8 XOR 2112:a442");
    assert.deepEqual(getAttribute(decodeStunMessage(bytes), "XOR-PEER-ADDRESS"), peer);
  });

  it("rejects values the wire cannot carry with StunEncodeError naming the attribute", () => {
    const cases: [StunAttribute, string][] = [
      [attr("PRIORITY", -1), "attribute/priority"],
      [attr("PRIORITY", 2 ** 32), "attribute/priority"],
      [attr("ICE-CONTROLLING", 2n ** 64n), "attribute/ice-controlling"],
      [attr("ERROR-CODE", { code: 299, reason: "" }), "attribute/error-code"],
      [attr("USERNAME", "x".repeat(509)), "attribute/username"],
      [attr("REALM", "r".repeat(128)), "attribute/realm"],
      [attr("USERHASH", new Uint8Array(31)), "attribute/userhash"],
      [
        attr("XOR-MAPPED-ADDRESS", { family: "IPv4", address: "::1", port: 1 }),
        "attribute/xor-mapped-address",
      ],
      [
        attr("MAPPED-ADDRESS", { family: "IPv4", address: "1.2.3.4", port: 65536 }),
        "attribute/mapped-address",
      ],
      [{ type: "unknown", code: 0x0008, value: new Uint8Array(20) }, "attribute/unknown"],
      [{ type: "unknown", code: 0x0020, value: new Uint8Array(8) }, "attribute/unknown"],
    ];
    for (const [attribute, where] of cases) {
      assert.throws(
        () => encodeStunMessage(message([attribute])),
        { name: "StunEncodeError", where },
        where,
      );
    }
  });

  it("rejects a bad transaction id, a method over 12 bits and a body over 65535 bytes", () => {
    assert.throws(() => encodeStunMessage({ ...message([]), transactionId: new Uint8Array(11) }), {
      where: "header/transaction-id",
    });
    assert.throws(() => encodeStunMessage({ ...message([]), method: 0x1000 }), {
      where: "header/method",
    });
    const big = Array.from({ length: 2 }, () => attr("DATA", new Uint8Array(40_000)));
    assert.throws(() => encodeStunMessage(message(big)), {
      name: "StunEncodeError",
      where: "message",
    });
  });
});

describe("decodeStunMessage", () => {
  it("keeps unknown attributes and lists the comprehension-required ones (RFC 8489 §14)", () => {
    const bytes = appendRaw(
      encodeStunMessage(message([attr("PRIORITY", 5)])),
      "7777000161000000" + "c0de0002abcd0000",
    );
    const decoded = decodeStunMessage(bytes);
    assert.deepEqual(decoded.attributes, [
      attr("PRIORITY", 5),
      { type: "unknown", code: 0x7777, value: fromHex("61") },
      { type: "unknown", code: 0xc0de, value: fromHex("abcd") },
    ]);
    assert.deepEqual(decoded.unknownComprehensionRequired, [0x7777]);
    assert.deepEqual(encodeStunMessage(decoded), bytes, "unknown attributes survive re-encoding");
  });

  it("ignores attributes after MESSAGE-INTEGRITY except MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (RFC 8489 §14.5)", () => {
    const signed = encodeStunMessage(message([attr("USERNAME", "u")]), { messageIntegrity: key });
    const bytes = appendRaw(signed, "0024000400000007");
    const decoded = decodeStunMessage(bytes);
    assert.equal(hasAttribute(decoded, "PRIORITY"), false);
    assert.equal(decoded.ignoredAttributes, 1);
    assert.equal(
      verifyMessageIntegrity(decoded, key),
      true,
      "the HMAC covers only what precedes it",
    );
  });

  it("verifies MESSAGE-INTEGRITY, then MESSAGE-INTEGRITY-SHA256, then FINGERPRINT in one message", () => {
    const other = new TextEncoder().encode("other");
    const bytes = encodeStunMessage(message([attr("USERNAME", "u")]), {
      messageIntegrity: key,
      messageIntegritySha256: other,
      fingerprint: true,
    });
    const decoded = decodeStunMessage(bytes);
    assert.equal(verifyMessageIntegrity(decoded, key), true);
    assert.equal(verifyMessageIntegritySha256(decoded, other), true);
    assert.equal(verifyMessageIntegritySha256(decoded, key), false);
    assert.equal(decoded.fingerprint, true);
  });

  it("accepts a MESSAGE-INTEGRITY-SHA256 truncated to 16 bytes (RFC 8489 §14.6)", () => {
    const full = encodeStunMessage(message([]), { messageIntegritySha256: key });
    const truncated = full.slice(0, full.length - 16);
    truncated[2] = 0;
    truncated[3] = truncated.length - 20;
    truncated[22] = 0;
    truncated[23] = 16;
    // The truncated HMAC is computed with the length ending after the shorter attribute.
    const header = truncated.slice(0, 20);
    const mac = createHmac("sha256", key).update(header).digest().subarray(0, 16);
    truncated.set(mac, 24);
    assert.equal(verifyMessageIntegritySha256(decodeStunMessage(truncated), key), true);
  });

  it("returns every XOR-PEER-ADDRESS in order", () => {
    const a = { family: "IPv4" as const, address: "192.0.2.1", port: 1 };
    const b = { family: "IPv4" as const, address: "192.0.2.2", port: 2 };
    const decoded = decodeStunMessage(
      encodeStunMessage(message([attr("XOR-PEER-ADDRESS", a), attr("XOR-PEER-ADDRESS", b)])),
    );
    assert.deepEqual(getAttributes(decoded, "XOR-PEER-ADDRESS"), [a, b]);
  });

  it("names the part that failed in StunDecodeError", () => {
    const valid = encodeStunMessage(
      message([attr("XOR-MAPPED-ADDRESS", { family: "IPv4", address: "192.0.2.1", port: 9 })]),
    );
    const cases: [Uint8Array, string, number][] = [
      [valid.subarray(0, 19), "header", 0],
      [Uint8Array.from([0xc0, ...valid.subarray(1)]), "header/type", 0],
      [appendRaw(valid, "00").subarray(0, valid.length + 1), "header/length", 2],
      [
        Uint8Array.from([...valid.subarray(0, 4), 0, ...valid.subarray(5)]),
        "header/magic-cookie",
        4,
      ],
      [
        Uint8Array.from([...valid.subarray(0, 25), 3, ...valid.subarray(26)]),
        "attribute/xor-mapped-address",
        20,
      ],
      [appendRaw(valid, "0024000800000001"), "attribute/priority", 32],
      [appendRaw(valid, "00240010"), "attribute/priority", 32],
      [appendRaw(valid, "0009000400000299"), "attribute/error-code", 32],
      [appendRaw(valid, "0008000400000000"), "attribute/message-integrity", 32],
    ];
    for (const [bytes, where, offset] of cases) {
      assert.throws(
        () => decodeStunMessage(bytes),
        { name: "StunDecodeError", where, offset },
        where,
      );
    }
  });
});
