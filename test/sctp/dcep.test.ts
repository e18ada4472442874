import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ChannelType,
  decodeDcep,
  encodeAck,
  encodeOpen,
  type ChannelParameters,
} from "../../src/sctp/dcep.js";
import { SctpDecodeError, SctpError } from "../../src/sctp/errors.js";
import { fromHex } from "../../src/common/bytes.js";

const parameters: fc.Arbitrary<ChannelParameters> = fc
  .record(
    {
      label: fc.string({ unit: "grapheme", maxLength: 30 }),
      protocol: fc.string({ unit: "grapheme", maxLength: 30 }),
      ordered: fc.boolean(),
      reliability: fc.oneof(
        fc.constant({ maxRetransmits: undefined, maxPacketLifeTime: undefined }),
        fc
          .integer({ min: 0, max: 0xffffffff })
          .map((n) => ({ maxRetransmits: n, maxPacketLifeTime: undefined })),
        fc
          .integer({ min: 0, max: 0xffffffff })
          .map((n) => ({ maxRetransmits: undefined, maxPacketLifeTime: n })),
      ),
      priority: fc.integer({ min: 0, max: 0xffff }),
    },
    { noNullPrototype: true },
  )
  .map(({ reliability, ...rest }) => ({ ...rest, ...reliability }));

describe("DCEP (RFC 8832)", () => {
  it("decodes every DATA_CHANNEL_OPEN it encodes", () => {
    fc.assert(
      fc.property(parameters, (p) => {
        assert.deepEqual(decodeDcep(encodeOpen(p)), { type: "open", ...p });
      }),
    );
  });

  it("lays out DATA_CHANNEL_OPEN as §5.1 says: type, channel type, priority, reliability, lengths", () => {
    const bytes = encodeOpen({
      label: "chat",
      protocol: "xmpp",
      ordered: false,
      maxRetransmits: 3,
      maxPacketLifeTime: undefined,
      priority: 256,
    });
    assert.deepEqual(bytes, fromHex("03 81 0100 00000003 0004 0004 63686174 786d7070"));
    assert.equal(bytes[1], ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED);
  });

  it("carries UTF-8 labels and protocols, lengths in bytes", () => {
    const p = {
      label: "ünïcødé 📡",
      protocol: "xmpp-jingle",
      ordered: true,
      maxRetransmits: undefined,
      maxPacketLifeTime: undefined,
      priority: 256,
    };
    const bytes = encodeOpen(p);
    assert.equal(bytes[9], new TextEncoder().encode("ünïcødé 📡").length);
    assert.deepEqual(decodeDcep(bytes), { type: "open", ...p });
  });

  it("encodes DATA_CHANNEL_ACK as the single byte 0x02 (§5.2)", () => {
    assert.deepEqual(encodeAck(), new Uint8Array([2]));
    assert.deepEqual(decodeDcep(new Uint8Array([2])), { type: "ack" });
  });

  it("refuses unknown message and channel types and lengths past the end", () => {
    assert.throws(() => decodeDcep(new Uint8Array([4])), SctpDecodeError);
    assert.throws(() => decodeDcep(new Uint8Array(0)), SctpDecodeError);
    assert.throws(() => decodeDcep(fromHex("03 03 0100 00000000 0000 0000")), SctpDecodeError);
    assert.throws(() => decodeDcep(fromHex("03 00 0100 00000000 0005 0000 6162")), SctpDecodeError);
    assert.throws(() => decodeDcep(fromHex("03 00 0100 0000")), SctpDecodeError);
  });

  it("throws nothing but SctpDecodeError on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.boolean(), (bytes, open) => {
        if (open && bytes.length > 0) bytes[0] = 3;
        try {
          decodeDcep(bytes);
        } catch (error) {
          assert.ok(error instanceof SctpDecodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses to encode a label longer than 65535 bytes", () => {
    assert.throws(
      () =>
        encodeOpen({
          label: "x".repeat(65536),
          protocol: "",
          ordered: true,
          maxRetransmits: undefined,
          maxPacketLifeTime: undefined,
          priority: 256,
        }),
      SctpError,
    );
  });
});
