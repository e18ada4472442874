/**
 * What the client and server handshakes share: the transcript (RFC 6347 §4.2.6), the key
 * schedule once the premaster secret is known (RFC 7627 §4, RFC 5246 §6.3), the Finished
 * values (§7.4.9), the exporter (RFC 5705), and the peer's certificate.
 * @module
 */
import { createHash } from "node:crypto";
import { concatBytes, constantTimeEqual } from "../common/bytes.js";
import type { Rng } from "../common/rng.js";
import { GcmRecordCipher } from "./cipher.js";
import { AlertDescription, type CipherSuiteId, type SrtpProfileId } from "./constants.js";
import {
  acceptPeerCertificate,
  type DtlsCertificate,
  type PeerCertificate,
} from "./certificate.js";
import { DtlsError } from "./errors.js";
import type { Fingerprint } from "./fingerprint.js";
import type { FlightEntry } from "./flight.js";
import { encodeHandshakeMessage } from "./handshake-header.js";
import type { HandshakeStateName } from "./handshake-state.js";
import {
  exportKeyingMaterial,
  extendedMasterSecret,
  finishedVerifyData,
  keyExpansion,
  type PrfHash,
} from "./prf.js";
import type { HandshakeMessage } from "./reassembly.js";
import type { RecordLayer } from "./record-layer.js";

/** Settings both roles use. */
export interface HandshakeConfig {
  readonly certificate: DtlsCertificate;
  readonly rng: Rng;
  /** Offered (client) or accepted (server) in this order of preference; empty: no use_srtp. */
  readonly srtpProfiles: readonly SrtpProfileId[];
  /** Server: answer a ClientHello without a valid cookie with a HelloVerifyRequest. */
  readonly helloVerify: boolean;
  /** Deliberate misbehaviour, for tests only (see {@link ProtocolBugs}). */
  readonly bugs?: ProtocolBugs;
}

/**
 * Ways to make an endpoint misbehave as a hostile or broken peer would, so that tests can check
 * that the other side refuses it (after BoringSSL's test runner `ProtocolBugs`). Never set them
 * outside tests.
 */
export interface ProtocolBugs {
  /** Send a Finished whose verify_data has one bit flipped. */
  readonly badFinished?: boolean;
  /** Client: send this renegotiated_connection in the initial ClientHello (RFC 5746 §3.6). */
  readonly renegotiationInfo?: Uint8Array;
  /** Client: offer no extended_master_secret. */
  readonly noExtendedMasterSecret?: boolean;
}

/** What a handshake asks of the endpoint that runs it. */
export interface HandshakeDriver {
  readonly layer: RecordLayer;
  /** Sends a flight and keeps it for retransmission; the timer runs when `awaitReply`. */
  sendFlight(entries: FlightEntry[], awaitReply: boolean): void;
  /** Sends one epoch-0 handshake message now, without keeping it (a HelloVerifyRequest). */
  sendStateless(message: Uint8Array): void;
}

/** AES-128-GCM: 16-byte keys, 4-byte implicit nonces (RFC 5288 §3). */
const KEY_LENGTH = 16;
const IV_LENGTH = 4;
const PRF_HASH: PrfHash = "sha256";

/** The state both handshakes keep. */
export abstract class Handshake {
  state: HandshakeStateName;
  /** Every message so far, as hashed (RFC 6347 §4.2.6: as if sent unfragmented). */
  protected transcript: Uint8Array[] = [];
  clientRandom: Uint8Array | undefined;
  serverRandom: Uint8Array | undefined;
  suite: CipherSuiteId | undefined;
  srtpProfile: SrtpProfileId | undefined;
  protected masterSecret: Uint8Array | undefined;
  peerCertificate: PeerCertificate | undefined;
  /** The fingerprint the caller expects, once known. */
  expectedFingerprint: Fingerprint | undefined;
  /** message_seq of our next message. */
  protected nextSendSeq = 0;
  /**
   * The last message (message_seq and type) of the peer's flight that our current flight answers: when
   * it comes again, the peer lost our flight (RFC 6347 §4.2.4).
   */
  peerFlightEnd: { readonly messageSeq: number; readonly msgType: number } | undefined;
  /** The peer's ChangeCipherSpec arrived before we were ready for it (reordering). */
  changeCipherSpecSeen = false;

  constructor(
    protected readonly config: HandshakeConfig,
    protected readonly driver: HandshakeDriver,
    initial: HandshakeStateName,
  ) {
    this.state = initial;
  }

  /** The client sends its first flight; the server does nothing. */
  abstract start(): void;

  /** Processes one message the state table accepts in the current state. */
  abstract handle(message: HandshakeMessage, recordSequence: number): void;

  /** The peer's ChangeCipherSpec, in a `wait-change-cipher-spec` state: read epoch 1 from now on. */
  changeCipherSpec(): void {
    this.driver.layer.switchReadEpoch();
    this.state =
      this.state === "client-wait-change-cipher-spec"
        ? "client-wait-finished"
        : "server-wait-finished";
  }

  /** Encodes our next message and adds it to the transcript. */
  protected message(type: number, body: Uint8Array): Uint8Array {
    const message = encodeHandshakeMessage(type, this.nextSendSeq++, body);
    this.transcript.push(message);
    return message;
  }

  /** Adds a received message to the transcript. */
  protected received(message: HandshakeMessage): void {
    this.transcript.push(encodeHandshakeMessage(message.msgType, message.messageSeq, message.body));
  }

  /** Everything hashed so far, concatenated (what CertificateVerify signs, RFC 5246 §7.4.8). */
  protected transcriptBytes(): Uint8Array {
    return concatBytes(this.transcript);
  }

  protected transcriptHash(): Uint8Array {
    const hash = createHash(PRF_HASH);
    for (const m of this.transcript) hash.update(m);
    return hash.digest();
  }

  /** Parses and checks the peer's certificate (and its fingerprint, when already known). */
  protected takePeerCertificate(
    chain: readonly Uint8Array[],
    keyType: "ec" | "rsa" | undefined,
  ): void {
    this.peerCertificate = acceptPeerCertificate(chain, keyType, this.expectedFingerprint);
  }

  /**
   * From the premaster secret and the transcript up to ClientKeyExchange: the extended master
   * secret (RFC 7627 §4) and the epoch-1 keys (RFC 5246 §6.3), installed in the record layer.
   */
  protected deriveKeys(premaster: Uint8Array, role: "client" | "server"): void {
    this.masterSecret = extendedMasterSecret(PRF_HASH, premaster, this.transcriptHash());
    const keys = keyExpansion(
      PRF_HASH,
      this.masterSecret,
      this.clientRandom!,
      this.serverRandom!,
      KEY_LENGTH,
      IV_LENGTH,
    );
    const client = new GcmRecordCipher(keys.clientWriteKey, keys.clientWriteIv);
    const server = new GcmRecordCipher(keys.serverWriteKey, keys.serverWriteIv);
    if (role === "client") this.driver.layer.setKeys(server, client);
    else this.driver.layer.setKeys(client, server);
  }

  /** Our or the peer's verify_data over the transcript as it is now. */
  protected verifyData(sender: "client" | "server"): Uint8Array {
    return finishedVerifyData(PRF_HASH, this.masterSecret!, sender, this.transcriptHash());
  }

  /** Our Finished body (spoiled when the `badFinished` bug is set). */
  protected ourFinished(sender: "client" | "server"): Uint8Array {
    const data = this.verifyData(sender);
    if (this.config.bugs?.badFinished === true) data[0]! ^= 1;
    return data;
  }

  /** Throws `decrypt_error` unless `received` is the verify_data `sender` should have sent. */
  protected checkFinished(sender: "client" | "server", received: Uint8Array): void {
    const expected = this.verifyData(sender);
    if (!constantTimeEqual(expected, received, expected.length))
      throw new DtlsError(
        "handshake-failed",
        AlertDescription.decrypt_error,
        `the ${sender}'s Finished does not verify`,
      );
  }

  /** RFC 5705 §4 exporter; only once both Finished are verified. */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    if (this.state !== "established")
      throw new Error("keying material exists only once the handshake completed");
    return exportKeyingMaterial(
      PRF_HASH,
      this.masterSecret!,
      this.clientRandom!,
      this.serverRandom!,
      label,
      length,
      context,
    );
  }
}
