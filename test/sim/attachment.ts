/**
 * The driver loop for one endpoint on a host (docs/architecture.md): every input (a datagram, a timer,
 * or a call the test makes through {@link Attachment.input}) is followed by draining
 * `pollTransmit()` until empty and arming exactly one timer at `pollTimeout()`. Endpoints are
 * sans-IO machines of the project's contract (`DatagramSansIo`, src/common/sans-io.ts); their
 * transmits must be datagrams.
 */
import type { TransportAddress } from "../../src/common/address.js";
import type { TimerHandle } from "./clock.js";
import type { Host } from "./host.js";
import type { Packet, SimContext, SimDatagram, SimMachine, SimTransmit } from "./types.js";

/** Where to bind: an address of the host (default: each of them) and a port (default: free). */
export interface BindSpec {
  readonly ip?: string;
  readonly port?: number;
}

/** Options of `Simulator.attach()`. */
export interface AttachOptions {
  /** Name in errors and traces. @default `${host.name}#${n}` */
  readonly name?: string;
  /**
   * Called after each input once the transmits are drained, before the timer is armed: drain
   * the endpoint's events here (e.g. the ICE agent's `pollEvent()`). It may feed the endpoint
   * more input; the loop drains again.
   */
  readonly onDrained?: (now: number) => void;
}

/** Attachment counters. */
export interface AttachmentCounters {
  /** Datagrams handed to `handleDatagram`. */
  datagramsIn: number;
  /** Of those, how many it answered `false` (not mine). */
  notHandled: number;
  /** Datagrams drained from `pollTransmit`. */
  datagramsOut: number;
  /** `handleTimeout` calls. */
  timeouts: number;
}

const MAX_ROUNDS = 1000;
const MAX_TRANSMITS_PER_DRAIN = 100_000;

/** An endpoint attached to a host. Create it with `Simulator.attach()`. */
export class Attachment {
  /** Exact counters, for assertions. */
  readonly counters: AttachmentCounters = {
    datagramsIn: 0,
    notHandled: 0,
    datagramsOut: 0,
    timeouts: 0,
  };
  private readonly bound: TransportAddress[] = [];
  private timer: TimerHandle | undefined;
  private deadline = 0;
  private busy = false;
  private dirty = false;
  private detached = false;
  private lastWakeAt = -1;
  private wakeupsAtInstant = 0;

  constructor(
    private readonly ctx: SimContext,
    readonly name: string,
    readonly host: Host,
    readonly endpoint: SimMachine,
    private readonly options: AttachOptions,
  ) {}

  /** Every address bound for this endpoint, in bind order. */
  get addresses(): readonly TransportAddress[] {
    return this.bound;
  }

  /**
   * Binds more addresses (see {@link BindSpec}) and returns them. Ports without a number are
   * allocated in order from 50000 per host address, so a scenario always gets the same ones.
   */
  bind(spec: BindSpec = {}): TransportAddress[] {
    const added = this.host.bind(this, spec.ip, spec.port);
    this.bound.push(...added);
    return added;
  }

  /**
   * Feeds the endpoint from outside the network at the current virtual time — e.g.
   * `att.input((now) => agent.addRemoteCandidate(now, c))` — then drains it and re-arms its
   * timer. Use it for every call that may make the endpoint send or reschedule. Returns what
   * `action` returns.
   */
  input<T>(action: (now: number) => T): T {
    if (this.detached) throw new Error(`sim: endpoint "${this.name}" is detached`);
    const result = action(this.ctx.clock.now);
    this.service();
    return result;
  }

  /** Unbinds every address and cancels the timer; later packets find no listener. */
  detach(): void {
    this.detached = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const address of this.bound) this.host.unbind(address);
  }

  /** A packet arrived on one of our addresses. @internal */
  deliver(packet: Packet): void {
    this.counters.datagramsIn++;
    const now = this.ctx.clock.now;
    const datagram = { local: packet.dst, remote: packet.src, data: packet.data };
    if (!this.endpoint.handleDatagram(now, datagram)) this.counters.notHandled++;
    this.service();
  }

  private service(): void {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    try {
      for (let round = 0; ; round++) {
        if (round === MAX_ROUNDS) {
          throw new Error(`sim: endpoint "${this.name}" keeps producing output in onDrained`);
        }
        this.dirty = false;
        this.drain();
        this.options.onDrained?.(this.ctx.clock.now);
        if (this.drain() === 0 && !this.dirty) break;
      }
    } finally {
      this.busy = false;
    }
    this.arm();
  }

  private drain(): number {
    let count = 0;
    for (let d = this.endpoint.pollTransmit(); d !== undefined; d = this.endpoint.pollTransmit()) {
      if (++count > MAX_TRANSMITS_PER_DRAIN) {
        throw new Error(`sim: endpoint "${this.name}" never stops returning transmits`);
      }
      this.counters.datagramsOut++;
      this.host.transmit(this, this.datagramOf(d));
    }
    return count;
  }

  /** A transmit as the network carries it: a datagram (tagged or not), or the run fails. */
  private datagramOf(transmit: SimTransmit): SimDatagram {
    if ("type" in transmit && transmit.type !== "datagram") {
      throw new Error(
        `sim: endpoint "${this.name}" asked for a ${transmit.type}; the simulator carries datagrams only`,
      );
    }
    return transmit as SimDatagram;
  }

  private arm(): void {
    if (this.detached) return;
    const deadline = this.endpoint.pollTimeout();
    if (deadline === undefined) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    if (!Number.isFinite(deadline))
      throw new Error(
        `sim: endpoint "${this.name}" pollTimeout() is ${deadline} (the contract: a time, or undefined)`,
      );
    const at = Math.max(deadline, this.ctx.clock.now);
    this.deadline = deadline;
    if (this.timer?.pending && this.timer.time === at) return;
    this.timer?.cancel();
    this.timer = this.ctx.clock.schedule(at, () => this.wake());
  }

  private wake(): void {
    this.timer = undefined;
    const now = this.ctx.clock.now;
    if (now !== this.lastWakeAt) {
      this.lastWakeAt = now;
      this.wakeupsAtInstant = 0;
    }
    if (++this.wakeupsAtInstant > this.ctx.maxWakeupsPerInstant) {
      throw new Error(
        `sim: endpoint "${this.name}" was woken ${this.ctx.maxWakeupsPerInstant} times at t=${now} ` +
          `without time advancing (pollTimeout() keeps returning ${this.deadline} ≤ now): it makes no progress`,
      );
    }
    this.counters.timeouts++;
    this.endpoint.handleTimeout(now);
    this.service();
  }
}
