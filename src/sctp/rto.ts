/**
 * The retransmission timeout of RFC 9260 §6.3.1: SRTT and RTTVAR from RTT measurements
 * (RTO.Alpha = 1/8, RTO.Beta = 1/4), RTO = SRTT + 4·RTTVAR bounded by RTO.Min and RTO.Max,
 * doubled on each T3-rtx or T1/T2 expiry (§6.3.3 E2).
 */

/** RTO bounds in ms. */
export interface RtoOptions {
  /** RTO.Initial. @default 1000 */
  readonly initial: number;
  /** RTO.Min. @default 1000 */
  readonly min: number;
  /** RTO.Max. @default 60000 */
  readonly max: number;
}

/** Defaults of RFC 9260 §16. */
export const defaultRtoOptions: RtoOptions = { initial: 1000, min: 1000, max: 60_000 };

/** Clock granularity G (§6.3.1 C3), ms. */
const GRANULARITY = 1;

/** SRTT, RTTVAR and the current RTO of the one path. */
export class RtoEstimator {
  /** The smoothed round-trip time, once measured. */
  srtt: number | undefined;
  /** The round-trip time variation, once measured. */
  rttvar: number | undefined;
  /** The current retransmission timeout, ms. */
  rto: number;

  constructor(private readonly options: RtoOptions) {
    this.rto = options.initial;
  }

  /** Takes one RTT measurement (§6.3.1 C2–C3). Never feed retransmitted chunks (Karn, C5). */
  measure(rtt: number): void {
    const r = Math.max(0, rtt);
    if (this.srtt === undefined || this.rttvar === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    const rto = this.srtt + Math.max(GRANULARITY, 4 * this.rttvar);
    this.rto = Math.min(this.options.max, Math.max(this.options.min, rto));
  }

  /** Doubles the RTO after a timer expired (§6.3.3 E2), up to RTO.Max. */
  backOff(): void {
    this.rto = Math.min(this.options.max, this.rto * 2);
  }
}
