import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CHANNEL_DATA_HEADER_LENGTH,
  MAX_CHANNEL_NUMBER,
  MIN_CHANNEL_NUMBER,
  decodeChannelData,
  encodeChannelData,
  isValidChannelNumber,
  streamFrameLength,
} from "../../src/turn/channel-data.js";
import { StunDecodeError } from "../../src/stun/errors.js";

function decodeError(where: string): (e: unknown) => boolean {
  return (e) => e instanceof StunDecodeError && e.where === where;
}

describe("ChannelData constants and channel numbers (RFC 8656 §12)", () => {
  it("uses channels 0x4000..0x4fff and a 4-byte header", () => {
    assert.equal(MIN_CHANNEL_NUMBER, 0x4000);
    assert.equal(MAX_CHANNEL_NUMBER, 0x4fff);
    assert.equal(CHANNEL_DATA_HEADER_LENGTH, 4);
  });

  it("accepts exactly the integers 0x4000..0x4fff", () => {
    for (const channel of [0x4000, 0x4001, 0x4abc, 0x4fff]) {
      assert.equal(isValidChannelNumber(channel), true, channel.toString(16));
    }
    for (const channel of [0, 0x3fff, 0x5000, 0x7fff, 0xffff, 16384.5, Number.NaN, -0x4000]) {
      assert.equal(isValidChannelNumber(channel), false, String(channel));
    }
  });
});

describe("encodeChannelData (RFC 8656 §12.4)", () => {
  it("writes the channel, the data length and the data", () => {
    const bytes = encodeChannelData(0x4001, Uint8Array.of(1, 2, 3, 4, 5));
    assert.deepEqual(bytes, Uint8Array.of(0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5));
  });

  it("does not pad by default, as over UDP", () => {
    assert.equal(encodeChannelData(0x4000, new Uint8Array(1)).length, 5);
    assert.equal(encodeChannelData(0x4000, new Uint8Array(0)).length, 4);
  });

  it("pads to a multiple of 4 with zeros when pad is true, keeping the unpadded length (RFC 8656 §12.5)", () => {
    const bytes = encodeChannelData(0x4fff, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee), true);
    assert.deepEqual(
      bytes,
      Uint8Array.of(0x4f, 0xff, 0x00, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0, 0, 0),
    );
    for (const [length, total] of [
      [0, 4],
      [1, 8],
      [2, 8],
      [3, 8],
      [4, 8],
      [5, 12],
      [8, 12],
    ] as const) {
      const padded = encodeChannelData(0x4000, new Uint8Array(length).fill(7), true);
      assert.equal(padded.length, total, `length ${length}`);
      assert.equal((padded[2]! << 8) | padded[3]!, length);
    }
  });

  it("carries up to 65535 bytes and rejects more with RangeError", () => {
    const max = encodeChannelData(0x4000, new Uint8Array(0xffff));
    assert.equal(max.length, 4 + 0xffff);
    assert.deepEqual(max.subarray(0, 4), Uint8Array.of(0x40, 0x00, 0xff, 0xff));
    assert.throws(() => encodeChannelData(0x4000, new Uint8Array(0x10000)), RangeError);
  });

  it("throws RangeError for a channel outside 0x4000..0x4fff", () => {
    for (const channel of [0x3fff, 0x5000, 0, 0xffff, 16384.5]) {
      assert.throws(
        () => encodeChannelData(channel, Uint8Array.of(1)),
        RangeError,
        String(channel),
      );
    }
  });
});

describe("decodeChannelData (RFC 8656 §12.4–12.5)", () => {
  it("round-trips channel and data, with and without padding", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100]) {
      const data = new Uint8Array(length).map((_, i) => (i * 37 + 1) & 0xff);
      for (const pad of [false, true]) {
        const decoded = decodeChannelData(encodeChannelData(0x4abc, data, pad));
        assert.equal(decoded.channel, 0x4abc);
        assert.deepEqual(decoded.data, data, `length ${length}, pad ${pad}`);
      }
    }
  });

  it("returns the data as a view into the input", () => {
    const bytes = encodeChannelData(0x4000, Uint8Array.of(9, 8, 7));
    const { data } = decodeChannelData(bytes);
    bytes[4] = 1;
    assert.equal(data[0], 1);
  });

  it("accepts up to 3 bytes of padding after the data, whatever their value", () => {
    for (const extra of [1, 2, 3]) {
      const bytes = Uint8Array.of(
        0x40,
        0x00,
        0x00,
        0x01,
        0x99,
        ...new Array<number>(extra).fill(0xff),
      );
      const decoded = decodeChannelData(bytes);
      assert.deepEqual(decoded.data, Uint8Array.of(0x99), `padding ${extra}`);
    }
  });

  it("rejects 4 or more bytes after the data with where channel-data/length", () => {
    assert.throws(
      () => decodeChannelData(Uint8Array.of(0x40, 0x00, 0x00, 0x01, 0x99, 0, 0, 0, 0)),
      decodeError("channel-data/length"),
    );
    assert.throws(
      () => decodeChannelData(Uint8Array.of(0x40, 0x00, 0x00, 0x00, 0, 0, 0, 0)),
      decodeError("channel-data/length"),
    );
  });

  it("rejects a length that overruns the input with where channel-data/length", () => {
    assert.throws(
      () => decodeChannelData(Uint8Array.of(0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4)),
      (e) => decodeError("channel-data/length")(e) && (e as StunDecodeError).offset === 2,
    );
    assert.throws(
      () => decodeChannelData(Uint8Array.of(0x40, 0x00, 0xff, 0xff)),
      decodeError("channel-data/length"),
    );
  });

  it("rejects input shorter than the 4-byte header with where channel-data/header", () => {
    for (const length of [0, 1, 2, 3]) {
      assert.throws(
        () => decodeChannelData(Uint8Array.of(0x40, 0x00, 0x00).subarray(0, length)),
        decodeError("channel-data/header"),
        `length ${length}`,
      );
    }
  });

  it("decodes the lowest and highest channel numbers", () => {
    assert.equal(decodeChannelData(Uint8Array.of(0x40, 0x00, 0, 0)).channel, 0x4000);
    assert.equal(decodeChannelData(Uint8Array.of(0x4f, 0xff, 0, 0)).channel, 0x4fff);
  });

  it("rejects a channel outside 0x4000..0x4fff with where channel-data/channel", () => {
    for (const [hi, lo] of [
      [0x3f, 0xff],
      [0x50, 0x00],
      [0x00, 0x01],
      [0x7f, 0xff],
      [0xff, 0xff],
    ] as const) {
      assert.throws(
        () => decodeChannelData(Uint8Array.of(hi, lo, 0x00, 0x00)),
        (e) => decodeError("channel-data/channel")(e) && (e as StunDecodeError).offset === 0,
        `channel 0x${hi.toString(16)}${lo.toString(16)}`,
      );
    }
  });
});

describe("streamFrameLength (RFC 8656 §12.5)", () => {
  it("returns undefined while fewer than 4 bytes are buffered", () => {
    for (const length of [0, 1, 2, 3]) {
      assert.equal(
        streamFrameLength(Uint8Array.of(0x40, 0x00, 0x00, 0x08).subarray(0, length)),
        undefined,
      );
    }
  });

  it("sizes a STUN message as the 20-byte header plus its length field", () => {
    assert.equal(streamFrameLength(Uint8Array.of(0x00, 0x01, 0x00, 0x00)), 20);
    assert.equal(streamFrameLength(Uint8Array.of(0x01, 0x01, 0x00, 0x2c, 0x21, 0x12)), 20 + 44);
    assert.equal(streamFrameLength(Uint8Array.of(0x3f, 0xff, 0xff, 0xfc)), 20 + 0xfffc);
  });

  it("sizes a ChannelData message as 4 plus its length padded to a multiple of 4", () => {
    const cases: [number, number][] = [
      [0, 4],
      [1, 8],
      [3, 8],
      [4, 8],
      [5, 12],
      [0xfffd, 4 + 0x10000],
      [0xffff, 4 + 0x10000],
    ];
    for (const [length, size] of cases) {
      assert.equal(
        streamFrameLength(Uint8Array.of(0x40, 0x00, length >> 8, length & 0xff)),
        size,
        `length ${length}`,
      );
    }
  });

  it("matches the size of an encoded, padded ChannelData message", () => {
    const frame = encodeChannelData(0x4123, new Uint8Array(13), true);
    assert.equal(streamFrameLength(frame), frame.length);
  });

  it("throws StunDecodeError when the first two bits are 10 or 11", () => {
    for (const first of [0x80, 0xbf, 0xc0, 0xff]) {
      assert.throws(
        () => streamFrameLength(Uint8Array.of(first, 0x00, 0x00, 0x04)),
        (e) => e instanceof StunDecodeError && e.where === "stream/frame" && e.offset === 0,
        `first byte 0x${first.toString(16)}`,
      );
    }
  });
});
