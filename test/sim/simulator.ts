/**
 * The scenario builder: one virtual clock, seeded randomness, and the networks, NATs, hosts and
 * endpoints of a scenario. See index.ts for an example.
 */
import type { Rng } from "../../src/common/rng.js";
import { Attachment, type AttachOptions, type BindSpec } from "./attachment.js";
import { Clock, type RunOptions } from "./clock.js";
import { Host } from "./host.js";
import { Nat, type NatOptions } from "./nat.js";
import { Network, type LinkConditions } from "./network.js";
import { deriveRng } from "./random.js";
import type { SimContext, SimMachine } from "./types.js";

/** Options of a {@link Simulator}. */
export interface SimulatorOptions {
  /** Seed of every random draw (links, NAT ports, and {@link Simulator.rng} streams). */
  readonly seed: number;
  /** Record a line per packet event in {@link Simulator.trace}. @default false */
  readonly trace?: boolean;
  /**
   * How often one endpoint may be woken by its timer at the same instant before the run fails
   * with "it makes no progress". @default 1000
   */
  readonly maxWakeupsPerInstant?: number;
}

/** A deterministic virtual network. Same seed and same calls: same run, event for event. */
export class Simulator {
  /** Trace lines (`t=… what`), when `trace` is on. */
  readonly trace: string[] = [];
  private readonly clock = new Clock();
  private readonly ctx: SimContext;
  private readonly names = new Set<string>();
  private readonly attachments = new Map<Host, number>();

  constructor(readonly options: SimulatorOptions) {
    const { seed } = options;
    const traceOn = options.trace === true;
    this.ctx = {
      clock: this.clock,
      rng: (label) => deriveRng(seed, label),
      trace: (line) => {
        if (traceOn) this.trace.push(`t=${this.clock.now} ${line()}`);
      },
      maxWakeupsPerInstant: options.maxWakeupsPerInstant ?? 1000,
    };
  }

  /** Current virtual time in ms (starts at 0). */
  get now(): number {
    return this.clock.now;
  }

  /** Events waiting in the queue. */
  get pendingEvents(): number {
    return this.clock.pendingEvents;
  }

  /**
   * A deterministic random stream for `label`, derived from the seed (give each endpoint its
   * own: `new IceAgent({ rng: sim.rng("alice"), … })`). The same label gives the same stream.
   */
  rng(label: string): Rng {
    return this.ctx.rng(`user:${label}`);
  }

  /** A network (one link) with the given conditions (all 0 by default). */
  network(name: string, conditions: Partial<LinkConditions> = {}): Network {
    this.claim(name);
    return new Network(this.ctx, name, conditions);
  }

  /** A NAT whose public side is on `options.on`; its private network is `nat.lan`. */
  nat(name: string, options: NatOptions): Nat {
    this.claim(name);
    this.claim(`${name}.lan`);
    return new Nat(this.ctx, name, options);
  }

  /**
   * A host with one or more addresses on `on` (more on other networks with
   * `host.addAddress()`).
   */
  host(
    name: string,
    options: { readonly ip: string | readonly string[]; readonly on: Network },
  ): Host {
    this.claim(name);
    const host = new Host(this.ctx, name);
    for (const ip of typeof options.ip === "string" ? [options.ip] : options.ip) {
      host.addAddress(ip, options.on);
    }
    return host;
  }

  /**
   * Attaches `endpoint` to `host` and binds its addresses: one per {@link BindSpec} (default:
   * one free port on every host address). Then give the endpoint its `attachment.addresses`.
   */
  attach(
    host: Host,
    endpoint: SimMachine,
    binds: readonly BindSpec[] = [{}],
    options: AttachOptions = {},
  ): Attachment {
    const n = this.attachments.get(host) ?? 0;
    this.attachments.set(host, n + 1);
    const name = options.name ?? `${host.name}#${n}`;
    const attachment = new Attachment(this.ctx, name, host, endpoint, options);
    for (const spec of binds) attachment.bind(spec);
    return attachment;
  }

  /** Runs `action` at absolute virtual time `time` (≥ now). */
  at(time: number, action: () => void): void {
    this.clock.schedule(time, action);
  }

  /** Runs `action` `delay` ms from now (e.g. to model signalling delay). */
  after(delay: number, action: () => void): void {
    this.clock.schedule(this.clock.now + delay, action);
  }

  /**
   * Runs events until `until()` holds or nothing is left before `maxTime` (absolute ms).
   * Returns the virtual time reached (`maxTime` when `until` never held).
   */
  run(options: RunOptions): number {
    return this.clock.run(options);
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`sim: the name "${name}" is already taken`);
    this.names.add(name);
  }
}
