// fast-check arbitraries for SCTP chunks, in the exact shape the decoders produce, so that
// decode(encode(chunk)) can be compared with the chunk itself.
import fc from "fast-check";
import type {
  CausesChunk,
  Chunk,
  DataChunk,
  EmptyChunk,
  ForwardTsnChunk,
  HeartbeatChunk,
  InitChunk,
  ReconfigChunk,
  ReconfigParam,
  SackChunk,
  Tlv,
  UnknownChunk,
} from "../../../src/sctp/chunk-types.js";

/** fc.record with plain objects (deepEqual compares prototypes). */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

const tlv = (types: fc.Arbitrary<number> = u16): fc.Arbitrary<Tlv> =>
  record({ type: types, value: bytes(40) });

export const dataChunk: fc.Arbitrary<DataChunk> = record({
  type: fc.constant(0 as const),
  unordered: fc.boolean(),
  beginning: fc.boolean(),
  ending: fc.boolean(),
  immediate: fc.boolean(),
  tsn: u32,
  streamId: u16,
  ssn: u16,
  ppid: u32,
  userData: bytes(300),
});

export const initChunk: fc.Arbitrary<InitChunk> = record({
  type: fc.constantFrom(1 as const, 2 as const),
  initiateTag: u32,
  aRwnd: u32,
  outboundStreams: u16,
  inboundStreams: u16,
  initialTsn: u32,
  params: fc.array(tlv(), { maxLength: 5 }),
});

export const sackChunk: fc.Arbitrary<SackChunk> = record({
  type: fc.constant(3 as const),
  cumulativeTsnAck: u32,
  aRwnd: u32,
  gapBlocks: fc.array(record({ start: u16, end: u16 }), { maxLength: 20 }),
  duplicateTsns: fc.array(u32, { maxLength: 20 }),
});

export const heartbeatChunk: fc.Arbitrary<HeartbeatChunk> = record({
  type: fc.constantFrom(4 as const, 5 as const),
  info: bytes(64),
});

export const causesChunk: fc.Arbitrary<CausesChunk> = fc
  .record({
    type: fc.constantFrom(6 as const, 9 as const),
    reflected: fc.boolean(),
    causes: fc.array(tlv(), { maxLength: 4 }),
  })
  .map((c) => ({ ...c, reflected: c.type === 6 && c.reflected }));

export const emptyChunk: fc.Arbitrary<EmptyChunk> = fc
  .record({ type: fc.constantFrom(8 as const, 11 as const, 14 as const), reflected: fc.boolean() })
  .map((c) => ({ ...c, reflected: c.type === 14 && c.reflected }));

export const forwardTsnChunk: fc.Arbitrary<ForwardTsnChunk> = record({
  type: fc.constant(192 as const),
  newCumulativeTsn: u32,
  streams: fc.array(record({ streamId: u16, ssn: u16 }), { maxLength: 10 }),
});

const reconfigParam: fc.Arbitrary<ReconfigParam> = fc.oneof(
  record({
    kind: fc.constant("outgoing-reset" as const),
    requestSeq: u32,
    responseSeq: u32,
    lastTsn: u32,
    streamIds: fc.array(u16, { maxLength: 8 }),
  }),
  record({
    kind: fc.constant("incoming-reset" as const),
    requestSeq: u32,
    streamIds: fc.array(u16, { maxLength: 8 }),
  }),
  record({ kind: fc.constant("response" as const), responseSeq: u32, result: u32 }),
  record({
    kind: fc.constant("other" as const),
    param: tlv(u16.filter((t) => t !== 13 && t !== 14 && t !== 16)),
  }),
);

export const reconfigChunk: fc.Arbitrary<ReconfigChunk> = record({
  type: fc.constant(130 as const),
  params: fc.array(reconfigParam, { minLength: 1, maxLength: 2 }),
});

const knownTypes = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 130, 192]);

export const unknownChunk: fc.Arbitrary<UnknownChunk> = record({
  type: fc.constant("unknown" as const),
  chunkType: fc.integer({ min: 0, max: 255 }).filter((t) => !knownTypes.has(t)),
  flags: fc.integer({ min: 0, max: 255 }),
  value: bytes(64),
});

/** Any chunk. */
export const anyChunk: fc.Arbitrary<Chunk> = fc.oneof(
  dataChunk,
  initChunk,
  sackChunk,
  heartbeatChunk,
  causesChunk,
  record({ type: fc.constant(7 as const), cumulativeTsnAck: u32 }),
  emptyChunk,
  record({ type: fc.constant(10 as const), cookie: bytes(80) }),
  forwardTsnChunk,
  reconfigChunk,
  unknownChunk,
);
