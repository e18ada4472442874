// Manual fuzz run of the Jingle parser and the plugin's dispatch (not part of `npm test`; a
// fixed slice of it is, in jingle-slice.test.ts):
//
//   npm run fuzz:jingle                          # 100 000 stanzas, seed from the clock
//   npm run fuzz:jingle -- --runs 300000 --seed 7
//   FUZZ_RUNS=300000 FUZZ_SEED=7 npm run fuzz:jingle
//
// Real stanzas (session-initiate/accept, transport-info, session-terminate, session-info, …)
// mutated 1–6 times (test/support/jingle-mutate.ts), 15 % of them as XML text. Each goes through
// parseJingle, then to a plugin over the in-memory XMPP stand-in with a live session beside it;
// the oracle is in test/support/jingle-fuzz.ts. A violation is saved as
// test/fuzz/regressions/jingle/<hash>.json, which jingle-regressions.test.ts replays.
import { parseArgs } from "node:util";
import { runJingleFuzz } from "../support/jingle-fuzz.js";
import { saveRegression } from "../support/jingle-regressions.js";

const { values } = parseArgs({
  options: { runs: { type: "string" }, seed: { type: "string" } },
});
const runs = Number(values.runs ?? process.env["FUZZ_RUNS"] ?? 100_000);
const seed = Number(values.seed ?? process.env["FUZZ_SEED"] ?? Date.now() % 2 ** 31);
if (!Number.isInteger(runs) || runs <= 0 || !Number.isInteger(seed))
  throw new RangeError("--runs must be a positive integer and --seed an integer");

console.log(`Jingle fuzz: ${runs} stanzas, seed ${seed}`);
const report = await runJingleFuzz(runs, seed, (done) => console.log(`  ${done} stanzas`));
const top = (map: ReadonlyMap<string, number>) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${k}: ${v}`)
    .join("\n");
console.log(`outcomes (parse, then the plugin's answer):\n${top(report.outcomes)}`);
if (report.reported.size > 0)
  console.log(`reported by the plugin ('error' events):\n${top(report.reported)}`);
console.log(
  `seed ${seed}: ${report.stanzas} stanzas in ${report.seconds.toFixed(1)} s = ` +
    `${Math.round(report.stanzas / report.seconds)} stanzas/s, ` +
    `${report.violation === undefined ? 0 : 1} oracle violations`,
);
if (report.violation !== undefined) {
  const file = saveRegression(report.violation);
  console.error(`ORACLE VIOLATION: ${report.violation.message}\n  saved ${file}`);
  process.exit(1);
}
process.exit(0);
