// STUN codec benchmark: jingle-ice against werift-ice (a dev dependency, used only here).
//
// What is measured, in messages per second, on the ICE connectivity check of RFC 8445 §7.2.2:
// a Binding request carrying USERNAME, PRIORITY and ICE-CONTROLLING, then MESSAGE-INTEGRITY
// (HMAC-SHA1 with a short-term key) and FINGERPRINT.
//
// - encode: build the message from its values and produce the wire bytes, integrity and
//   fingerprint included.
// - decode + verify: parse the bytes, check FINGERPRINT and MESSAGE-INTEGRITY, and read the
//   USERNAME, PRIORITY and ICE-CONTROLLING values (werift decodes every attribute, so we read
//   ours too). Both codecs decode the very same bytes.
//
// Before timing, a cross-check proves both sides do the same work: each codec's bytes must
// decode and verify in the other one, and a wrong key must be rejected by both. The script
// aborts when that fails.
//
// Each case is warmed up, then timed for a fixed wall time in several rounds; ours and
// werift's alternate within each round (and swap order every round) so that background noise
// hits both. The table shows the median of the rounds. A missed target is reported, but the
// exit status stays 0: this is a benchmark, not a test.
//
// Run: npm run bench:stun
// Tune: BENCH_SECONDS (per case and round, default 1), BENCH_ROUNDS (default 5),
//       BENCH_WARMUP (iterations, default 20000), e.g.
//       BENCH_SECONDS=0.5 BENCH_ROUNDS=3 npm run bench:stun
import os from "node:os";
import type * as StunModule from "../src/stun/index.js";
import { Message, classes, methods, parseMessage } from "werift-ice";
// The codec is measured as users get it: the compiled JavaScript in dist/ (npm run build), not
// the TypeScript sources through tsx, whose transform made decoding about twice as slow.
const stun: typeof StunModule = await import(
  new URL("../dist/stun/index.js", import.meta.url).href
).catch((error: unknown) => {
  console.error(`bench/stun.ts needs the build: run \`npm run build\` first (${String(error)})`);
  process.exit(1);
});
const {
  StunMethod,
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  shortTermKey,
  verifyMessageIntegrity,
} = stun;
import { median, measure, numberFromEnv, warmUp, type Batch } from "./support/measure.js";

const TARGET_RATIO = 3;

const seconds = numberFromEnv("BENCH_SECONDS", 1);
const rounds = Math.round(numberFromEnv("BENCH_ROUNDS", 5));
const warmUpIterations = Math.round(numberFromEnv("BENCH_WARMUP", 20_000));

// The values of a typical connectivity check.
const username = "abcd:efgh";
const password = "VOkJxbRl1RmTxUk/WvJxBt";
const priority = 1853824767;
const tieBreaker = 0x0102030405060708n;
const transactionId = Buffer.from("b7e7a701bc34d686fa87dfae", "hex");

const key = shortTermKey(password);
const weriftKey = Buffer.from(password, "utf8");

// --- the four operations -------------------------------------------------------------------

function oursEncode(): Uint8Array {
  return encodeStunMessage(
    {
      class: "request",
      method: StunMethod.Binding,
      transactionId,
      attributes: [
        attr("USERNAME", username),
        attr("PRIORITY", priority),
        attr("ICE-CONTROLLING", tieBreaker),
      ],
    },
    { messageIntegrity: key, fingerprint: true },
  );
}

function weriftEncode(): Buffer {
  return new Message(methods.BINDING, classes.REQUEST, transactionId)
    .setAttribute("USERNAME", username)
    .setAttribute("PRIORITY", priority)
    .setAttribute("ICE-CONTROLLING", tieBreaker)
    .addMessageIntegrity(weriftKey)
    .addFingerprint().bytes;
}

interface CheckValues {
  readonly username: string | undefined;
  readonly priority: number | undefined;
  readonly tieBreaker: bigint | undefined;
}

/** Decodes, checks FINGERPRINT and MESSAGE-INTEGRITY; undefined when either fails. */
function oursDecode(bytes: Uint8Array, withKey: Uint8Array): CheckValues | undefined {
  const message = decodeStunMessage(bytes); // throws when FINGERPRINT does not match
  if (!verifyMessageIntegrity(message, withKey)) return undefined;
  return {
    username: getAttribute(message, "USERNAME"),
    priority: getAttribute(message, "PRIORITY"),
    tieBreaker: getAttribute(message, "ICE-CONTROLLING"),
  };
}

/** parseMessage checks FINGERPRINT, and MESSAGE-INTEGRITY when given a key. */
function weriftDecode(bytes: Buffer, withKey: Buffer): CheckValues | undefined {
  const message = parseMessage(bytes, withKey);
  if (message === undefined) return undefined;
  return {
    username: message.getAttributeValue("USERNAME") as string | undefined,
    priority: message.getAttributeValue("PRIORITY") as number | undefined,
    tieBreaker: message.getAttributeValue("ICE-CONTROLLING") as bigint | undefined,
  };
}

// --- cross-check ---------------------------------------------------------------------------

function fail(reason: string): never {
  console.error(`cross-check FAILED: ${reason}`);
  process.exit(1);
}

/** Runs a decode for the cross-check, turning a thrown decode error into a failure. */
function attempt(what: string, decode: () => CheckValues | undefined): CheckValues | undefined {
  try {
    return decode();
  } catch (error) {
    fail(`${what}: ${(error as Error).message}`);
  }
}

function expectValues(what: string, values: CheckValues | undefined): void {
  if (values === undefined) fail(`${what}: integrity or fingerprint rejected`);
  if (
    values.username !== username ||
    values.priority !== priority ||
    values.tieBreaker !== tieBreaker
  ) {
    fail(`${what}: attribute values differ: ${JSON.stringify(values, (_, v) => String(v))}`);
  }
}

const oursBytes = Buffer.from(oursEncode());
const weriftBytes = weriftEncode();

const crossChecks: readonly [string, () => CheckValues | undefined][] = [
  ["jingle-ice bytes decoded by werift-ice", () => weriftDecode(oursBytes, weriftKey)],
  ["werift-ice bytes decoded by jingle-ice", () => oursDecode(weriftBytes, key)],
  ["jingle-ice bytes decoded by jingle-ice", () => oursDecode(oursBytes, key)],
  ["werift-ice bytes decoded by werift-ice", () => weriftDecode(weriftBytes, weriftKey)],
];
for (const [what, decode] of crossChecks) expectValues(what, attempt(what, decode));
const wrongKey = Buffer.from(`${password}x`, "utf8");
if (weriftDecode(oursBytes, wrongKey) !== undefined) fail("werift-ice accepted a wrong key");
if (attempt("wrong key", () => oursDecode(oursBytes, wrongKey)) !== undefined) {
  fail("jingle-ice accepted a wrong key");
}
const damaged = Buffer.from(oursBytes);
damaged[damaged.length - 1]! ^= 1;
if (weriftDecode(damaged, weriftKey) !== undefined) fail("werift-ice accepted a bad FINGERPRINT");
let fingerprintChecked = false;
try {
  decodeStunMessage(damaged);
} catch {
  fingerprintChecked = true;
}
if (!fingerprintChecked) fail("jingle-ice accepted a bad FINGERPRINT");
const identical = oursBytes.equals(weriftBytes);

// --- benchmark bodies ----------------------------------------------------------------------

// The same bytes go to both decoders (identical to werift's own output when `identical`).
const weriftInput = oursBytes;
// Both decoders get the same Node Buffer, as node:dgram delivers datagrams.
const oursInput = oursBytes;

const cases: readonly { name: string; ours: Batch; werift: Batch }[] = [
  {
    name: "encode",
    ours(n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const bytes = oursEncode();
        sum = (sum + bytes.length + bytes[bytes.length - 1]!) >>> 0;
      }
      return sum;
    },
    werift(n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const bytes = weriftEncode();
        sum = (sum + bytes.length + bytes[bytes.length - 1]!) >>> 0;
      }
      return sum;
    },
  },
  {
    name: "decode + verify",
    ours(n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const values = oursDecode(oursInput, key);
        if (values === undefined) throw new Error("jingle-ice rejected the message");
        sum =
          (sum + values.username!.length + values.priority! + Number(values.tieBreaker! & 1n)) >>>
          0;
      }
      return sum;
    },
    werift(n) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const values = weriftDecode(weriftInput, weriftKey);
        if (values === undefined) throw new Error("werift-ice rejected the message");
        sum =
          (sum + values.username!.length + values.priority! + Number(values.tieBreaker! & 1n)) >>>
          0;
      }
      return sum;
    },
  },
];

// --- run -----------------------------------------------------------------------------------

const cpus = os.cpus();
console.log("STUN codec benchmark: Binding request, USERNAME + PRIORITY + ICE-CONTROLLING +");
console.log("MESSAGE-INTEGRITY + FINGERPRINT (bench/stun.ts)");
console.log(`node ${process.version} (${process.platform}/${process.arch})`);
console.log(`cpu: ${cpus[0]?.model.trim() ?? "unknown"} x ${cpus.length}`);
console.log(
  `load average (1/5/15 min): ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ")}`,
);
console.log(
  `settings: ${seconds} s per case and round, ${rounds} rounds, ${warmUpIterations} warm-up iterations`,
);
console.log(
  `cross-check: OK — each codec's ${oursBytes.length}-byte message decodes and verifies in the ` +
    `other; wrong key and bad FINGERPRINT rejected by both; bytes ${identical ? "identical" : "differ"}`,
);

let checksum = 0;
for (const c of cases) {
  checksum = (checksum + warmUp(c.ours, warmUpIterations)) >>> 0;
  checksum = (checksum + warmUp(c.werift, warmUpIterations)) >>> 0;
}

const samples = new Map(
  cases.map((c) => [c.name, { ours: [] as number[], werift: [] as number[] }]),
);
for (let round = 0; round < rounds; round++) {
  for (const c of cases) {
    const bucket = samples.get(c.name)!;
    const order = round % 2 === 0 ? (["ours", "werift"] as const) : (["werift", "ours"] as const);
    for (const side of order) {
      const sample = measure(c[side], seconds);
      bucket[side].push(sample.opsPerSecond);
      checksum = (checksum + sample.checksum) >>> 0;
    }
  }
}

const format = (n: number): string => Math.round(n).toLocaleString("en-US");
const rows = cases.map((c) => {
  const bucket = samples.get(c.name)!;
  const ours = median(bucket.ours);
  const werift = median(bucket.werift);
  const ratio = ours / werift;
  const spread = (values: number[]): string =>
    `${format(Math.min(...values))}–${format(Math.max(...values))}`;
  return {
    name: c.name,
    ours,
    werift,
    ratio,
    met: ratio >= TARGET_RATIO,
    detail: `${c.name}: jingle-ice ${spread(bucket.ours)}, werift-ice ${spread(bucket.werift)}`,
  };
});

console.log("");
console.log(
  `| case | jingle-ice msg/s | werift-ice msg/s | ratio | target ≥${TARGET_RATIO}× met? |`,
);
console.log("| --- | ---: | ---: | ---: | --- |");
for (const row of rows) {
  console.log(
    `| ${row.name} | ${format(row.ours)} | ${format(row.werift)} | ${row.ratio.toFixed(2)}× | ${row.met ? "yes" : "NO"} |`,
  );
}
console.log("");
console.log(`median of ${rounds} rounds; range over the rounds (msg/s):`);
for (const row of rows) console.log(`  ${row.detail}`);
console.log(`checksum: ${checksum.toString(16)}`);

const missed = rows.filter((row) => !row.met);
if (missed.length > 0) {
  console.log(
    `TARGET MISSED (≥${TARGET_RATIO}× werift-ice): ${missed.map((r) => `${r.name} at ${r.ratio.toFixed(2)}×`).join(", ")}`,
  );
} else {
  console.log(`target met: jingle-ice is at least ${TARGET_RATIO}× werift-ice in both directions`);
}
