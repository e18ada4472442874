// XEP-0320 (Use of DTLS-SRTP in Jingle Sessions): the <fingerprint/> inside an ICE-UDP transport,
// read leniently and written as real clients expect.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NS_JINGLE_DTLS, buildIceUdpTransport, type XmlElement } from "../../src/jingle/index.js";
import { transportInfo, transportOf, x } from "./support.js";

const SHA256 =
  "02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";

const transportWith = (...children: XmlElement[]) => transportOf(transportInfo(...children));

describe("XEP-0320 fingerprints", () => {
  it("reads XEP-0320 §3's example: hash, setup and the digest", () => {
    const transport = transportWith(
      x("fingerprint", { xmlns: NS_JINGLE_DTLS, hash: "sha-256", setup: "actpass" }, SHA256),
    );
    assert.deepEqual(transport.fingerprints, [
      { hash: "sha-256", setup: "actpass", value: SHA256 },
    ]);
  });

  it("normalizes case and whitespace, keeps a fingerprint without setup, and drops unusable ones", () => {
    const transport = transportWith(
      x(
        "fingerprint",
        { xmlns: NS_JINGLE_DTLS, hash: "SHA-1" },
        `\n  ${SHA256.slice(0, 59).toLowerCase()}\n`,
      ),
      x("fingerprint", { xmlns: NS_JINGLE_DTLS, hash: "sha-256", setup: "bogus" }, SHA256),
      x("fingerprint", { xmlns: NS_JINGLE_DTLS, hash: "sha-256" }, "AB:CD"),
      x("fingerprint", { xmlns: NS_JINGLE_DTLS }, SHA256),
      x("fingerprint", { xmlns: "urn:example:other", hash: "sha-256" }, SHA256),
    );
    assert.deepEqual(transport.fingerprints, [
      { hash: "sha-1", value: SHA256.slice(0, 59) },
      { hash: "sha-256", value: SHA256 },
    ]);
  });

  it("leaves fingerprints out of a transport that has none", () => {
    assert.equal("fingerprints" in transportWith(), false);
  });

  it("writes the fingerprint first, in its namespace, and reads it back", () => {
    const built = buildIceUdpTransport({
      kind: "ice-udp",
      ufrag: "u",
      pwd: "p",
      candidates: [],
      gatheringComplete: false,
      fingerprints: [{ hash: "sha-256", setup: "active", value: SHA256 }],
      skipped: [],
    });
    const [first] = built.children;
    assert.deepEqual(first, {
      name: "fingerprint",
      attrs: { xmlns: NS_JINGLE_DTLS, hash: "sha-256", setup: "active" },
      children: [SHA256],
    });
    assert.deepEqual(transportWith(...(built.children as XmlElement[])).fingerprints, [
      { hash: "sha-256", setup: "active", value: SHA256 },
    ]);
  });
});
