// Golden test with RFC 8489 Appendix B.1 (MESSAGE-INTEGRITY-SHA256 and USERHASH) as corrected
// by RFC Errata ID 6268: the printed vector has a wrong length field, lacks PASSWORD-ALGORITHM
// and carries an HMAC computed over the wrong length. ./vectors.ts has the corrected bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/common/bytes.js";
import {
  PasswordAlgorithmCode,
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  longTermKey,
  userHash,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
} from "../../src/stun/index.js";
import { rfc8489Sha256Request as vector } from "./vectors.js";

describe("RFC 8489 Appendix B.1 (Errata ID 6268) SHA-256 long-term request", () => {
  const bytes = fromHex(vector.hex);
  const key = longTermKey(vector.username, vector.realm, vector.password, { algorithm: "SHA-256" });

  it("decodes USERHASH, NONCE, REALM and PASSWORD-ALGORITHM", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(message.class, "request");
    assert.deepEqual(message.attributes, [
      attr("USERHASH", userHash(vector.username, vector.realm)),
      attr("NONCE", vector.nonce),
      attr("REALM", vector.realm),
      attr("PASSWORD-ALGORITHM", {
        algorithm: PasswordAlgorithmCode["SHA-256"],
        parameters: new Uint8Array(0),
      }),
    ]);
    assert.equal(
      toHex(getAttribute(message, "USERHASH")!),
      "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704",
    );
  });

  it("verifies MESSAGE-INTEGRITY-SHA256 with the SHA-256 key, and only with it", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(verifyMessageIntegritySha256(message, key), true);
    const md5Key = longTermKey(vector.username, vector.realm, vector.password);
    assert.equal(verifyMessageIntegritySha256(message, md5Key), false);
    assert.equal(
      verifyMessageIntegrity(message, key),
      false,
      "there is no SHA-1 MESSAGE-INTEGRITY",
    );
  });

  it("re-encodes to the corrected bytes", () => {
    const message = decodeStunMessage(bytes);
    assert.equal(toHex(encodeStunMessage(message, { messageIntegritySha256: key })), vector.hex);
  });

  it("rejects the vector as printed in the RFC, whose length field counts the header too", () => {
    // The printed vector: length 0x009c and no PASSWORD-ALGORITHM (so 8 bytes shorter than it says).
    const printed = fromHex(
      vector.hex.replace("001d000400020000", "").replace(/^00010090/, "0001009c"),
    );
    assert.throws(() => decodeStunMessage(printed), {
      name: "StunDecodeError",
      where: "header/length",
    });
  });
});
