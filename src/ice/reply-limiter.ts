/**
 * A rate limit on the error responses (400, 401, 420) the agent sends to Binding requests it
 * cannot accept. Anyone can send those requests, from a spoofed source too, so each answer is
 * a datagram a stranger makes us send to an address of its choice (a reflection attack, RFC 8489
 * §16): token buckets on the driver's clock, one per source address and one for the
 * whole agent, cap them. The per-source buckets live in a map of at most `maxSources` entries;
 * the least recently used one is evicted first (docs/security.md).
 */
import type { TransportAddress } from "../common/address.js";
import { addressKey } from "./candidate.js";

/** Rates and the bound of the source map. */
export interface ReplyLimits {
  /** Error replies per second to one source address (the burst is one second's worth). */
  readonly perSource: number;
  /** Error replies per second in all. */
  readonly total: number;
  /** Source addresses remembered at most. */
  readonly maxSources: number;
}

/** A token bucket in thousandths of a token, so whole-millisecond clocks stay exact. */
interface Bucket {
  units: number;
  at: number;
}

const UNIT = 1000;

/** Decides whether one more error reply may go to a source now. */
export class ReplyLimiter {
  private readonly sources = new Map<string, Bucket>();
  private readonly all: Bucket;

  constructor(private readonly limits: ReplyLimits) {
    this.all = { units: limits.total * UNIT, at: 0 };
  }

  /** Source addresses currently remembered (at most `maxSources`). */
  get size(): number {
    return this.sources.size;
  }

  /** True when an error reply may go to `source` at `now` (a token of each bucket is spent). */
  allow(now: number, source: TransportAddress): boolean {
    const key = addressKey(source);
    let bucket = this.sources.get(key);
    if (bucket === undefined) {
      bucket = { units: this.limits.perSource * UNIT, at: now };
      if (this.sources.size >= this.limits.maxSources) {
        const oldest = this.sources.keys().next();
        if (!oldest.done) this.sources.delete(oldest.value);
      }
    } else {
      this.sources.delete(key); // re-inserted below: the map's order is least recently used first
    }
    if (this.limits.maxSources > 0) this.sources.set(key, bucket);
    refill(bucket, now, this.limits.perSource);
    refill(this.all, now, this.limits.total);
    if (bucket.units < UNIT || this.all.units < UNIT) return false;
    bucket.units -= UNIT;
    this.all.units -= UNIT;
    return true;
  }
}

/** Adds `rate` tokens per second since the bucket's last use, up to one second's worth. */
function refill(bucket: Bucket, now: number, rate: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.units = Math.min(rate * UNIT, bucket.units + elapsed * rate);
  bucket.at = Math.max(bucket.at, now);
}
