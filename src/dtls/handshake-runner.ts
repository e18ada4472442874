/**
 * Runs one handshake for an endpoint: reassembles handshake messages (RFC 6347 §4.2.3), checks
 * each against the state table (`handshake-state.ts`), hands it to the client or server
 * handshake, sends and retransmits flights (§4.2.4), answers a peer that repeats its last
 * flight, applies the peer's ChangeCipherSpec, and refuses renegotiation (RFC 5746 §4.2).
 * @module
 */
import { ClientHandshake } from "./client-handshake.js";
import {
  AlertDescription as A,
  AlertLevel,
  HandshakeType as H,
  handshakeName,
} from "./constants.js";
import { DtlsError } from "./errors.js";
import { FlightTimer, packFlight, type FlightEntry, type RetransmitTiming } from "./flight.js";
import type { Handshake, HandshakeConfig, HandshakeDriver } from "./handshake-common.js";
import { decodeHandshakeFragments, type HandshakeFragment } from "./handshake-header.js";
import { accepts, CHANGE_CIPHER_SPEC_STATES } from "./handshake-state.js";
import { Reassembler, type HandshakeMessage } from "./reassembly.js";
import type { DtlsRecord } from "./record.js";
import type { RecordLayer } from "./record-layer.js";
import { ServerHandshake } from "./server-handshake.js";
import type { DtlsDropReason, DtlsStats } from "./stats.js";

/** What the runner needs from its endpoint. */
export interface RunnerHost {
  readonly layer: RecordLayer;
  readonly counters: DtlsStats;
  readonly mtu: number;
  output(datagram: Uint8Array, records: number): void;
  drop(reason: DtlsDropReason): void;
  sendAlert(level: number, description: number): void;
  /** Processes a record again (the early epoch-1 records, once readable). */
  replay(now: number, record: DtlsRecord): void;
}

/** Protected records of the next epoch kept while we cannot read them yet (reordering). */
const MAX_EARLY_RECORDS = 8;

/** The handshake of one endpoint, with its flights and reassembly. */
export class HandshakeRunner {
  readonly handshake: Handshake;
  readonly timer: FlightTimer;
  private readonly reassembler = new Reassembler();
  private earlyRecords: DtlsRecord[] = [];
  /** The time of the input being processed (timers armed by the handshake start from it). */
  private now = 0;

  constructor(
    private readonly role: "client" | "server",
    config: HandshakeConfig,
    timing: RetransmitTiming,
    private readonly host: RunnerHost,
  ) {
    this.timer = new FlightTimer(timing);
    const driver: HandshakeDriver = {
      layer: host.layer,
      sendFlight: (entries, awaitReply) => {
        host.counters.flightsSent++;
        if (entries.some((e) => e.kind === "change-cipher-spec")) host.layer.writeEpoch = 1;
        this.timer.sent(this.now, entries, awaitReply);
        this.transmit(entries);
      },
      sendStateless: (message) => {
        host.counters.helloVerifyRequests++;
        this.transmit([{ kind: "handshake", epoch: 0, message }]);
      },
    };
    this.handshake =
      role === "client"
        ? new ClientHandshake(config, driver, "client-start")
        : new ServerHandshake(config, driver);
  }

  get established(): boolean {
    return this.handshake.state === "established";
  }

  start(now: number): void {
    this.now = now;
    this.handshake.start();
  }

  /** The retransmission timer fired: the flight goes again, the interval doubles (§4.2.4.1). */
  handleTimeout(now: number): void {
    this.now = now;
    if (this.timer.deadline === undefined || now < this.timer.deadline) return;
    this.host.counters.retransmissions++;
    this.transmit(this.timer.entries);
    this.timer.backOff(now);
  }

  /** Keeps an epoch-1 record that came before the peer's ChangeCipherSpec; false when full. */
  keepEarly(record: DtlsRecord): boolean {
    if (this.established || this.earlyRecords.length >= MAX_EARLY_RECORDS) return false;
    this.earlyRecords.push({ ...record, fragment: Uint8Array.from(record.fragment) });
    return true;
  }

  /** The handshake ended (established, failed or closed): no more timers or early records. */
  stop(final: boolean): void {
    this.timer.stop();
    this.earlyRecords = [];
    if (final) {
      this.timer.entries = [];
      this.handshake.state = "closed";
    }
  }

  /** One handshake record's plaintext: its fragments, then every message they complete. */
  onHandshakeRecord(now: number, record: DtlsRecord, plaintext: Uint8Array): void {
    this.now = now;
    let fragments: HandshakeFragment[];
    try {
      fragments = decodeHandshakeFragments(plaintext);
    } catch {
      return this.host.drop("malformed-handshake");
    }
    for (const fragment of fragments) {
      // A new handshake starts again at message_seq 0 (RFC 6347 §4.2.2), so a renegotiation
      // looks like an old message: recognise it by its type, protected, after the handshake.
      if (this.established && record.epoch === 1 && isHelloOf(fragment.msgType)) {
        if (fragment.fragmentOffset === 0) this.refuseRenegotiation(fragment.msgType);
        continue;
      }
      // The stateless cookie exchange: a server waiting for a ClientHello takes any message_seq.
      if (
        this.handshake.state === "server-wait-client-hello" &&
        fragment.msgType === H.clientHello &&
        fragment.messageSeq !== this.reassembler.next
      )
        this.reassembler.reset(fragment.messageSeq);
      const outcome = this.reassembler.add(fragment);
      if (outcome === "old") {
        this.onOldMessage(fragment);
        continue;
      }
      if (outcome !== "buffered") {
        this.host.drop("reassembly-limit");
        continue;
      }
      for (let message; (message = this.reassembler.take());) {
        this.onMessage(now, message, record);
        if (this.handshake.state === "closed") return;
      }
    }
  }

  /** One complete message, in order: checked against the state table, then handled. */
  private onMessage(now: number, message: HandshakeMessage, record: DtlsRecord): void {
    const hs = this.handshake;
    if (hs.state === "established") {
      // A new plaintext message now is unauthenticated: anyone could have sent it.
      if (record.epoch === 0) return this.host.drop("unprotected-handshake");
      return this.refuseRenegotiation(message.msgType);
    }
    if (!accepts(hs.state, message.msgType)) {
      // RFC 5246 §7.4.1.1: a client in a handshake ignores HelloRequest.
      if (this.role === "client" && message.msgType === H.helloRequest) return;
      throw new DtlsError(
        "handshake-failed",
        A.unexpected_message,
        `${handshakeName(message.msgType)} in state ${hs.state}`,
      );
    }
    // Finished is the first protected message; everything before it is in epoch 0.
    if ((message.msgType === H.finished) !== (record.epoch === 1))
      throw new DtlsError(
        "handshake-failed",
        A.unexpected_message,
        `${handshakeName(message.msgType)} in epoch ${record.epoch}`,
      );
    hs.handle(message, record.sequence);
    if (hs.changeCipherSpecSeen && CHANGE_CIPHER_SPEC_STATES.includes(hs.state))
      this.switchEpoch(now);
    if (this.established) this.stop(false);
  }

  /** A message of a flight we already processed: the peer lost our answer (RFC 6347 §4.2.4). */
  private onOldMessage(fragment: HandshakeFragment): void {
    if (
      fragment.messageSeq === this.handshake.peerFlightEnd?.messageSeq &&
      fragment.msgType === this.handshake.peerFlightEnd.msgType &&
      fragment.fragmentOffset === 0 &&
      this.timer.entries.length > 0
    ) {
      this.host.counters.reactiveRetransmissions++;
      this.transmit(this.timer.entries);
    } else this.host.drop("retransmitted-handshake");
  }

  /** RFC 5746 §4.2 / RFC 5246 §7.2.2: we never renegotiate; a warning says so. */
  private refuseRenegotiation(msgType: number): void {
    const attempt = this.role === "server" ? H.clientHello : H.helloRequest;
    if (msgType !== attempt)
      throw new DtlsError(
        "handshake-failed",
        A.unexpected_message,
        `${handshakeName(msgType)} after the handshake`,
      );
    this.host.counters.renegotiationsRefused++;
    this.host.sendAlert(AlertLevel.warning, A.no_renegotiation);
  }

  /** The peer's ChangeCipherSpec (RFC 5246 §7.1), in epoch 0, one byte 1. */
  onChangeCipherSpec(now: number, epoch: number, plaintext: Uint8Array): void {
    this.now = now;
    if (epoch !== 0 || plaintext.length !== 1 || plaintext[0] !== 1)
      return this.host.drop("stray-change-cipher-spec");
    const hs = this.handshake;
    if (CHANGE_CIPHER_SPEC_STATES.includes(hs.state)) return this.switchEpoch(now);
    // Reordered ahead of the messages before it: applied once the handshake gets there (the
    // keys it switches to are derived from the verified transcript either way).
    if (!this.established && this.host.layer.readEpoch === 0) hs.changeCipherSpecSeen = true;
    else this.host.drop("stray-change-cipher-spec");
  }

  /** Read epoch 1 from now on, starting with the records kept for it. */
  private switchEpoch(now: number): void {
    this.handshake.changeCipherSpec();
    const early = this.earlyRecords;
    this.earlyRecords = [];
    for (const record of early) this.host.replay(now, record);
  }

  private transmit(entries: readonly FlightEntry[]): void {
    for (const datagram of packFlight(entries, this.host.layer, this.host.mtu))
      this.host.output(datagram, 0);
  }
}

/** ClientHello or HelloRequest: what starts a renegotiation. */
function isHelloOf(msgType: number): boolean {
  return msgType === H.clientHello || msgType === H.helloRequest;
}
