// Tiny timing helper shared by the benchmarks in bench/. Not part of the package.

/**
 * A benchmark body: runs the operation `iterations` times in its own loop and returns a
 * checksum of the results, so the work cannot be optimized away. Each case owns its loop so
 * that the call site of the operation stays monomorphic.
 */
export type Batch = (iterations: number) => number;

/** What one timed run produced. */
export interface Sample {
  /** Operations per second over the run. */
  readonly opsPerSecond: number;
  /** The checksum returned by the batches, folded to 32 bits. */
  readonly checksum: number;
}

const BATCH = 1000;

/** Runs `batch` for `iterations` operations without timing it (JIT warm-up). */
export function warmUp(batch: Batch, iterations: number): number {
  return batch(iterations) >>> 0;
}

/**
 * Runs `batch` in chunks of 1000 operations until at least `seconds` of wall time have passed,
 * and returns the rate. The clock is read once per chunk, so its cost is negligible.
 */
export function measure(batch: Batch, seconds: number): Sample {
  const budget = BigInt(Math.round(seconds * 1e9));
  let checksum = 0;
  let operations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    checksum = (checksum + batch(BATCH)) >>> 0;
    operations += BATCH;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return { opsPerSecond: (operations * 1e9) / Number(elapsed), checksum };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Reads a positive number from the environment, or `fallback` when the variable is unset. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}
