// Hostile datagrams never throw out of the endpoint, whatever its state: random bytes and
// mutations of real handshake datagrams are counted and dropped, or end the handshake with a
// DtlsError — never an exception.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DtlsError } from "../../src/dtls/errors.js";
import { Pair } from "./support.js";

/** A handshake's datagrams, recorded once, to mutate. */
const recorded = new Pair().start().pump();
const samples = [...recorded.sent.client, ...recorded.sent.server];

/** Fresh endpoints in several states: a server waiting, a client mid-handshake, a connected pair. */
function targets(): Pair[] {
  const waiting = new Pair().start();
  const midway = new Pair().start();
  midway.filter = (from, d, index) => (from === "server" && index === 0 ? null : d);
  midway.pump();
  return [waiting, midway, new Pair().start().pump()];
}

function feed(bytes: Uint8Array): void {
  for (const pair of targets()) {
    for (const side of ["client", "server"] as const) {
      pair.endpoint(side).handleDatagram(pair.now, bytes);
      pair.collect();
      for (const e of pair.of(side, "error")) assert.ok(e.error instanceof DtlsError);
    }
  }
}

describe("DtlsEndpoint on hostile datagrams", () => {
  it("never throws on random bytes that look like DTLS records", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 13, maxLength: 300 }),
        fc.constantFrom(20, 21, 22, 23),
        fc.constantFrom(0, 1, 2),
        (bytes, type, epoch) => {
          const d = Uint8Array.from(bytes);
          d[0] = type;
          d[1] = 0xfe;
          d[2] = 0xfd;
          d[3] = 0;
          d[4] = epoch;
          const length = d.length - 13;
          d[11] = length >>> 8;
          d[12] = length & 0xff;
          feed(d);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("never throws on mutated handshake datagrams", () => {
    fc.assert(
      fc.property(
        fc.nat(samples.length - 1),
        fc.array(fc.tuple(fc.nat(5000), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (which, edits) => {
          const d = Uint8Array.from(samples[which]!);
          for (const [at, value] of edits) d[at % d.length] = value;
          feed(d);
        },
      ),
      { numRuns: 150 },
    );
  });
});
