// Properties of the STUN codec (fast-check): encoding then decoding gives the message back, and
// decoding hostile bytes — random, or valid messages mutated — returns a message or throws
// StunDecodeError, nothing else. CI runs a bounded number of cases; the manual fuzz script
// (npm run fuzz, test/fuzz/stun-decode.fuzz.ts) runs ≥ 100 000.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  StunDecodeError,
  decodeStunMessage,
  encodeStunMessage,
  verifyMessageIntegrity,
  verifyMessageIntegritySha256,
  isStunMessage,
} from "../../src/stun/index.js";
import { decodeAnything, mutatedMessage } from "../support/stun-fuzz.js";
import { encodeOptions, stunMessage } from "../support/stun-arbitraries.js";

const runs = Number(process.env["FC_RUNS"] ?? 500);

describe("STUN codec properties", () => {
  it("decodes every encoded message back to the same class, method, id and attributes", () => {
    fc.assert(
      fc.property(stunMessage(), encodeOptions, (message, options) => {
        const bytes = encodeStunMessage(message, options);
        const decoded = decodeStunMessage(bytes);
        assert.equal(decoded.class, message.class);
        assert.equal(decoded.method, message.method);
        assert.deepEqual(decoded.transactionId, message.transactionId);
        assert.deepEqual(decoded.attributes, message.attributes);
        assert.equal(decoded.fingerprint, options.fingerprint === true);
        assert.equal(decoded.ignoredAttributes, 0);
        // RFC 7983 §7 gives STUN the first bytes 0–3 only, i.e. methods below 0x100.
        assert.equal(isStunMessage(bytes), message.method < 0x100);
      }),
      { numRuns: runs },
    );
  });

  it("verifies the integrity it wrote, and only with the key it used", () => {
    fc.assert(
      fc.property(
        stunMessage(4),
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.boolean(),
        (message, key, sha256) => {
          const options = sha256 ? { messageIntegritySha256: key } : { messageIntegrity: key };
          const decoded = decodeStunMessage(encodeStunMessage(message, options));
          const verify = sha256 ? verifyMessageIntegritySha256 : verifyMessageIntegrity;
          assert.equal(verify(decoded, key), true);
          const other = key.slice();
          other[0] = other[0]! ^ 0xff;
          assert.equal(verify(decoded, other), false);
        },
      ),
      { numRuns: runs },
    );
  });

  it("decodes and verifies a pooled Node Buffer without changing a byte of it", () => {
    // A Buffer's slice() is a view: a decoder that un-XORs an address "copy" in place would
    // corrupt the caller's datagram (and then fail its own FINGERPRINT check).
    fc.assert(
      fc.property(stunMessage(), fc.uint8Array({ minLength: 1, maxLength: 16 }), (message, key) => {
        const encoded = encodeStunMessage(message, { messageIntegrity: key, fingerprint: true });
        const datagram = Buffer.from(encoded);
        const decoded = decodeStunMessage(datagram);
        assert.equal(verifyMessageIntegrity(decoded, key), true);
        assert.deepEqual(decoded.attributes, message.attributes);
        assert.deepEqual(new Uint8Array(datagram), encoded);
      }),
      { numRuns: runs },
    );
  });

  it("re-encoding a decoded message reproduces its bytes", () => {
    fc.assert(
      fc.property(stunMessage(), encodeOptions, (message, options) => {
        const bytes = encodeStunMessage(message, options);
        assert.deepEqual(encodeStunMessage(decodeStunMessage(bytes), options), bytes);
      }),
      { numRuns: runs },
    );
  });

  it("decoding arbitrary bytes returns a message or throws StunDecodeError only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeAnything(bytes);
      }),
      { numRuns: runs * 4 },
    );
  });

  it("decoding mutated valid messages returns a message or throws StunDecodeError only", () => {
    fc.assert(
      fc.property(mutatedMessage, (bytes) => {
        decodeAnything(bytes);
      }),
      { numRuns: runs * 4 },
    );
  });

  it("names the failing part in every decode error", () => {
    fc.assert(
      fc.property(mutatedMessage, (bytes) => {
        try {
          decodeStunMessage(bytes);
        } catch (error) {
          assert.ok(error instanceof StunDecodeError);
          assert.match(error.where, /^(header|attribute)(\/[a-z0-9-]+)?$/);
          assert.ok(error.offset >= 0 && error.offset < Math.max(bytes.length, 1));
        }
      }),
      { numRuns: runs },
    );
  });
});
