import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyDatagram, isStunMessage } from "../../src/stun/demux.js";
import type { DatagramKind } from "../../src/stun/demux.js";
import { attr } from "../../src/stun/attribute-types.js";
import { StunMethod } from "../../src/stun/constants.js";
import { encodeStunMessage } from "../../src/stun/message.js";
import type { EncodeOptions, StunMessage } from "../../src/stun/message.js";

const transactionId = Uint8Array.of(
  0xb7,
  0xe7,
  0xa7,
  0x01,
  0xbc,
  0x34,
  0xd6,
  0x86,
  0xfa,
  0x87,
  0xdf,
  0xae,
);

function binding(attributes: StunMessage["attributes"], options?: EncodeOptions): Uint8Array {
  return encodeStunMessage(
    { class: "request", method: StunMethod.Binding, transactionId, attributes },
    options,
  );
}

/** A header with the magic cookie and `body` after it; `length` defaults to the body's. */
function rawMessage(body: number[], length = body.length, first = 0x00): Uint8Array {
  return Uint8Array.of(
    first,
    0x01,
    length >> 8,
    length & 0xff,
    0x21,
    0x12,
    0xa4,
    0x42,
    ...transactionId,
    ...body,
  );
}

describe("classifyDatagram (RFC 7983 §7, RFC 9443 §3)", () => {
  const cases: [number, DatagramKind][] = [
    [0, "stun"],
    [3, "stun"],
    [4, "unknown"],
    [15, "unknown"],
    [16, "zrtp"],
    [19, "zrtp"],
    [20, "dtls"],
    [63, "dtls"],
    [64, "turn-channel"],
    [79, "turn-channel"],
    [80, "quic"],
    [127, "quic"],
    [128, "rtp"],
    [191, "rtp"],
    [192, "quic"],
    [255, "quic"],
  ];
  for (const [first, kind] of cases) {
    it(`classifies a datagram whose first byte is ${first} as ${kind}`, () => {
      assert.equal(classifyDatagram(Uint8Array.of(first, 0xff, 0xff, 0xff)), kind);
      assert.equal(classifyDatagram(Uint8Array.of(first)), kind);
    });
  }

  it("classifies every first byte by the RFC 9443 ranges and looks at nothing else", () => {
    const expected = (b: number): DatagramKind =>
      b <= 3
        ? "stun"
        : b <= 15
          ? "unknown"
          : b <= 19
            ? "zrtp"
            : b <= 63
              ? "dtls"
              : b <= 79
                ? "turn-channel"
                : b <= 127
                  ? "quic"
                  : b <= 191
                    ? "rtp"
                    : "quic";
    for (let b = 0; b < 256; b++) {
      assert.equal(classifyDatagram(Uint8Array.of(b, 0, 0, 0)), expected(b), `byte ${b}`);
    }
  });

  it("classifies an empty datagram as unknown", () => {
    assert.equal(classifyDatagram(new Uint8Array(0)), "unknown");
  });
});

describe("isStunMessage", () => {
  it("accepts an encoded message without attributes", () => {
    const bytes = binding([]);
    assert.equal(bytes.length, 20);
    assert.equal(isStunMessage(bytes), true);
  });

  it("accepts encoded messages with attributes, with and without FINGERPRINT", () => {
    const attributes = [attr("SOFTWARE", "jingle-ice test"), attr("PRIORITY", 0x6e0001ff)];
    assert.equal(isStunMessage(binding(attributes)), true);
    assert.equal(isStunMessage(binding(attributes, { fingerprint: true })), true);
    assert.equal(isStunMessage(binding([], { fingerprint: true })), true);
  });

  it("accepts a message with MESSAGE-INTEGRITY followed by FINGERPRINT (RFC 8489 §14.7)", () => {
    const key = new TextEncoder().encode("VOkJxbRl1RmTxUk/WvJxBt");
    const bytes = binding([attr("USERNAME", "evtj:h6vY")], {
      messageIntegrity: key,
      fingerprint: true,
    });
    assert.equal(isStunMessage(bytes), true);
  });

  it("accepts success and error responses, whose first byte is 1", () => {
    const success = encodeStunMessage(
      { class: "success", method: StunMethod.Binding, transactionId, attributes: [] },
      { fingerprint: true },
    );
    assert.equal(success[0], 0x01);
    assert.equal(isStunMessage(success), true);
  });

  it("accepts a message whose attribute needs padding to a multiple of 4 (RFC 8489 §14)", () => {
    // SOFTWARE with 5 bytes of value and 3 bytes of padding.
    assert.equal(
      isStunMessage(rawMessage([0x80, 0x22, 0, 5, 0x61, 0x62, 0x63, 0x64, 0x65, 0, 0, 0])),
      true,
    );
  });

  it("rejects input shorter than the 20-byte header", () => {
    const bytes = binding([]);
    assert.equal(isStunMessage(bytes.subarray(0, 19)), false);
    assert.equal(isStunMessage(new Uint8Array(0)), false);
  });

  it("rejects a first byte above 3, whose top bits are not 00 (RFC 8489 §5)", () => {
    for (const first of [4, 0x40, 0x80, 0xff]) {
      const bytes = binding([attr("PRIORITY", 1)], { fingerprint: true });
      bytes[0] = first;
      assert.equal(isStunMessage(bytes), false, `first byte ${first}`);
    }
  });

  it("rejects a wrong magic cookie", () => {
    const bytes = binding([attr("PRIORITY", 1)]);
    bytes[7] = bytes[7]! ^ 0x01;
    assert.equal(isStunMessage(bytes), false);
  });

  it("rejects a length field that does not match the datagram", () => {
    const bytes = binding([attr("PRIORITY", 1)]);
    assert.equal(isStunMessage(bytes.subarray(0, bytes.length - 4)), false);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    assert.equal(isStunMessage(longer), false);
    assert.equal(isStunMessage(rawMessage([0x80, 0x22, 0, 0], 8)), false);
  });

  it("rejects a length that is not a multiple of 4", () => {
    assert.equal(isStunMessage(rawMessage([0x80, 0x22])), false);
    assert.equal(isStunMessage(rawMessage([0x80, 0x22, 0, 1, 0x61, 0, 0])), false);
  });

  it("rejects an attribute whose value overruns the body", () => {
    assert.equal(isStunMessage(rawMessage([0x80, 0x22, 0, 8, 0x61, 0x62, 0x63, 0x64])), false);
  });

  it("rejects an attribute whose padding overruns the body", () => {
    // 5 bytes of value need 3 bytes of padding that are not there.
    assert.equal(
      isStunMessage(
        rawMessage([0, 0x24, 0, 4, 1, 2, 3, 4, 0x80, 0x22, 0, 5, 0x61, 0x62, 0x63, 0x64]),
      ),
      false,
    );
  });

  it("rejects a corrupted FINGERPRINT value (RFC 8489 §7.3)", () => {
    const bytes = binding([attr("SOFTWARE", "x")], { fingerprint: true });
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    assert.equal(isStunMessage(bytes), false);
  });

  it("rejects a message with FINGERPRINT whose body was altered", () => {
    const bytes = binding([attr("PRIORITY", 0x01020304)], { fingerprint: true });
    bytes[24] = bytes[24]! ^ 0x80; // inside the PRIORITY value
    assert.equal(isStunMessage(bytes), false);
  });

  it("rejects a trailing FINGERPRINT whose length is not 4", () => {
    // PRIORITY with an empty value, then an attribute of type 0x8028 (FINGERPRINT) and length 0.
    assert.equal(isStunMessage(rawMessage([0x00, 0x24, 0, 0, 0x80, 0x28, 0, 0])), false);
    // The same layout with SOFTWARE (0x8022) last passes: only the FINGERPRINT type fails it.
    assert.equal(isStunMessage(rawMessage([0x00, 0x24, 0, 0, 0x80, 0x22, 0, 0])), true);
  });

  it("accepts a DATA value containing 0x8028 near the end when the last attribute is not a FINGERPRINT", () => {
    // The last 8 bytes look like a FINGERPRINT header with a wrong CRC, but they sit inside DATA.
    const data = Uint8Array.of(0x80, 0x28, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef);
    const bytes = binding([attr("DATA", data)]);
    assert.deepEqual(bytes.subarray(bytes.length - 8), data);
    assert.equal(isStunMessage(bytes), true);
  });

  it("checks the real FINGERPRINT after a DATA value that contains 0x8028", () => {
    const data = Uint8Array.of(0x80, 0x28, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef);
    const bytes = binding([attr("DATA", data)], { fingerprint: true });
    assert.equal(isStunMessage(bytes), true);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x10;
    assert.equal(isStunMessage(bytes), false);
  });
});
