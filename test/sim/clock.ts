/**
 * The virtual clock and its event queue. Events run in time order; events at the same time run
 * in the order they were scheduled, so a run is fully determined by its inputs.
 */

/** A scheduled callback. */
export interface TimerHandle {
  /** When it runs (virtual ms). */
  readonly time: number;
  /** True until it has run or been cancelled. */
  readonly pending: boolean;
  /** Removes it from the queue (no effect once it has run). */
  cancel(): void;
}

/** How far {@link Clock.run} goes. */
export interface RunOptions {
  /** Stop as soon as this returns true (checked before the first event and after each one). */
  readonly until?: () => boolean;
  /** Absolute virtual time not to go past; events at exactly this time still run. */
  readonly maxTime: number;
}

class Entry implements TimerHandle {
  cancelled = false;
  done = false;
  constructor(
    readonly time: number,
    readonly seq: number,
    readonly fn: () => void,
    private readonly onCancel: () => void,
  ) {}
  get pending(): boolean {
    return !this.cancelled && !this.done;
  }
  cancel(): void {
    if (!this.pending) return;
    this.cancelled = true;
    this.onCancel();
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** A virtual clock (ms, starting at 0) with a deterministic priority queue of events. */
export class Clock {
  private nowValue = 0;
  private seq = 0;
  private live = 0;
  private running = false;
  private readonly heap: Entry[] = [];

  /** The current virtual time in ms. */
  get now(): number {
    return this.nowValue;
  }

  /** How many events are waiting (cancelled ones excluded). */
  get pendingEvents(): number {
    return this.live;
  }

  /**
   * Runs `fn` at virtual time `time` (≥ now).
   * @throws {RangeError} for a time in the past or not a number.
   */
  schedule(time: number, fn: () => void): TimerHandle {
    if (!(time >= this.nowValue)) {
      throw new RangeError(`clock: cannot schedule at ${time}, now is ${this.nowValue}`);
    }
    const entry = new Entry(time, this.seq++, fn, () => this.live--);
    this.live++;
    this.push(entry);
    return entry;
  }

  /**
   * Runs events in order until `until()` holds or the next event lies after `maxTime` (the
   * clock then stands at `maxTime`). Returns the virtual time reached.
   */
  run(options: RunOptions): number {
    const { until, maxTime } = options;
    if (!(maxTime >= this.nowValue)) {
      throw new RangeError(`clock: maxTime ${maxTime} is before now (${this.nowValue})`);
    }
    if (this.running) throw new Error("clock: run() called from inside an event");
    this.running = true;
    try {
      if (until?.()) return this.nowValue;
      for (;;) {
        const next = this.peek();
        if (next === undefined || next.time > maxTime) break;
        this.pop();
        this.live--;
        next.done = true;
        this.nowValue = next.time;
        next.fn();
        if (until?.()) return this.nowValue;
      }
      this.nowValue = maxTime;
      return maxTime;
    } finally {
      this.running = false;
    }
  }

  private peek(): Entry | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
