// Two sans-IO SCTP endpoints on a virtual clock, joined by a seeded in-memory link that can lose,
// delay, reorder and duplicate packets. Deterministic: the same seed gives the same run.
import { seededRng, type Rng } from "../../../src/common/rng.js";
import type { Deadline } from "../../../src/common/sans-io.js";
import { Clock, type TimerHandle } from "../../sim/clock.js";
import { deriveRng, uniform } from "../../sim/random.js";

/** What the harness needs from a sans-IO endpoint (an Association or a DataChannelEndpoint). */
export interface Endpoint<E> {
  handlePacket(now: number, bytes: Uint8Array): void;
  handleTimeout(now: number): void;
  pollTransmit(): Uint8Array | undefined;
  pollEvent(): E | undefined;
  pollTimeout(): Deadline;
}

/** Link conditions, each way. */
export interface LinkConditions {
  /** One-way delay, ms. @default 10 */
  readonly latency?: number;
  /** Extra delay drawn from [0, jitter) per packet, so packets can overtake. @default 0 */
  readonly jitter?: number;
  /** Probability a packet is lost. @default 0 */
  readonly loss?: number;
  /** Probability a delivered packet arrives twice. @default 0 */
  readonly duplicate?: number;
}

/** Per-direction link counters. */
export interface LinkCounters {
  sent: number;
  lost: number;
  delivered: number;
}

/** Which side. */
export type Side = "a" | "b";

/**
 * A tap sees every packet before the link: return the bytes to send (possibly changed) or
 * `undefined` to drop it.
 */
export type Tap = (from: Side, bytes: Uint8Array) => Uint8Array | undefined;

/** Two endpoints on one virtual clock. */
export class Pair<E> {
  readonly clock = new Clock();
  readonly events: Record<Side, E[]> = { a: [], b: [] };
  readonly link: Record<Side, LinkCounters> = {
    a: { sent: 0, lost: 0, delivered: 0 },
    b: { sent: 0, lost: 0, delivered: 0 },
  };
  private readonly timers: Record<Side, TimerHandle | undefined> = { a: undefined, b: undefined };
  private readonly rng: Rng;
  /** Called with every event as it is polled. */
  onEvent: ((side: Side, event: E) => void) | undefined;
  tap: Tap | undefined;
  conditions: Required<LinkConditions>;

  constructor(
    readonly a: Endpoint<E>,
    readonly b: Endpoint<E>,
    conditions: LinkConditions = {},
    seed = 1,
  ) {
    this.rng = deriveRng(seed, "sctp-link");
    this.conditions = { latency: 10, jitter: 0, loss: 0, duplicate: 0, ...conditions };
  }

  /** The endpoint on `side`. */
  endpoint(side: Side): Endpoint<E> {
    return side === "a" ? this.a : this.b;
  }

  /** Drains both endpoints' outputs (call after giving an endpoint an input). */
  drive(side?: Side): void {
    for (const s of side === undefined ? (["a", "b"] as const) : [side]) {
      const endpoint = this.endpoint(s);
      for (
        let bytes = endpoint.pollTransmit();
        bytes !== undefined;
        bytes = endpoint.pollTransmit()
      ) {
        this.transmit(s, bytes);
      }
      for (let event = endpoint.pollEvent(); event !== undefined; event = endpoint.pollEvent()) {
        this.events[s].push(event);
        this.onEvent?.(s, event);
      }
      this.arm(s);
    }
  }

  private arm(side: Side): void {
    const deadline = this.endpoint(side).pollTimeout();
    const current = this.timers[side];
    if (current?.pending && current.time === deadline) return;
    current?.cancel();
    this.timers[side] = undefined;
    if (deadline === undefined) return;
    this.timers[side] = this.clock.schedule(Math.max(deadline, this.clock.now), () => {
      this.timers[side] = undefined;
      this.endpoint(side).handleTimeout(this.clock.now);
      this.drive(side);
    });
  }

  private transmit(from: Side, original: Uint8Array): void {
    const bytes = this.tap === undefined ? original : this.tap(from, original);
    const counters = this.link[from];
    counters.sent++;
    if (bytes === undefined || uniform(this.rng) < this.conditions.loss) {
      counters.lost++;
      return;
    }
    const copies = uniform(this.rng) < this.conditions.duplicate ? 2 : 1;
    const to: Side = from === "a" ? "b" : "a";
    for (let i = 0; i < copies; i++) {
      const delay = this.conditions.latency + uniform(this.rng) * this.conditions.jitter;
      const copy = bytes.slice();
      this.clock.schedule(this.clock.now + delay, () => {
        counters.delivered++;
        this.endpoint(to).handlePacket(this.clock.now, copy);
        this.drive(to);
      });
    }
  }

  /** Runs the clock until `until()` holds or `maxTime` ms of virtual time have passed. */
  run(until: () => boolean, maxTime = 600_000): number {
    return this.clock.run({ until, maxTime: this.clock.now + maxTime });
  }
}

/** A seeded Rng per side, so both endpoints draw from their own stream. */
export function sideRng(seed: number, side: Side): Rng {
  return seededRng((seed * 2 + (side === "a" ? 1 : 2)) >>> 0);
}
