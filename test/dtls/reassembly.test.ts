import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeHandshakeFragments,
  encodeHandshakeMessage,
  fragmentHandshakeMessage,
} from "../../src/dtls/handshake-header.js";
import { Reassembler } from "../../src/dtls/reassembly.js";

const message = (type: number, seq: number, length: number): Uint8Array =>
  encodeHandshakeMessage(
    type,
    seq,
    Uint8Array.from({ length }, (_, i) => (i * 7 + seq) & 0xff),
  );

describe("handshake reassembly (RFC 6347 §4.2.3)", () => {
  it("hands out messages in order whatever the fragmentation, order and duplication (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer(),
        fc.integer({ min: 0, max: 10 }),
        (lengths, maxFragment, seed, duplicates) => {
          const messages = lengths.map((length, seq) => message(seq + 1, seq, length));
          const fragments = messages.flatMap((m) => fragmentHandshakeMessage(m, maxFragment));
          for (let i = 0; i < duplicates; i++)
            fragments.push(fragments[Math.abs(seed + i) % fragments.length]!);
          // Deterministic shuffle from the seed.
          let s = seed >>> 0;
          for (let i = fragments.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [fragments[i], fragments[j]] = [fragments[j]!, fragments[i]!];
          }
          const r = new Reassembler();
          const out: Uint8Array[] = [];
          for (const bytes of fragments) {
            for (const f of decodeHandshakeFragments(bytes)) {
              const outcome = r.add(f);
              assert.ok(outcome === "buffered" || outcome === "old", outcome);
            }
            for (let m; (m = r.take());)
              out.push(encodeHandshakeMessage(m.msgType, m.messageSeq, m.body));
          }
          assert.deepEqual(out, messages);
          assert.equal(r.bufferedBytes, 0);
        },
      ),
    );
  });

  it("refuses a message longer than the limit and one too far ahead", () => {
    const r = new Reassembler(0, { maxMessageLength: 100, maxAhead: 2 });
    const [big] = decodeHandshakeFragments(fragmentHandshakeMessage(message(1, 0, 101), 50)[0]!);
    assert.equal(r.add(big!), "refused");
    const [ahead] = decodeHandshakeFragments(message(1, 2, 1));
    assert.equal(r.add(ahead!), "refused");
  });

  it("bounds the bytes held across partial messages", () => {
    const r = new Reassembler(0, { maxBufferedBytes: 1000, maxAhead: 8 });
    const first = (seq: number) =>
      decodeHandshakeFragments(fragmentHandshakeMessage(message(1, seq, 600), 100)[0]!)[0]!;
    assert.equal(r.add(first(0)), "buffered");
    assert.equal(r.add(first(1)), "refused");
    assert.equal(r.bufferedBytes, 600);
  });

  it("calls a fragment that contradicts the message's type or length inconsistent", () => {
    const r = new Reassembler();
    const [a] = decodeHandshakeFragments(fragmentHandshakeMessage(message(1, 0, 300), 100)[0]!);
    const [b] = decodeHandshakeFragments(fragmentHandshakeMessage(message(2, 0, 300), 100)[1]!);
    assert.equal(r.add(a!), "buffered");
    assert.equal(r.add(b!), "inconsistent");
  });

  it("calls fragments of messages already handed out old", () => {
    const r = new Reassembler();
    const [m] = decodeHandshakeFragments(message(1, 0, 10));
    r.add(m!);
    assert.ok(r.take());
    assert.equal(r.add(m!), "old");
  });
});
