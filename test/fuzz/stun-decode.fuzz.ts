// Manual fuzz run for the STUN/ChannelData decoders (not part of `npm test`):
//
//   npm run fuzz                      # 120 000 inputs, seed from the clock
//   FUZZ_RUNS=1000000 FUZZ_SEED=7 npm run fuzz
//
// Inputs come from three generators: random bytes, random bytes behind a valid STUN header, and
// valid encoded messages with 1–4 mutations (bit flips, byte sets, truncation, extension, length
// rewrites). Every decoder must either succeed or throw StunDecodeError. Any other outcome is
// written to test/fuzz/regressions/<hash>.hex, which test/fuzz/regressions.test.ts replays in CI.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { toHex } from "../../src/common/bytes.js";
import type { StunDecodeError } from "../../src/stun/errors.js";
import { decodeStunMessage } from "../../src/stun/message.js";
import { UndocumentedDecodeError, decodeAnything, mutatedMessage } from "../support/stun-fuzz.js";

const runs = Number(process.env["FUZZ_RUNS"] ?? 120_000);
const seed = Number(process.env["FUZZ_SEED"] ?? Date.now() % 2 ** 31);
const regressions = new URL("./regressions/", import.meta.url);

const headerThenNoise = fc
  .tuple(
    fc.integer({ min: 0, max: 0x3fff }),
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.uint8Array({ maxLength: 120, size: "max" }),
  )
  .map(([type, id, body]) => {
    const length = body.length & ~3;
    const out = new Uint8Array(20 + length);
    out[0] = type >> 8;
    out[1] = type & 0xff;
    out[2] = length >> 8;
    out[3] = length & 0xff;
    out.set([0x21, 0x12, 0xa4, 0x42], 4);
    out.set(id, 8);
    out.set(body.subarray(0, length), 20);
    return out;
  });

const generators: [string, fc.Arbitrary<Uint8Array>][] = [
  ["random bytes", fc.uint8Array({ maxLength: 160, size: "max" })],
  ["valid header, random body", headerThenNoise],
  ["mutated valid messages", mutatedMessage],
];

let failures = 0;
const started = process.hrtime.bigint();
for (const [name, arbitrary] of generators) {
  const count = Math.ceil(runs / generators.length);
  const outcomes = new Map<string, number>();
  let index = 0;
  for (const input of fc.sample(arbitrary, { numRuns: count, seed: seed + index++ })) {
    try {
      decodeAnything(input);
      let outcome = "decoded";
      try {
        decodeStunMessage(input);
      } catch (error) {
        outcome = (error as StunDecodeError).where.replace(/0x[0-9a-f]{4}$/, "<unknown code>");
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    } catch (error) {
      if (!(error instanceof UndocumentedDecodeError)) throw error;
      failures++;
      const hex = toHex(input);
      const file = new URL(
        `${createHash("sha256").update(hex).digest("hex").slice(0, 16)}.hex`,
        regressions,
      );
      writeFileSync(file, `${hex}\n`);
      console.error(`UNDOCUMENTED ERROR (${String(error.original)}): saved ${file.pathname}`);
    }
  }
  const top = [...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`${name}: ${count} inputs; outcomes: ${top.map(([k, v]) => `${k}=${v}`).join(", ")}`);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `seed ${seed}: ${runs} inputs in ${seconds.toFixed(1)} s, ${failures} undocumented errors`,
);
process.exit(failures === 0 ? 0 : 1);
