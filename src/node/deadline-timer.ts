/**
 * The one timer a driver keeps for a sans-IO machine (`src/common/sans-io.ts`): armed for the
 * machine's `pollTimeout()` after every drain, re-armed only when that deadline changes.
 */
import type { Deadline } from "../common/sans-io.js";

export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;

  constructor(
    /** The driver's clock, on the machine's time base (ms). */
    private readonly now: () => number,
    /** Called once the deadline has come; the timer is disarmed by then. */
    private readonly fire: () => void,
  ) {}

  /** Sets the deadline (`undefined`: none). */
  arm(deadline: Deadline): void {
    const at = deadline ?? Infinity;
    if (at === this.at && this.timer !== undefined) return;
    this.clear();
    this.at = at;
    if (at === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Infinity;
        this.fire();
      },
      Math.max(0, at - this.now()),
    );
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
