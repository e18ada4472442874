// Published STUN test vectors, as exact wire bytes.
//
// Sources:
// - RFC 5769 "Test Vectors for Session Traversal Utilities for NAT (STUN)":
//   §2.1 Sample Request, §2.2 Sample IPv4 Response, §2.3 Sample IPv6 Response,
//   §2.4 Sample Request with Long-Term Authentication.
// - RFC 8489 "Session Traversal Utilities for NAT (STUN)", Appendix B.1 "Sample Request with
//   Long-Term Authentication with MESSAGE-INTEGRITY-SHA256 and USERHASH", as corrected by
//   RFC Errata ID 6268 (https://www.rfc-editor.org/errata/eid6268, verified). The vector printed
//   in the RFC cannot be used as is:
//   - its header length field is 0x009c (156), the size of the whole message including the
//     20-byte header, where it must be 0x0088 (136);
//   - it has no PASSWORD-ALGORITHM attribute although its key is derived with SHA-256, which is
//     not the default (MD5), so the attribute is required;
//   - its MESSAGE-INTEGRITY-SHA256 value (e4686c8f…6f735a01) does not verify: it is the
//     HMAC-SHA256 of the preceding bytes with the wrong length 0x009c left in the header,
//     where the length must end right after MESSAGE-INTEGRITY-SHA256 (0x0088).
//   The erratum adds PASSWORD-ALGORITHM (0x001d, value 0x0002 = SHA-256, parameters length 0)
//   after REALM, which makes the length field 0x0090 (144), and gives the recomputed
//   MESSAGE-INTEGRITY-SHA256 value b5c7bf00…c6518e65. USERHASH, NONCE, REALM and the transaction
//   ID are unchanged. The bytes below are the corrected ones.
//
// Padding: these vectors are re-encoded byte for byte, so the padding bytes matter. RFC 5769
// §2.1–2.3 pad with 0x20 (space), not zero; RFC 5769 §2.4 and RFC 8489 B.1 pad with 0x00:
// - §2.1: USERNAME (9 bytes) + 20 20 20. SOFTWARE is 16 bytes: no padding.
// - §2.2: SOFTWARE (11 bytes) + 20.
// - §2.3: SOFTWARE (11 bytes) + 20.
// - §2.4: USERNAME (18 bytes) + 00 00; REALM (11 bytes) + 00. NONCE is 28 bytes: no padding.
// - B.1:  NONCE (41 bytes) + 00 00 00; REALM (11 bytes) + 00.
// All other attributes have lengths that are multiples of 4.
//
// Credentials:
// - §2.1–2.3 use the short-term key: the password's UTF-8 bytes.
// - §2.4 uses the long-term key MD5(username ":" realm ":" SASLprep(password)).
// - B.1 uses the long-term key SHA-256(username ":" realm ":" prepared password) (RFC 8489
//   §9.2.2, PASSWORD-ALGORITHM SHA-256), and USERHASH = SHA-256(username ":" realm) (§14.4).
// The password before preparation is "The<U+00AD>M<U+00AA>tr<U+2168>"; the RFCs give
// "TheMatrIX" after preparation, which is what SASLprep (RFC 4013: soft hyphen mapped to
// nothing, NFKC) yields. A strict OpaqueString (NFC) would reject U+00AD instead; see
// src/stun/credentials.ts and the README's "Scope and deviations".

export interface StunTestVector {
  name: string;
  source: string;
  /** The whole message, lowercase hex. */
  hex: string;
  username?: string;
  password?: string;
  passwordSaslprepped?: string;
  realm?: string;
  nonce?: string;
  software?: string;
  mappedAddress?: { address: string; port: number };
  priority?: number;
  iceControlled?: bigint;
}

export const rfc5769SampleRequest = {
  name: "RFC 5769 sample request",
  source: "RFC 5769 §2.1",
  hex:
    // Header: Binding request, length 0x0058 (88), magic cookie, transaction ID
    "000100582112a442b7e7a701bc34d686fa87dfae" +
    // SOFTWARE (0x8022), length 16: "STUN test client", no padding
    "802200105354554e207465737420636c69656e74" +
    // PRIORITY (0x0024), length 4: 0x6e0001ff
    "002400046e0001ff" +
    // ICE-CONTROLLED (0x8029), length 8: tie-breaker 0x932ff9b151263b36
    "80290008932ff9b151263b36" +
    // USERNAME (0x0006), length 9: "evtj:h6vY", padded with 20 20 20
    "000600096576746a3a68367659202020" +
    // MESSAGE-INTEGRITY (0x0008), length 20: HMAC-SHA1
    "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
    // FINGERPRINT (0x8028), length 4: CRC-32 xor 0x5354554e
    "80280004e57a3bcf",
  username: "evtj:h6vY",
  password: "VOkJxbRl1RmTxUk/WvJxBt",
  software: "STUN test client",
  priority: 0x6e0001ff,
  iceControlled: 0x932ff9b151263b36n,
} satisfies StunTestVector;

export const rfc5769Ipv4Response = {
  name: "RFC 5769 sample IPv4 response",
  source: "RFC 5769 §2.2",
  hex:
    // Header: Binding success response, length 0x003c (60), magic cookie, transaction ID
    "0101003c2112a442b7e7a701bc34d686fa87dfae" +
    // SOFTWARE (0x8022), length 11: "test vector", padded with 20
    "8022000b7465737420766563746f7220" +
    // XOR-MAPPED-ADDRESS (0x0020), length 8: family IPv4, x-port 0xa147, x-address e112a643
    "002000080001a147e112a643" +
    // MESSAGE-INTEGRITY (0x0008), length 20: HMAC-SHA1
    "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
    // FINGERPRINT (0x8028), length 4: CRC-32 xor 0x5354554e
    "80280004c07d4c96",
  password: "VOkJxbRl1RmTxUk/WvJxBt",
  software: "test vector",
  mappedAddress: { address: "192.0.2.1", port: 32853 },
} satisfies StunTestVector;

export const rfc5769Ipv6Response = {
  name: "RFC 5769 sample IPv6 response",
  source: "RFC 5769 §2.3",
  hex:
    // Header: Binding success response, length 0x0048 (72), magic cookie, transaction ID
    "010100482112a442b7e7a701bc34d686fa87dfae" +
    // SOFTWARE (0x8022), length 11: "test vector", padded with 20
    "8022000b7465737420766563746f7220" +
    // XOR-MAPPED-ADDRESS (0x0020), length 20: family IPv6, x-port 0xa147, 16-byte x-address
    "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
    // MESSAGE-INTEGRITY (0x0008), length 20: HMAC-SHA1
    "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" +
    // FINGERPRINT (0x8028), length 4: CRC-32 xor 0x5354554e
    "80280004c8fb0b4c",
  password: "VOkJxbRl1RmTxUk/WvJxBt",
  software: "test vector",
  mappedAddress: { address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 },
} satisfies StunTestVector;

export const rfc5769LongTermRequest = {
  name: "RFC 5769 sample request with long-term authentication",
  source: "RFC 5769 §2.4",
  hex:
    // Header: Binding request, length 0x0060 (96), magic cookie, transaction ID
    "000100602112a44278ad3433c6ad72c029da412e" +
    // USERNAME (0x0006), length 18: UTF-8 of U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9,
    // padded with 00 00
    "00060012e3839ee38388e383aae38383e382afe382b90000" +
    // NONCE (0x0015), length 28: "f//499k954d6OL34oL9FSTvy64sA", no padding
    "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341" +
    // REALM (0x0014), length 11: "example.org", padded with 00
    "0014000b6578616d706c652e6f726700" +
    // MESSAGE-INTEGRITY (0x0008), length 20: HMAC-SHA1 with key MD5("マトリックス:example.org:TheMatrIX")
    "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666",
  // No FINGERPRINT in this vector.
  username: "\u30de\u30c8\u30ea\u30c3\u30af\u30b9",
  password: "The\u00adM\u00aatr\u2168",
  passwordSaslprepped: "TheMatrIX",
  realm: "example.org",
  nonce: "f//499k954d6OL34oL9FSTvy64sA",
} satisfies StunTestVector;

export const rfc8489Sha256Request = {
  name: "RFC 8489 sample request with MESSAGE-INTEGRITY-SHA256 and USERHASH (Errata ID 6268)",
  source: "RFC 8489 Appendix B.1, as corrected by RFC Errata ID 6268",
  hex:
    // Header: Binding request, length 0x0090 (144; the RFC printed 0x009c), magic cookie,
    // transaction ID
    "000100902112a44278ad3433c6ad72c029da412e" +
    // USERHASH (0x001e), length 32: SHA-256("マトリックス:example.org")
    "001e00204a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704" +
    // NONCE (0x0015), length 41: "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA", padded with 00 00 00
    "001500296f624d61744a6f733241414143662f2f3439396b" +
    "39353464364f4c33346f4c39465354767936347341000000" +
    // REALM (0x0014), length 11: "example.org", padded with 00
    "0014000b6578616d706c652e6f726700" +
    // PASSWORD-ALGORITHM (0x001d), length 4: algorithm 0x0002 (SHA-256), parameters length 0
    // (added by the erratum)
    "001d000400020000" +
    // MESSAGE-INTEGRITY-SHA256 (0x001c), length 32: HMAC-SHA256 with key
    // SHA-256("マトリックス:example.org:TheMatrIX") (value from the erratum)
    "001c0020b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65",
  // No FINGERPRINT in this vector.
  username: "\u30de\u30c8\u30ea\u30c3\u30af\u30b9",
  password: "The\u00adM\u00aatr\u2168",
  passwordSaslprepped: "TheMatrIX",
  realm: "example.org",
  nonce: "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA",
} satisfies StunTestVector;
