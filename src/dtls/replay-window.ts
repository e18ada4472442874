/**
 * The anti-replay window of RFC 6347 §4.1.2.6: a sliding bitmap of the last 64 sequence numbers
 * received in one epoch. Checked before decryption, updated only after the record authenticated.
 * @module
 */

/** Width of the window (RFC 6347 §4.1.2.6: "a minimum window size of 32 MUST be supported"). */
export const REPLAY_WINDOW_SIZE = 64;

/** The sliding window for one epoch. */
export class ReplayWindow {
  /** The highest sequence number accepted so far (-1: none yet). */
  private top = -1;
  /** Bit i set: `top - i` was received (bit 0 is `top` itself). */
  private bits = 0n;

  /** False when `sequence` was seen, or is too old to tell (left of the window). */
  check(sequence: number): boolean {
    if (sequence > this.top) return true;
    const age = this.top - sequence;
    if (age >= REPLAY_WINDOW_SIZE) return false;
    return ((this.bits >> BigInt(age)) & 1n) === 0n;
  }

  /** Records `sequence` as received (call only after it authenticated). */
  mark(sequence: number): void {
    if (sequence > this.top) {
      const shift = this.top < 0 ? REPLAY_WINDOW_SIZE : sequence - this.top;
      this.bits = shift >= REPLAY_WINDOW_SIZE ? 1n : ((this.bits << BigInt(shift)) | 1n) & MASK;
      this.top = sequence;
      return;
    }
    const age = this.top - sequence;
    if (age < REPLAY_WINDOW_SIZE) this.bits |= 1n << BigInt(age);
  }
}

const MASK = (1n << BigInt(REPLAY_WINDOW_SIZE)) - 1n;
