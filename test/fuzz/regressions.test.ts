// Replays every input the fuzz script (test/fuzz/stun-decode.fuzz.ts) or a property test ever
// found, plus hand-picked edge cases: each must decode or throw StunDecodeError, nothing else.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { fromHex } from "../../src/common/bytes.js";
import { decodeAnything } from "../support/stun-fuzz.js";

const folder = new URL("./regressions/", import.meta.url);
const fixtures = readdirSync(folder)
  .filter((name) => name.endsWith(".hex"))
  .sort();

describe("decoder regression fixtures", () => {
  it("has fixtures to replay", () => {
    assert.ok(fixtures.length > 0);
  });

  for (const name of fixtures) {
    it(`decodes or rejects ${name} with StunDecodeError only`, () => {
      decodeAnything(fromHex(readFileSync(new URL(name, folder), "utf8")));
    });
  }
});
