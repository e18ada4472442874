// Helpers for association tests: a pair of associations on the seeded in-memory link, a
// handshake, and bulk transfers whose messages say which they are (index + pattern).
import assert from "node:assert/strict";
import {
  Association,
  type AssociationEvent,
  type AssociationOptions,
} from "../../../src/sctp/association.js";
import type { SendOptions } from "../../../src/sctp/association-types.js";
import { decodePacket } from "../../../src/sctp/packet.js";
import type { Chunk } from "../../../src/sctp/chunk-types.js";
import { Pair, sideRng, type LinkConditions } from "./pair.js";

/** Options for {@link associationPair}. */
export interface PairOptions {
  readonly seed?: number;
  readonly link?: LinkConditions;
  readonly a?: Partial<AssociationOptions>;
  readonly b?: Partial<AssociationOptions>;
}

/** Two associations on a seeded link. */
export function associationPair(
  options: PairOptions = {},
): Pair<AssociationEvent> & { a: Association; b: Association } {
  const seed = options.seed ?? 1;
  const a = new Association({ rng: sideRng(seed, "a"), ...options.a });
  const b = new Association({ rng: sideRng(seed, "b"), ...options.b });
  return new Pair<AssociationEvent>(a, b, options.link ?? {}, seed) as Pair<AssociationEvent> & {
    a: Association;
    b: Association;
  };
}

/** Both sides connect at once (as WebRTC peers do) and run until both are established. */
export function connectBoth(
  pair: Pair<AssociationEvent> & { a: Association; b: Association },
): void {
  pair.a.connect(pair.clock.now);
  pair.b.connect(pair.clock.now);
  pair.drive();
  pair.run(() => pair.a.state === "established" && pair.b.state === "established", 60_000);
  assert.equal(pair.a.state, "established");
  assert.equal(pair.b.state, "established");
}

/** Message `index` of `size` bytes: the index, then a pattern derived from it. */
export function patterned(index: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 31 + i * 7) & 0xff;
  if (size >= 4) new DataView(data.buffer).setUint32(0, index);
  return data;
}

/** The index a {@link patterned} message carries, after checking its pattern. */
export function indexOf(data: Uint8Array): number {
  const index = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
  assert.deepEqual(data, patterned(index, data.length), `message ${index} is damaged`);
  return index;
}

/**
 * Sends `count` messages of `size` bytes from a to b on `streamId`, keeping at most 256 KiB
 * queued, and runs until b got all of them (or `maxTime` passed). Returns the indexes b got, in
 * order of arrival.
 */
export function transfer(
  pair: Pair<AssociationEvent> & { a: Association; b: Association },
  count: number,
  size: number,
  options: SendOptions & { streamId?: number; maxTime?: number; expect?: number } = {},
): number[] {
  const streamId = options.streamId ?? 1;
  const arrived: number[] = [];
  const previous = pair.onEvent;
  pair.onEvent = (side, event) => {
    previous?.(side, event);
    if (side === "b" && event.type === "message" && event.streamId === streamId)
      arrived.push(indexOf(event.data));
  };
  let sent = 0;
  const pump = (): void => {
    while (sent < count && pair.a.bufferedAmount(streamId) < 256 * 1024) {
      pair.a.send(pair.clock.now, streamId, 53, patterned(sent++, size), options);
    }
    pair.drive("a");
  };
  pump();
  const expect = options.expect ?? count;
  pair.run(() => {
    pump();
    return arrived.length >= expect && sent === count;
  }, options.maxTime ?? 600_000);
  pair.onEvent = previous;
  return arrived;
}

/** The chunks of an SCTP packet (for taps). */
export function chunksOf(bytes: Uint8Array): readonly Chunk[] {
  return decodePacket(bytes).chunks;
}
