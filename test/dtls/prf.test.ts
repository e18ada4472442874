// The TLS 1.2 PRF (RFC 5246 §5) and what is derived with it. Sources of the expected values:
// - the P_SHA256 vector posted to the IETF TLS working group list in 2009 ("TLS 1.2 PRF test
//   vectors"; secret 9bbe…db35, label "test label", 100 bytes), which `openssl kdf TLS1-PRF`
//   reproduces;
// - the other values were computed with OpenSSL 3.0's TLS1-PRF from the secrets below, e.g.
//     openssl kdf -keylen 60 -kdfopt digest:SHA256 -kdfopt hexsecret:$MS \
//       -kdfopt hexseed:$(printf EXTRACTOR-dtls_srtp | xxd -p)$CR$SR TLS1-PRF
//   with CR = 00..1f, SR = 20..3f, MS = 40..6f, PM = 80..9f, SH = a0..bf (bytes counting up).
//   The interop tests (test/interop/dtls-openssl.test.ts) also compare our exporter with the
//   keying material `openssl s_client -keymatexport` prints for a live handshake.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/common/bytes.js";
import {
  exportKeyingMaterial,
  extendedMasterSecret,
  finishedVerifyData,
  keyExpansion,
  prf,
} from "../../src/dtls/prf.js";

const range = (from: number, to: number): Uint8Array =>
  Uint8Array.from({ length: to - from }, (_, i) => from + i);
const CR = range(0x00, 0x20);
const SR = range(0x20, 0x40);
const MS = range(0x40, 0x70);
const PM = range(0x80, 0xa0);
const SH = range(0xa0, 0xc0);

describe("TLS 1.2 PRF and key schedule", () => {
  it("matches the published P_SHA256 test vector", () => {
    const out = prf(
      "sha256",
      fromHex("9bbe436ba940f017b17652849a71db35"),
      "test label",
      fromHex("a0ba9f936cda311827a6f796ffd5198c"),
      100,
    );
    assert.equal(
      toHex(out),
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af" +
        "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff7" +
        "0187347b66",
    );
  });

  it("derives the extended master secret as OpenSSL does (RFC 7627 §4)", () => {
    assert.equal(
      toHex(extendedMasterSecret("sha256", PM, SH)),
      "f1a50f186779b03d3dfa301ae812d2081474d212f6422901e461bd8d8475564f5f53ae0ff484c027bc3cde58e0a2cd5d",
    );
  });

  it("expands the key block in RFC 5246 §6.3 order: client key, server key, client IV, server IV", () => {
    const keys = keyExpansion("sha256", MS, CR, SR, 16, 4);
    const block =
      "f32875e0a2d0d4cdb7085fc48be6ac3d3bbb753b2b859331a3bf156c51b814bccb7283577e043d44";
    assert.equal(toHex(keys.clientWriteKey), block.slice(0, 32));
    assert.equal(toHex(keys.serverWriteKey), block.slice(32, 64));
    assert.equal(toHex(keys.clientWriteIv), block.slice(64, 72));
    assert.equal(toHex(keys.serverWriteIv), block.slice(72, 80));
  });

  it("computes Finished verify_data as OpenSSL does (RFC 5246 §7.4.9)", () => {
    assert.equal(toHex(finishedVerifyData("sha256", MS, "client", SH)), "2edbdc72e48d085235feb1b3");
  });

  it("exports DTLS-SRTP keying material as OpenSSL does (RFC 5705 §4, RFC 5764 §4.2)", () => {
    assert.equal(
      toHex(exportKeyingMaterial("sha256", MS, CR, SR, "EXTRACTOR-dtls_srtp", 60)),
      "707ea2f43549e9044f013896278dea2d1d320ed50c8a34027e617f87462ef7a580e0c9fc4b37e2a1e67a7e83b052" +
        "9da278135596499deeb2b1c9a1f8",
    );
  });

  it("adds the context with its 16-bit length when there is one (RFC 5705 §4)", () => {
    const context = new TextEncoder().encode("abc");
    assert.equal(
      toHex(exportKeyingMaterial("sha256", MS, CR, SR, "EXPORTER-test", 32, context)),
      "0f06d650cbebe79cbf7c3704deb4d6f0a538c668c04a52bf71631cc07d936a53",
    );
  });
});
