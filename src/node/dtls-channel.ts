/**
 * An encrypted datagram channel: a {@link DtlsEndpoint} (DTLS 1.2, RFC 6347) run over any
 * datagram transport shaped like {@link DatagramChannel} — the ICE channel of a Jingle session,
 * or a plain UDP socket. Same surface as `DatagramChannel` (`send`, `message` and `close`
 * events, `stats()`, `selectedPair`), plus `connected` and `error`. One timer per channel;
 * events are emitted after the endpoint is drained, as the ICE driver does.
 *
 * What arrives is demultiplexed by its first byte (RFC 7983 §7): 20–63 is DTLS, 128–191 RTP or
 * RTCP (kept for a later SRTP layer: dropped and counted for now), anything else is counted and
 * dropped (STUN never gets here: the ICE agent consumes it). The DTLS association does not care
 * which candidate pair carries it, so it survives an ICE restart.
 */
import { EventEmitter } from "node:events";
import type { Rng } from "../common/rng.js";
import type { DtlsCertificate } from "../dtls/certificate.js";
import { DtlsEndpoint, type DtlsEndpointOptions, type DtlsEvent } from "../dtls/endpoint.js";
import { DtlsError } from "../dtls/errors.js";
import type { Fingerprint } from "../dtls/fingerprint.js";
import type { DtlsStats } from "../dtls/stats.js";
import type { CandidatePairInfo } from "../ice/types.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { defaultCertificate } from "./dtls-certificate.js";
import { cryptoRng } from "./rng.js";

/**
 * The narrow interface the channel needs from what carries its datagrams.
 * {@link DatagramChannel} has it; so can a UDP socket wrapper.
 */
export interface DtlsChannelTransport {
  /** Sends one datagram; false when it could not (no pair yet, closed). */
  send(data: Uint8Array): boolean;
  on(event: "message", listener: (data: Uint8Array) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  off(event: "message", listener: (data: Uint8Array) => void): unknown;
  off(event: "close", listener: () => void): unknown;
  close(): Promise<void> | void;
  /** The candidate pair under the transport, when it has one. */
  readonly selectedPair?: CandidatePairInfo | undefined;
  stats?(): unknown;
}

/**
 * Options of {@link DtlsChannel.create}: those of the endpoint (`role`, `remoteFingerprint`,
 * `mtu`, `srtpProfiles`, `helloVerify`, the timers; see `DtlsEndpointOptions`), with the
 * certificate and the Rng optional.
 */
export interface DtlsChannelOptions extends Omit<
  DtlsEndpointOptions,
  "certificate" | "rng" | "bugs" | "maxPendingData"
> {
  /** @default the process's certificate ({@link defaultCertificate}) */
  readonly certificate?: DtlsCertificate;
  /** @default cryptoRng */
  readonly rng?: Rng;
}

/** What `connected` reports. */
export interface DtlsConnectedInfo {
  readonly cipherSuite: string;
  readonly srtpProfile: string | undefined;
  readonly localFingerprint: Fingerprint;
  readonly remoteFingerprint: Fingerprint;
}

/** Events of a {@link DtlsChannel}. */
export interface DtlsChannelEvents {
  connected: [info: DtlsConnectedInfo];
  message: [data: Uint8Array];
  /** Emitted only when someone listens, so an unobserved failure never crashes the process. */
  error: [error: DtlsError];
  close: [];
}

/** Counters of a {@link DtlsChannel}. */
export interface DtlsChannelStats {
  readonly dtls: DtlsStats;
  /** Datagrams that were not DTLS (RFC 7983), dropped. */
  readonly demux: { readonly rtp: number; readonly other: number };
  /** The transport's own counters (the ICE agent's for a DatagramChannel). */
  readonly transport: unknown;
}

/** DTLS over a datagram transport. Create it with {@link DtlsChannel.create}. */
export class DtlsChannel extends EventEmitter<DtlsChannelEvents> {
  /** Resolves on `connected`, rejects with the {@link DtlsError} that ended the handshake. */
  readonly ready: Promise<DtlsConnectedInfo>;
  private readonly endpoint: DtlsEndpoint;
  private readonly started = performance.now();
  private readonly timer = new DeadlineTimer(
    () => this.now(),
    () => {
      this.endpoint.handleTimeout(this.now());
      this.flush();
    },
  );
  private closed = false;
  private readonly demux = { rtp: 0, other: 0 };
  private settle!: { resolve: (info: DtlsConnectedInfo) => void; reject: (e: DtlsError) => void };
  private readonly onMessage = (data: Uint8Array): void => this.receive(data);
  private readonly onTransportClose = (): void => this.finish();

  private constructor(
    private readonly transport: DtlsChannelTransport,
    options: DtlsChannelOptions,
  ) {
    super();
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => undefined); // observed through `error` or `ready`, never unhandled
    const certificate = options.certificate ?? defaultCertificate();
    this.endpoint = new DtlsEndpoint({
      ...options,
      certificate,
      rng: options.rng ?? cryptoRng,
    });
    transport.on("message", this.onMessage);
    transport.on("close", this.onTransportClose);
  }

  /** Starts the handshake at once over `transport` (the client sends its ClientHello). */
  static create(transport: DtlsChannelTransport, options: DtlsChannelOptions): DtlsChannel {
    const channel = new DtlsChannel(transport, options);
    channel.endpoint.start(channel.now());
    channel.flush();
    return channel;
  }

  /** The peer's fingerprint, once signalling brings it (XEP-0320). */
  setRemoteFingerprint(fingerprint: Fingerprint): void {
    this.endpoint.setRemoteFingerprint(this.now(), fingerprint);
    this.flush();
  }

  /** Sends one datagram, encrypted; false before `connected` and after the end. */
  send(data: Uint8Array): boolean {
    const sent = this.endpoint.send(this.now(), data);
    this.flush();
    return sent;
  }

  /** `new`, `handshaking`, `awaiting-fingerprint`, `connected`, `closed` or `failed`. */
  get state(): DtlsEndpoint["state"] {
    return this.endpoint.state;
  }

  /** The pair datagrams travel on, from the transport. */
  get selectedPair(): CandidatePairInfo | undefined {
    return this.transport.selectedPair;
  }

  /** RFC 5705 keying material, e.g. for SRTP (RFC 5764 §4.2); only once connected. */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    return this.endpoint.exportKeyingMaterial(label, length, context);
  }

  stats(): DtlsChannelStats {
    return {
      dtls: this.endpoint.stats(),
      demux: { ...this.demux },
      transport: this.transport.stats?.(),
    };
  }

  /**
   * Sends close_notify (when the association is still open), then closes the transport — also
   * after a failure or the peer's close_notify, which leave the transport to the caller.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.endpoint.close(this.now());
      this.flush();
      this.finish();
    }
    this.transportClosing ??= Promise.resolve(this.transport.close());
    await this.transportClosing;
  }

  private transportClosing: Promise<void> | undefined;

  private now(): number {
    return performance.now() - this.started;
  }

  private receive(data: Uint8Array): void {
    const first = data[0] ?? 0;
    if (first >= 20 && first <= 63) {
      this.endpoint.handleDatagram(this.now(), data);
      this.flush();
    } else if (first >= 128 && first <= 191) this.demux.rtp++;
    else this.demux.other++;
  }

  /** Drains the endpoint: transmits first, then the timer, then the events. */
  private flush(): void {
    for (let d; (d = this.endpoint.pollTransmit());) this.transport.send(d);
    this.timer.arm(this.endpoint.pollTimeout());
    const events: DtlsEvent[] = [];
    for (let e; (e = this.endpoint.pollEvent());) events.push(e);
    for (const event of events) this.dispatch(event);
  }

  private dispatch(event: DtlsEvent): void {
    switch (event.type) {
      case "connected": {
        const { type: _type, ...info } = event;
        this.settle.resolve(info);
        this.emit("connected", info);
        break;
      }
      case "data":
        if (!this.closed) this.emit("message", event.data);
        break;
      case "error":
        this.settle.reject(event.error);
        if (this.listenerCount("error") > 0) this.emit("error", event.error);
        this.finish();
        break;
      case "closed":
        this.settle.reject(
          new DtlsError("handshake-failed", undefined, "closed before connecting"),
        );
        this.finish();
        break;
    }
  }

  /** Stops the timer and listening; emits `close` once. The transport stays the caller's to close. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.transport.off("message", this.onMessage);
    this.transport.off("close", this.onTransportClose);
    if (this.endpoint.state !== "closed" && this.endpoint.state !== "failed")
      this.endpoint.close(this.now());
    this.settle.reject(new DtlsError("handshake-failed", undefined, "closed before connecting"));
    this.emit("close");
  }
}
