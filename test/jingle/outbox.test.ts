// The per-session outbox (src/jingle/outbox.ts): the order rules of XEP-0166 §6, XEP-0176 §5 and
// XEP-0371, first as examples, then as a property over every interleaving of gathering events,
// restarts, sends and acknowledgements.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { JingleOutbox, type OutboxRole, type OutgoingTransport } from "../../src/jingle/outbox.js";
import type { JingleCandidate } from "../../src/jingle/model.js";

const runs = Number(process.env["FC_RUNS"] ?? 300);

function candidate(n: number): JingleCandidate {
  return {
    component: 1,
    foundation: String(n),
    generation: 0,
    ip: "127.0.0.1",
    network: 0,
    port: 10_000 + n,
    priority: 1000 + n,
    protocol: "udp",
    type: "host",
  };
}

const creds = (n: number) => ({ ufrag: `u${n}`, pwd: `password-of-generation-${n}` });
const ports = (t: OutgoingTransport | undefined) => t?.candidates.map((c) => c.port);

describe("JingleOutbox examples", () => {
  it("as responder, puts gathering-complete into the session-accept when gathering finished first", () => {
    const box = new JingleOutbox("responder", creds(0));
    box.addCandidate(candidate(1));
    box.endOfCandidates();
    const accept = box.opening();
    assert.deepEqual(ports(accept), [10_001]);
    assert.equal(accept.gatheringComplete, true);
    box.sent(accept.id);
    assert.equal(box.poll(), undefined);
  });

  it("as responder, sends nothing before the session-accept has been sent", () => {
    const box = new JingleOutbox("responder", creds(0));
    box.addCandidate(candidate(1));
    const accept = box.opening();
    box.addCandidate(candidate(2));
    box.endOfCandidates();
    assert.equal(box.poll(), undefined, "the session-accept is not written yet");
    box.sent(accept.id);
    const info = box.poll()!;
    assert.deepEqual(ports(info), [10_002]);
    assert.equal(info.gatheringComplete, false, "the session-accept's candidate is not acked yet");
    box.sent(info.id);
    box.settled(accept.id);
    assert.equal(box.poll(), undefined, "the transport-info's candidate is not acked yet");
    box.settled(info.id);
    const end = box.poll()!;
    assert.deepEqual(ports(end), []);
    assert.equal(end.gatheringComplete, true);
    assert.equal(box.poll(), undefined);
    assert.deepEqual(box.stats(), {
      stanzas: 3,
      candidates: 2,
      endOfCandidates: 1,
      discarded: 0,
    });
  });

  it("as initiator, holds every transport-info until the session-initiate is acknowledged", () => {
    const box = new JingleOutbox("initiator", creds(0));
    const initiate = box.opening();
    assert.deepEqual(ports(initiate), []);
    box.sent(initiate.id);
    box.addCandidate(candidate(1));
    box.endOfCandidates();
    assert.equal(box.poll(), undefined);
    box.settled(initiate.id);
    const info = box.poll()!;
    assert.deepEqual(ports(info), [10_001]);
    assert.equal(info.gatheringComplete, true, "candidates and the end may share one stanza");
  });

  it("after a restart, sends the new credentials even before any new candidate", () => {
    const box = new JingleOutbox("initiator", creds(0));
    const initiate = box.opening();
    box.settled(initiate.id);
    box.addCandidate(candidate(1));
    box.restart(creds(1));
    const info = box.poll()!;
    assert.equal(info.ufrag, "u1");
    assert.deepEqual(ports(info), [], "the old generation's candidate is dropped");
    assert.equal(box.stats().discarded, 1);
  });

  it("caps the candidates waiting to be sent", () => {
    const box = new JingleOutbox("responder", creds(0));
    for (let i = 0; i < 150; i++) box.addCandidate(candidate(i));
    assert.equal(box.opening().candidates.length, 100);
    assert.equal(box.stats().discarded, 50);
  });
});

/** One step of an interleaving. */
type Op =
  | { readonly op: "candidate" }
  | { readonly op: "end" }
  | { readonly op: "restart" }
  | { readonly op: "open" }
  | { readonly op: "flush" }
  | { readonly op: "ack"; readonly pick: number };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Op>({ op: "candidate" }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: "end" }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: "restart" }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: "open" }) },
    { weight: 3, arbitrary: fc.constant<Op>({ op: "flush" }) },
    { weight: 3, arbitrary: fc.nat(20).map<Op>((pick) => ({ op: "ack", pick })) },
  ),
  { maxLength: 60 },
);

/**
 * Plays `steps` like the plugin does (send whatever poll() gives at once; the peer answers stanzas
 * in any order), then lets everything settle, and checks the order rules on what left.
 */
function play(role: OutboxRole, steps: readonly Op[]): void {
  let generation = 0;
  let next = 0;
  const box = new JingleOutbox(role, creds(0));
  /** Candidate port → generation, for candidates added and not dropped by a restart yet. */
  const owed = new Map<number, number>();
  const dropped = new Set<number>();
  let endOwed = false;
  let opening: OutgoingTransport | undefined;
  let openingSettled = false;
  const inFlight: OutgoingTransport[] = [];
  /** Port → the stanza that carried it and whether that stanza has been acknowledged. */
  const carried = new Map<number, { id: number; settled: boolean }>();
  const wire: OutgoingTransport[] = [];

  const emit = (t: OutgoingTransport): void => {
    // Rule 1: nothing before the opening (initiator: acked; responder: sent).
    if (t !== opening) {
      assert.ok(opening !== undefined, "a stanza left before the opening");
      if (role === "initiator") assert.ok(openingSettled, "a stanza left before the ack");
    }
    // Rule 2: the credentials are the current generation's.
    assert.equal(t.ufrag, `u${generation}`);
    for (const c of t.candidates) {
      assert.ok(!carried.has(c.port), `candidate ${c.port} sent twice`);
      assert.equal(owed.get(c.port), generation, `candidate ${c.port} from another generation`);
      carried.set(c.port, { id: t.id, settled: false });
      owed.delete(c.port);
    }
    if (t.gatheringComplete) {
      // Rule 3: every candidate of this generation left earlier and was acknowledged, or
      // rides in this very stanza.
      assert.ok(endOwed, "gathering-complete without end of gathering");
      for (const [port, gen] of owed)
        assert.notEqual(gen, generation, `end before candidate ${port}`);
      for (const [port, where] of carried)
        if (where.id !== t.id && !dropped.has(port))
          assert.ok(where.settled, `end before the ack of candidate ${port}`);
      endOwed = false;
    }
    wire.push(t);
    inFlight.push(t);
    box.sent(t.id);
  };
  const flush = (): void => {
    for (let t = box.poll(); t !== undefined; t = box.poll()) emit(t);
  };
  const ack = (index: number): void => {
    const [t] = inFlight.splice(index, 1);
    if (t === undefined) return;
    for (const where of carried.values()) if (where.id === t.id) where.settled = true;
    if (t === opening) openingSettled = true;
    box.settled(t.id);
  };

  for (const step of steps) {
    switch (step.op) {
      case "candidate": {
        const port = 10_000 + next++;
        owed.set(port, generation);
        box.addCandidate(candidate(port - 10_000));
        break;
      }
      case "end":
        endOwed = true;
        box.endOfCandidates();
        break;
      case "restart":
        generation++;
        for (const [port, gen] of owed) if (gen < generation) dropped.add(port);
        for (const port of dropped) owed.delete(port);
        // Stanzas of the old generation no longer count for the new one's end.
        for (const port of carried.keys()) dropped.add(port);
        endOwed = false;
        box.restart(creds(generation));
        break;
      case "open":
        if (opening === undefined) {
          opening = box.opening();
          emit(opening);
        }
        break;
      case "flush":
        flush();
        break;
      case "ack":
        if (inFlight.length > 0) ack(step.pick % inFlight.length);
        break;
    }
  }
  // Quiescence: open if not yet, then answer everything until nothing moves.
  if (opening === undefined) emit((opening = box.opening()));
  for (flush(); inFlight.length > 0; flush()) ack(0);
  assert.equal(owed.size, 0, "every candidate of the current generation was sent");
  assert.equal(endOwed, false, "the end of gathering was announced");
}

describe("JingleOutbox order property", () => {
  for (const role of ["initiator", "responder"] as const) {
    it(`as ${role}, never lets a stanza precede the opening, nor an end precede a candidate it covers`, () => {
      fc.assert(
        fc.property(ops, (steps) => play(role, steps)),
        { numRuns: runs },
      );
    });
  }
});
