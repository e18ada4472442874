// Replays every stanza the Jingle fuzzer (test/fuzz/jingle.fuzz.ts) ever caught breaking its
// oracle, plus hand-picked extremes, through parseJingle and the plugin (with a live session
// alongside): each must parse or throw JingleParseError, and get exactly one proper answer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FuzzRng } from "../support/jingle-mutate.js";
import { PluginHarness, parseOutcome } from "../support/jingle-fuzz.js";
import { loadRegressions } from "../support/jingle-regressions.js";

const fixtures = loadRegressions();

describe("Jingle fuzz regression fixtures", () => {
  let harness: PluginHarness;
  before(async () => {
    harness = new PluginHarness(new FuzzRng(1));
    await harness.start();
  });
  after(() => harness.finish());

  it("has fixtures to replay", () => {
    assert.ok(fixtures.length > 0);
  });

  for (const fixture of fixtures) {
    it(`parses or refuses ${fixture.name} and answers it once (found: ${fixture.found})`, async () => {
      parseOutcome(fixture.stanza, fixture.sender);
      const [outcome] = await harness.feed([[fixture.stanza, fixture.sender]]);
      assert.ok(outcome !== undefined);
    });
  }
});
