// A fixed, seeded slice of the Jingle fuzzer (test/fuzz/jingle.fuzz.ts) for every CI run: 3 000
// mutated stanzas through parseJingle and a plugin over the in-memory XMPP stand-in, with a live
// session (real ICE and DTLS on 127.0.0.1) alongside; oracle in test/support/jingle-fuzz.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runJingleFuzz } from "../support/jingle-fuzz.js";

describe("Jingle fuzz slice", () => {
  it("parses or refuses 3000 mutated stanzas, answers each once, keeps its limits and the live session", async () => {
    const report = await runJingleFuzz(3000, 20_261_202);
    assert.equal(report.violation, undefined, report.violation?.message);
    assert.equal(report.stanzas, 3000);
    const seen = (key: string) => report.outcomes.get(key) ?? 0;
    // The mutations reach every branch that matters: refusals by the parser and by dispatch,
    // new sessions, acks, and the limits.
    for (const outcome of [
      "JingleParseError",
      "parsed:session-initiate",
      "parsed:session-accept",
      "parsed:transport-info",
      "parsed:session-terminate",
      "parsed:session-info",
      "result",
      "error:bad-request",
      "error:item-not-found",
      "error:resource-constraint",
      "error:conflict",
      "error:unexpected-request",
      "error:feature-not-implemented",
      "unrouted",
    ])
      assert.ok(seen(outcome) > 0, `no stanza had the outcome ${outcome}`);
  });
});
