// The agent's TURN relays over a TCP stream (src/ice/relays.ts): the server's bytes arrive in
// arbitrary pieces and must be cut back into the STUN and (padded) ChannelData frames they were
// (RFC 8656 §12.5), so that the client sees exactly what it would see fed whole frames. The
// server side is written here by hand with the project's STUN and ChannelData encoders.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { seededRng } from "../../src/common/rng.js";
import type { LocalCandidate } from "../../src/ice/candidate.js";
import { Relays, type RelayEvent } from "../../src/ice/relays.js";
import type { Transmit } from "../../src/ice/types.js";
import {
  StunMethod,
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  longTermKey,
  StunDecodeError,
  type StunAttribute,
} from "../../src/stun/index.js";
import { encodeChannelData } from "../../src/turn/channel-data.js";
import { turnServerAt } from "../../src/turn/server.js";
import { CLIENT, PEER, RELAY, SERVER, bytes } from "./support.js";

const REALM = "sim.example";
const KEY = longTermKey("alice", REALM, "alice-pw");
const STREAM = 1;
const TCP_SERVER = turnServerAt(SERVER, { username: "alice", password: "alice-pw" }, "tcp");
const socket: LocalCandidate = {
  candidate: {
    foundation: "1",
    component: 1,
    transport: "udp",
    priority: 2_130_706_431,
    address: CLIENT,
    type: "host",
  },
  base: CLIENT,
};

type StreamData = Extract<Transmit, { type: "stream-data" }>;

/**
 * A Relays with one TCP allocation being started (same seed: same transaction ids); the
 * stream it asks the driver to open is taken, and checked.
 */
function started(): Relays {
  const relays = new Relays([TCP_SERVER], seededRng(7), 5000);
  relays.start(0, [socket]);
  assert.deepEqual(relays.pollTransmit(), {
    type: "stream-open",
    stream: STREAM,
    local: CLIENT,
    server: TCP_SERVER,
  });
  return relays;
}

/** What the relays wrote to the stream since the last call (nothing else may come out). */
function transmits(relays: Relays): StreamData[] {
  const out: StreamData[] = [];
  for (let t; (t = relays.pollTransmit());) {
    assert.ok(t.type === "stream-data", `only stream data, not ${t.type}`);
    out.push(t);
  }
  return out;
}

function events(relays: Relays): RelayEvent[] {
  const out: RelayEvent[] = [];
  for (let e; (e = relays.pollEvent());) out.push(e);
  return out;
}

/** The server's answer to the client's last request: signed with the user's key. */
function answer(request: StreamData, attributes: StunAttribute[] = []): Uint8Array {
  const message = decodeStunMessage(request.data);
  return encodeStunMessage(
    { class: "success", method: message.method, transactionId: message.transactionId, attributes },
    { messageIntegrity: KEY, fingerprint: true },
  );
}

function challenge(request: StreamData): Uint8Array {
  const message = decodeStunMessage(request.data);
  return encodeStunMessage(
    {
      class: "error",
      method: message.method,
      transactionId: message.transactionId,
      attributes: [
        attr("ERROR-CODE", { code: 401, reason: "Unauthorized" }),
        attr("REALM", REALM),
        attr("NONCE", "nonce-1"),
      ],
    },
    { fingerprint: true },
  );
}

const allocateSuccess = [
  attr("XOR-RELAYED-ADDRESS", RELAY),
  attr("LIFETIME", 600),
  attr("XOR-MAPPED-ADDRESS", CLIENT),
];

/** The 401 and the success the server sends for the deterministic Allocate exchange. */
function handshakeStream(): Uint8Array[] {
  const relays = started();
  const [first] = transmits(relays);
  const unauthorized = challenge(first!);
  relays.handleStreamData(0, STREAM, unauthorized);
  const [second] = transmits(relays);
  return [unauthorized, answer(second!, allocateSuccess)];
}

/** A Relays with an allocation, a permission and a channel to PEER, all fed whole frames. */
function bound(): { relays: Relays; channel: number } {
  const relays = started();
  for (const frame of handshakeStream()) {
    transmits(relays);
    relays.handleStreamData(0, STREAM, frame);
  }
  transmits(relays);
  assert.equal(relays.send(0, RELAY, PEER, bytes("hi")), true);
  const [permission] = transmits(relays);
  relays.handleStreamData(0, STREAM, answer(permission!));
  const [, channelBind] = transmits(relays);
  const channel = getAttribute(decodeStunMessage(channelBind!.data), "CHANNEL-NUMBER")!;
  relays.handleStreamData(0, STREAM, answer(channelBind!));
  events(relays);
  return { relays, channel };
}

type Frame = { readonly kind: "indication" | "channel" | "unbound"; readonly data: Uint8Array };

function encodeFrame(frame: Frame, channel: number): Uint8Array {
  if (frame.kind === "indication") {
    return encodeStunMessage(
      {
        class: "indication",
        method: StunMethod.Data,
        transactionId: new Uint8Array(12).fill(7),
        attributes: [attr("XOR-PEER-ADDRESS", PEER), attr("DATA", frame.data)],
      },
      { fingerprint: true },
    );
  }
  return encodeChannelData(frame.kind === "channel" ? channel : 0x4fff, frame.data, true);
}

const frameArb: fc.Arbitrary<Frame> = fc.record({
  kind: fc.constantFrom("indication" as const, "channel" as const, "unbound" as const),
  data: fc.uint8Array({ minLength: 0, maxLength: 40 }),
});
const chunkSizes = fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 });

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Feeds `stream` in chunks of the given sizes (cycled; a last chunk takes what is left). */
function feed(relays: Relays, stream: Uint8Array, sizes: readonly number[]): void {
  let offset = 0;
  for (let i = 0; offset < stream.length && sizes.length > 0 && i < 10_000; i++) {
    const size = sizes[i % sizes.length]!;
    relays.handleStreamData(0, STREAM, stream.slice(offset, offset + size));
    offset += size;
  }
  if (offset < stream.length) relays.handleStreamData(0, STREAM, stream.slice(offset));
}

/** What the relays did: events, transmits (as bytes) and counters. */
function outcome(relays: Relays): unknown {
  return {
    events: events(relays),
    transmits: transmits(relays).map((t) => [t.stream, Buffer.from(t.data).toString("hex")]),
    stats: relays.stats(),
  };
}

describe("Relays over a TCP stream (RFC 8656 §12.5 framing)", () => {
  it("allocates the same whatever the pieces the 401, the success and Data indications arrive in", () => {
    const handshake = handshakeStream();
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 6 }), chunkSizes, (frames, sizes) => {
        const wanted = frames.filter((f) => f.kind === "indication");
        const stream = concat([...handshake, ...wanted.map((f) => encodeFrame(f, 0x4000))]);
        const whole = started();
        for (const frame of [...handshake, ...wanted.map((f) => encodeFrame(f, 0x4000))]) {
          whole.handleStreamData(0, STREAM, frame);
        }
        const split = started();
        feed(split, stream, sizes);
        const expected = outcome(whole);
        assert.deepEqual(outcome(split), expected);
        const stats = split.stats()[0]!;
        assert.equal(stats.state, "allocated");
        assert.equal(stats.allocateRequests, 2);
        assert.equal(stats.dataIndications, wanted.length);
      }),
      { numRuns: 60 },
    );
  });

  it("delivers Data indications and padded ChannelData in order, whatever the pieces, as whole frames do", () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), chunkSizes, (frames, sizes) => {
        const whole = bound();
        const split = bound();
        const encoded = frames.map((f) => encodeFrame(f, whole.channel));
        for (const frame of encoded) whole.relays.handleStreamData(0, STREAM, frame);
        feed(split.relays, concat(encoded), sizes);
        const result = outcome(split.relays) as { events: RelayEvent[] };
        assert.deepEqual(result, outcome(whole.relays));
        const delivered = frames.filter((f) => f.kind !== "unbound");
        assert.deepEqual(
          result.events.map((e) => (e.type === "data" ? [e.peer, [...e.data]] : e.type)),
          delivered.map((f) => [PEER, [...f.data]]),
        );
        const stats = split.relays.stats()[0]!;
        assert.equal(stats.dataIndications, frames.filter((f) => f.kind === "indication").length);
        assert.equal(stats.channelDataReceived, frames.filter((f) => f.kind === "channel").length);
        assert.equal(stats.ignoredMessages, frames.filter((f) => f.kind === "unbound").length);
      }),
      { numRuns: 60 },
    );
  });

  it("pads the ChannelData it sends over the stream to a multiple of 4 bytes", () => {
    const { relays, channel } = bound();
    transmits(relays);
    assert.equal(relays.send(0, RELAY, PEER, bytes("abcde")), true);
    const [sent] = transmits(relays);
    assert.equal(sent?.stream, STREAM);
    assert.deepEqual(sent?.data, encodeChannelData(channel, bytes("abcde"), true));
    assert.equal(sent?.data.length, 12);
  });

  it("fails the relay with a framing reason when the stream starts with a byte that is neither STUN nor ChannelData", () => {
    const relays = started();
    transmits(relays);
    relays.handleStreamData(0, STREAM, Uint8Array.of(0x80, 0x01, 0x00, 0x08, 1, 2, 3));
    const all = events(relays);
    assert.deepEqual(
      all.map((e) => e.type),
      ["failed"],
    );
    const failed = all[0];
    assert.ok(failed?.type === "failed");
    assert.deepEqual(failed.server, SERVER);
    assert.equal(failed.relayed, undefined);
    assert.match(
      failed.error.reason,
      /^stream framing: .*first byte 0x80 is neither STUN nor ChannelData/,
    );
    assert.deepEqual(
      [failed.error.phase, failed.error.code, failed.error.errorName],
      ["transport", 0, "BadFraming"],
    );
    assert.ok(failed.error.cause instanceof StunDecodeError);
    assert.equal(relays.stats()[0]?.state, "closed");
    assert.equal(relays.gathering, false);
  });

  it("fails an allocated relay when a bad frame follows good ones, after delivering the good ones", () => {
    const { relays } = bound();
    transmits(relays);
    const good = encodeFrame({ kind: "indication", data: bytes("ok") }, 0x4000);
    relays.handleStreamData(0, STREAM, concat([good, Uint8Array.of(0x80, 0, 0, 0)]));
    const all = events(relays);
    assert.deepEqual(
      all.map((e) => e.type),
      ["data", "failed"],
    );
    const failed = all[1];
    assert.ok(failed?.type === "failed");
    assert.deepEqual(failed.relayed, RELAY);
    assert.match(failed.error.reason, /0x80/);
  });
});

describe("Relays stream commands and stream failures", () => {
  it("reports a stream the driver saw close as a transport failure that keeps the socket's error", () => {
    const { relays } = bound();
    transmits(relays);
    const cause = new Error("read ECONNRESET");
    relays.handleStreamClosed(0, STREAM, cause);
    const [failed] = events(relays);
    assert.ok(failed?.type === "failed");
    assert.deepEqual(failed.relayed, RELAY);
    assert.equal(
      failed.error.message,
      "TURN transport failed: ConnectionClosed (connection closed: read ECONNRESET)",
    );
    assert.equal(failed.error.cause, cause);
  });

  it("asks for the stream to close only after the deallocation written to it", () => {
    const { relays } = bound();
    transmits(relays);
    relays.close(0);
    const [refresh, close] = [relays.pollTransmit(), relays.pollTransmit()];
    assert.ok(refresh?.type === "stream-data");
    assert.equal(getAttribute(decodeStunMessage(refresh.data), "LIFETIME"), 0);
    assert.deepEqual(close, { type: "stream-close", stream: STREAM });
    assert.equal(relays.pollTransmit(), undefined);
  });
});
