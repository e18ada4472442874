import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../src/common/bytes.js";
import { longTermKey, prepareString, shortTermKey, userHash } from "../../src/stun/index.js";

describe("string preparation for credentials", () => {
  it("SASLprep maps the soft hyphen to nothing and applies NFKC (RFC 4013, as in RFC 5769 §2.4)", () => {
    assert.equal(prepareString("The\u00adM\u00aatr\u2168", "saslprep"), "TheMatrIX");
  });

  it("SASLprep maps non-ASCII spaces to U+0020 and rejects control characters", () => {
    assert.equal(prepareString("a\u00a0b", "saslprep"), "a b");
    assert.throws(() => prepareString("a\u0007b", "saslprep"), { name: "StunCredentialError" });
  });

  it("OpaqueString maps non-ASCII spaces, normalizes to NFC and keeps compatibility characters (RFC 8265 §4.2)", () => {
    assert.equal(prepareString("a\u3000b", "opaque-string"), "a b");
    assert.equal(prepareString("e\u0301", "opaque-string"), "\u00e9");
    assert.equal(prepareString("\u2168", "opaque-string"), "\u2168", "NFC, not NFKC");
  });

  it("OpaqueString rejects empty strings, controls and default-ignorable code points", () => {
    assert.throws(() => prepareString("", "opaque-string"), { name: "StunCredentialError" });
    assert.throws(() => prepareString("a\u0000", "opaque-string"), /U\+0000/);
    assert.throws(() => prepareString("The\u00adMatrix", "opaque-string"), /U\+00AD/);
  });

  it("'none' leaves the string exactly as given", () => {
    assert.equal(prepareString("The\u00adM", "none"), "The\u00adM");
  });
});

describe("keys", () => {
  it("uses the password's UTF-8 bytes as the short-term key (RFC 8489 §9.1.1)", () => {
    assert.equal(toHex(shortTermKey("pass")), "70617373");
  });

  it("derives MD5 and SHA-256 long-term keys from username:realm:password (RFC 8489 §9.2.2)", () => {
    // Independently: md5("user:realm:pass") and sha256("user:realm:pass").
    assert.equal(toHex(longTermKey("user", "realm", "pass")), "8493fbc53ba582fb4c044c456bdc40eb");
    assert.equal(
      toHex(longTermKey("user", "realm", "pass", { algorithm: "SHA-256" })),
      "07e934117abd40836e7c6329b54731b2b2d2a5f9a71f544922d75e0730d8251b",
    );
  });

  it("hashes OpaqueString(username):OpaqueString(realm) with SHA-256 for USERHASH (RFC 8489 §14.4)", () => {
    assert.equal(
      toHex(userHash("\u30de\u30c8\u30ea\u30c3\u30af\u30b9", "example.org")),
      "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704",
    );
  });
});
