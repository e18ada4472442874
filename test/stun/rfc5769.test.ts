// Golden tests with the RFC 5769 sample messages ("Test Vectors for Session Traversal
// Utilities for NAT (STUN)", §2.1–2.4). The bytes live in ./vectors.ts with their sources.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/common/bytes.js";
import {
  StunMethod,
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  longTermKey,
  shortTermKey,
  verifyMessageIntegrity,
} from "../../src/stun/index.js";
import {
  rfc5769Ipv4Response,
  rfc5769Ipv6Response,
  rfc5769LongTermRequest,
  rfc5769SampleRequest,
} from "./vectors.js";

describe("RFC 5769 §2.1 sample request", () => {
  const bytes = fromHex(rfc5769SampleRequest.hex);
  const key = shortTermKey(rfc5769SampleRequest.password);

  it("decodes to a Binding request with the published attribute values", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(message.class, "request");
    assert.equal(message.method, StunMethod.Binding);
    assert.equal(toHex(message.transactionId), "b7e7a701bc34d686fa87dfae");
    assert.deepEqual(message.attributes, [
      attr("SOFTWARE", "STUN test client"),
      attr("PRIORITY", 0x6e0001ff),
      attr("ICE-CONTROLLED", 0x932ff9b151263b36n),
      attr("USERNAME", "evtj:h6vY"),
    ]);
    assert.equal(message.fingerprint, true);
    assert.equal(message.ignoredAttributes, 0);
  });

  it("verifies MESSAGE-INTEGRITY with the short-term key and rejects another password", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(verifyMessageIntegrity(message, key), true);
    assert.equal(verifyMessageIntegrity(message, shortTermKey("VOkJxbRl1RmTxUk/WvJxBu")), false);
  });

  it("re-encodes to the same bytes with 0x20 padding, integrity and fingerprint", () => {
    const message = decodeStunMessage(bytes);
    const again = encodeStunMessage(message, {
      messageIntegrity: key,
      fingerprint: true,
      paddingByte: 0x20,
    });
    assert.equal(toHex(again), rfc5769SampleRequest.hex);
  });

  it("fails to decode when one bit of the body flips, because FINGERPRINT no longer matches", () => {
    const corrupt = bytes.slice();
    corrupt[30] = corrupt[30]! ^ 1;
    assert.throws(() => decodeStunMessage(corrupt), {
      name: "StunDecodeError",
      where: "attribute/fingerprint",
    });
  });
});

for (const vector of [rfc5769Ipv4Response, rfc5769Ipv6Response]) {
  describe(`${vector.source} ${vector.name}`, () => {
    const bytes = fromHex(vector.hex);
    const key = shortTermKey(vector.password);

    it("decodes XOR-MAPPED-ADDRESS to the published address and port", () => {
      const message = decodeStunMessage(bytes);
      assert.equal(message.class, "success");
      assert.equal(message.method, StunMethod.Binding);
      assert.equal(getAttribute(message, "SOFTWARE"), vector.software);
      const family = vector.mappedAddress.address.includes(":") ? "IPv6" : "IPv4";
      assert.deepEqual(getAttribute(message, "XOR-MAPPED-ADDRESS"), {
        family,
        ...vector.mappedAddress,
      });
    });

    it("verifies MESSAGE-INTEGRITY and FINGERPRINT", () => {
      const message = decodeStunMessage(bytes);
      assert.equal(message.fingerprint, true);
      assert.equal(verifyMessageIntegrity(message, key), true);
    });

    it("re-encodes to the same bytes", () => {
      const message = decodeStunMessage(bytes);
      const again = encodeStunMessage(message, {
        messageIntegrity: key,
        fingerprint: true,
        paddingByte: 0x20,
      });
      assert.equal(toHex(again), vector.hex);
    });
  });
}

describe("RFC 5769 §2.4 sample request with long-term authentication", () => {
  const vector = rfc5769LongTermRequest;
  const bytes = fromHex(vector.hex);
  // RFC 8489 §9.2.2 with MD5: key = MD5(username ":" realm ":" SASLprep(password)).
  const key = longTermKey(vector.username, vector.realm, vector.password);

  it("derives the MD5 key from the unprepared password through SASLprep", () => {
    assert.equal(toHex(key), "e8ca7ad59d5eb0518e312911d2dab2a9");
    assert.deepEqual(
      key,
      longTermKey(vector.username, vector.realm, vector.passwordSaslprepped, {
        preparation: "none",
      }),
    );
  });

  it("decodes USERNAME, NONCE and REALM and verifies MESSAGE-INTEGRITY", () => {
    const message = decodeStunMessage(bytes);
    assert.deepEqual(message.attributes, [
      attr("USERNAME", vector.username),
      attr("NONCE", vector.nonce),
      attr("REALM", vector.realm),
    ]);
    assert.equal(message.fingerprint, false);
    assert.equal(verifyMessageIntegrity(message, key), true);
  });

  it("re-encodes to the same bytes with zero padding", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(toHex(encodeStunMessage(message, { messageIntegrity: key })), vector.hex);
  });
});
