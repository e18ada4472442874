/**
 * A DTLS 1.2 endpoint (RFC 6347 on RFC 5246), client or server, sans-IO (`src/common/sans-io.ts`):
 * datagrams and timeouts in; datagrams, events and one deadline out. The handshake runs in a
 * {@link HandshakeRunner}; this class owns the records, alerts and application data, and opens
 * the association only once both Finished messages verified **and** the peer's certificate has
 * the fingerprint the caller expects (RFC 5763 §5, RFC 8827 §6.5). Hostile input never throws:
 * it is counted in {@link DtlsEndpoint.stats} and dropped, or ends the association with a fatal
 * alert where the RFCs say so.
 * @module
 */
import { earliest, Outbox, type Deadline, type SansIo } from "../common/sans-io.js";
import { decodeAlert, encodeAlert } from "./alert.js";
import { checkFingerprint } from "./certificate.js";
import {
  AlertDescription as A,
  AlertLevel,
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  SrtpProfile,
  alertName,
  cipherSuiteName,
  srtpProfileName,
  type SrtpProfileId,
} from "./constants.js";
import type { DtlsEndpointOptions, DtlsEvent, DtlsState } from "./endpoint-types.js";
import { DtlsDecodeError, DtlsError } from "./errors.js";
import { parseFingerprint, type Fingerprint } from "./fingerprint.js";
import { MIN_MTU } from "./flight.js";
import { HandshakeRunner } from "./handshake-runner.js";
import { decodeRecords, MAX_PLAINTEXT, type DtlsRecord } from "./record.js";
import { RecordLayer } from "./record-layer.js";
import { zeroDtlsStats, type DtlsDropReason, type DtlsStats } from "./stats.js";

export type { DtlsEndpointOptions, DtlsEvent, DtlsState } from "./endpoint-types.js";

/** One DTLS association. */
export class DtlsEndpoint implements SansIo<Uint8Array, DtlsEvent> {
  state: DtlsState = "new";
  private readonly layer = new RecordLayer();
  private readonly runner: HandshakeRunner;
  private readonly transmits = new Outbox<Uint8Array>(1024);
  private readonly events = new Outbox<DtlsEvent>(1024);
  private readonly counters = zeroDtlsStats();
  private handshakeDeadline: Deadline;
  private pendingData: Uint8Array[] = [];

  /** @throws {RangeError} on an MTU below 256; {TypeError} on a malformed fingerprint. */
  constructor(private readonly options: DtlsEndpointOptions) {
    const mtu = options.mtu ?? 1200;
    if (mtu < MIN_MTU) throw new RangeError(`mtu must be at least ${MIN_MTU}`);
    if (options.remoteFingerprint !== undefined) validFingerprint(options.remoteFingerprint);
    const config = {
      certificate: options.certificate,
      rng: options.rng,
      srtpProfiles: options.srtpProfiles ?? [
        SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80,
        SrtpProfile.SRTP_AEAD_AES_128_GCM,
      ],
      helloVerify: options.helloVerify ?? false,
      ...(options.bugs === undefined ? {} : { bugs: options.bugs }),
    };
    const timing = {
      initialMs: options.retransmitInitialMs ?? 1000,
      maxMs: options.retransmitMaxMs ?? 60_000,
    };
    this.runner = new HandshakeRunner(options.role, config, timing, {
      layer: this.layer,
      counters: this.counters,
      mtu,
      output: (datagram, records) => this.output(datagram, records),
      drop: (reason) => this.drop(reason),
      sendAlert: (level, description) => this.sendAlert(level, description),
      replay: (now, record) => this.onRecord(now, record),
    });
    this.runner.handshake.expectedFingerprint = options.remoteFingerprint;
  }

  /** Starts the handshake: the client sends its ClientHello, the server waits for one. */
  start(now: number): void {
    if (this.state !== "new") throw new Error("start() called twice");
    this.state = "handshaking";
    this.handshakeDeadline = now + (this.options.handshakeTimeoutMs ?? 30_000);
    this.guard(() => this.runner.start(now));
  }

  /**
   * The peer's fingerprint from signalling (XEP-0320), when it was not known at creation. A
   * mismatch fails the association (`fingerprint-mismatch`).
   * @throws {TypeError} on a malformed fingerprint (check signalling input with `parseFingerprint`).
   */
  setRemoteFingerprint(_now: number, fingerprint: Fingerprint): void {
    validFingerprint(fingerprint);
    const hs = this.runner.handshake;
    hs.expectedFingerprint = fingerprint;
    const peer = hs.peerCertificate;
    if (peer === undefined || this.state === "closed" || this.state === "failed") return;
    this.guard(() => {
      checkFingerprint(peer, fingerprint);
      if (this.state === "awaiting-fingerprint") this.becomeConnected();
    });
  }

  /** One datagram from the peer (RFC 7983: its first byte is in 20–63). */
  handleDatagram(now: number, datagram: Uint8Array): void {
    this.counters.datagramsIn++;
    if (this.state === "closed" || this.state === "failed") return this.drop("after-close");
    try {
      decodeRecords(datagram, (record) => this.onRecord(now, record));
    } catch (error) {
      if (!(error instanceof DtlsDecodeError)) throw error;
      this.drop("malformed-record");
    }
  }

  handleTimeout(now: number): void {
    if (this.state !== "handshaking" && this.state !== "awaiting-fingerprint") return;
    if (this.handshakeDeadline !== undefined && now >= this.handshakeDeadline) {
      const what =
        this.state === "awaiting-fingerprint" ? "fingerprint from signalling" : "handshake";
      const ms = this.options.handshakeTimeoutMs ?? 30_000;
      return this.fail(new DtlsError("timeout", undefined, `no ${what} within ${ms} ms`));
    }
    this.guard(() => this.runner.handleTimeout(now));
  }

  /** Sends one application datagram; false until `connected` (and after the end). */
  send(_now: number, data: Uint8Array): boolean {
    if (data.length > MAX_PLAINTEXT)
      throw new RangeError(`a record carries at most ${MAX_PLAINTEXT} bytes`);
    if (this.state !== "connected") return false;
    this.counters.applicationDataOut++;
    this.counters.bytesOut += data.length;
    this.output(this.layer.seal(ContentType.applicationData, 1, data), 1);
    return true;
  }

  /** Sends close_notify (RFC 5246 §7.2.1) and ends the association. */
  close(_now: number): void {
    if (this.state === "closed" || this.state === "failed") return;
    if (this.state !== "new") this.sendAlert(AlertLevel.warning, A.close_notify);
    this.end("closed");
    this.events.push({ type: "closed", by: "local" });
  }

  /** RFC 5705 keying material (e.g. `EXTRACTOR-dtls_srtp`, RFC 5764 §4.2); once connected. */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    if (this.state !== "connected") throw new Error("no keying material before `connected`");
    return this.runner.handshake.exportKeyingMaterial(label, length, context);
  }

  /** The negotiated DTLS-SRTP profile, once connected. */
  get srtpProfile(): SrtpProfileId | undefined {
    return this.state === "connected" ? this.runner.handshake.srtpProfile : undefined;
  }

  /** The handshake's state in the table of `handshake-state.ts` (for tests and logs). */
  get handshakeState(): string {
    return this.runner.handshake.state;
  }

  pollTransmit(): Uint8Array | undefined {
    return this.transmits.shift();
  }

  pollEvent(): DtlsEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Deadline {
    if (this.state !== "handshaking" && this.state !== "awaiting-fingerprint") return undefined;
    return earliest(this.runner.timer.deadline, this.handshakeDeadline);
  }

  /** A copy of the counters. */
  stats(): DtlsStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  // ---- input ------------------------------------------------------------------------------

  private onRecord(now: number, record: DtlsRecord): void {
    this.counters.recordsIn++;
    if (this.state === "closed" || this.state === "failed") return this.drop("after-close");
    // A first ClientHello may carry DTLS 1.0 in its record (RFC 6347 §4.1 leaves it open).
    if (record.version !== DTLS_1_2 && !(record.version === DTLS_1_0 && record.epoch === 0))
      return this.drop("bad-version");
    const plaintext = this.layer.open(record);
    if (typeof plaintext === "string") {
      if (plaintext === "future-epoch" && record.epoch === 1 && this.runner.keepEarly(record)) {
        this.counters.recordsIn--; // counted again when replayed
        return;
      }
      return this.drop(plaintext === "old-epoch" ? "future-epoch" : plaintext);
    }
    this.guard(() => {
      switch (record.type) {
        case ContentType.handshake:
          this.runner.onHandshakeRecord(now, record, plaintext);
          if (this.state === "handshaking" && this.runner.established) this.handshakeDone();
          return;
        case ContentType.changeCipherSpec:
          return this.runner.onChangeCipherSpec(now, record.epoch, plaintext);
        case ContentType.alert:
          return this.onAlert(record.epoch, plaintext);
        case ContentType.applicationData:
          return this.onApplicationData(record.epoch, plaintext);
        default:
          return this.drop("unknown-content-type");
      }
    });
  }

  private onAlert(epoch: number, plaintext: Uint8Array): void {
    let alert;
    try {
      alert = decodeAlert(plaintext);
    } catch {
      return this.drop("malformed-record");
    }
    // Once protected, only protected alerts count: a plaintext one could come from anyone.
    if (epoch === 0 && this.layer.readEpoch === 1) return this.drop("unauthenticated-alert");
    this.counters.alertsReceived++;
    if (alert.description === A.close_notify) {
      this.sendAlert(AlertLevel.warning, A.close_notify); // RFC 5246 §7.2.1
      this.end("closed");
      this.events.push({ type: "closed", by: "peer" });
    } else if (alert.level === AlertLevel.fatal) {
      const name = alertName(alert.description);
      this.end("failed");
      this.events.push({
        type: "error",
        error: new DtlsError("alert-received", alert.description, `the peer sent a fatal ${name}`),
      });
    }
    // Warnings are not fatal (RFC 5246 §7.2): counted, nothing else.
  }

  private onApplicationData(epoch: number, plaintext: Uint8Array): void {
    if (epoch === 0 || !this.runner.established) return this.drop("unprotected-application-data");
    if (this.state === "awaiting-fingerprint") {
      if (this.pendingData.length >= (this.options.maxPendingData ?? 64))
        return this.drop("pending-data-full");
      this.pendingData.push(plaintext);
      return;
    }
    this.deliver(plaintext);
  }

  private deliver(data: Uint8Array): void {
    this.counters.applicationDataIn++;
    this.counters.bytesIn += data.length;
    this.events.push({ type: "data", data });
  }

  // ---- outcome ----------------------------------------------------------------------------

  private handshakeDone(): void {
    if (this.runner.handshake.expectedFingerprint === undefined)
      this.state = "awaiting-fingerprint";
    else this.becomeConnected();
  }

  /** Both Finished verified and the fingerprint matched (checked before this is called). */
  private becomeConnected(): void {
    const hs = this.runner.handshake;
    this.state = "connected";
    this.handshakeDeadline = undefined;
    this.events.push({
      type: "connected",
      cipherSuite: cipherSuiteName(hs.suite!),
      srtpProfile: hs.srtpProfile === undefined ? undefined : srtpProfileName(hs.srtpProfile),
      localFingerprint: this.options.certificate.fingerprint,
      remoteFingerprint: hs.peerCertificate!.fingerprint,
    });
    const pending = this.pendingData;
    this.pendingData = [];
    for (const data of pending) this.deliver(data);
  }

  /** Runs `step`; a DtlsError (or a decode error, or a bug) ends the association with an alert. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof DtlsError) this.fail(error);
      else if (error instanceof DtlsDecodeError)
        this.fail(
          new DtlsError("handshake-failed", A.decode_error, error.message, { cause: error }),
        );
      else
        this.fail(
          new DtlsError("handshake-failed", A.internal_error, "internal error", { cause: error }),
        );
    }
  }

  private fail(error: DtlsError): void {
    if (this.state === "closed" || this.state === "failed") return;
    if (error.alert !== undefined && error.code !== "alert-received")
      this.sendAlert(AlertLevel.fatal, error.alert);
    this.end("failed");
    this.events.push({ type: "error", error });
  }

  private end(state: "closed" | "failed"): void {
    this.state = state;
    this.handshakeDeadline = undefined;
    this.pendingData = [];
    this.runner.stop(true);
  }

  // ---- output -----------------------------------------------------------------------------

  /** In our current write epoch: protected once we sent our ChangeCipherSpec, plain before. */
  private sendAlert(level: number, description: number): void {
    this.counters.alertsSent++;
    const alert = encodeAlert(level, description);
    this.output(this.layer.seal(ContentType.alert, this.layer.writeEpoch, alert), 1);
  }

  private output(datagram: Uint8Array, records: number): void {
    this.counters.datagramsOut++;
    this.counters.recordsOut += records;
    this.transmits.push(datagram);
  }

  private drop(reason: DtlsDropReason): void {
    this.counters.dropped[reason]++;
  }
}

function validFingerprint(fingerprint: Fingerprint): void {
  if (parseFingerprint(fingerprint) === undefined)
    throw new TypeError(`not a valid ${fingerprint.algorithm} fingerprint: ${fingerprint.value}`);
}
