/**
 * The server's side of the handshake (RFC 6347 §4.2, RFC 5246 §7.3): the optional stateless
 * cookie exchange (RFC 6347 §4.2.1), flights 4 and 6, and the checks on every client message —
 * its offer, its certificate (required, as WebRTC does), the CertificateVerify signature and the
 * client's Finished.
 * @module
 */
import { createHmac } from "node:crypto";
import { concatBytes, constantTimeEqual } from "../common/bytes.js";
import { randomBytes } from "../common/rng.js";
import {
  AlertDescription as A,
  CipherSuite,
  ClientCertificateType,
  DTLS_1_2,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  HandshakeType as H,
  NamedGroup,
  type NamedGroupId,
  type SrtpProfileId,
} from "./constants.js";
import {
  decodeCertificate,
  decodeFinished,
  encodeCertificate,
  encodeCertificateRequest,
} from "./certificate-messages.js";
import { SUPPORTED_GROUPS } from "./client-handshake.js";
import { generateEphemeralKey, type EphemeralKey } from "./ecdhe.js";
import { DtlsError } from "./errors.js";
import type { FlightEntry } from "./flight.js";
import { Handshake, type HandshakeConfig, type HandshakeDriver } from "./handshake-common.js";
import { encodeHandshakeMessage } from "./handshake-header.js";
import {
  decodeClientHello,
  encodeHelloVerifyRequest,
  encodeServerHello,
  type ClientHello,
} from "./hello.js";
import {
  decodeCertificateVerify,
  decodeClientKeyExchange,
  encodeServerEcdhParams,
  encodeServerKeyExchange,
} from "./key-exchange-messages.js";
import type { HandshakeMessage } from "./reassembly.js";
import { chooseScheme, signWith, SUPPORTED_SCHEMES, verifyWith } from "./signature.js";

const fail = (alert: number, message: string): never => {
  throw new DtlsError("handshake-failed", alert, message);
};

/** The server's handshake. */
export class ServerHandshake extends Handshake {
  /** The HMAC key of our cookies (RFC 6347 §4.2.1), drawn once per endpoint. */
  private readonly cookieSecret: Uint8Array;
  private ephemeral: EphemeralKey | undefined;

  constructor(config: HandshakeConfig, driver: HandshakeDriver) {
    super(config, driver, "server-wait-client-hello");
    this.cookieSecret = randomBytes(config.rng, 32);
  }

  start(): void {}

  handle(message: HandshakeMessage, recordSequence: number): void {
    switch (message.msgType) {
      case H.clientHello:
        return this.onClientHello(message, recordSequence);
      case H.certificate: {
        const chain = decodeCertificate(message.body);
        if (chain.length === 0)
          fail(
            A.handshake_failure,
            "the client sent no certificate (WebRTC requires one, RFC 8827 §6.5)",
          );
        this.takePeerCertificate(chain, undefined);
        this.received(message);
        this.state = "server-wait-client-key-exchange";
        return;
      }
      case H.clientKeyExchange:
        return this.onClientKeyExchange(message);
      case H.certificateVerify:
        return this.onCertificateVerify(message);
      case H.finished:
        return this.onFinished(message);
    }
  }

  /** The cookie for this ClientHello: HMAC(secret, client parameters) (RFC 6347 §4.2.1). */
  private cookieFor(hello: ClientHello): Uint8Array {
    const mac = createHmac("sha256", this.cookieSecret)
      .update(hello.random)
      .update(hello.sessionId);
    for (const suite of hello.cipherSuites) mac.update(new Uint8Array([suite >>> 8, suite]));
    return new Uint8Array(mac.digest());
  }

  private onClientHello(message: HandshakeMessage, recordSequence: number): void {
    const hello = decodeClientHello(message.body);
    if (this.config.helloVerify) {
      const cookie = this.cookieFor(hello);
      if (
        hello.cookie.length !== cookie.length ||
        !constantTimeEqual(hello.cookie, cookie, cookie.length)
      ) {
        // Stateless: no transcript, no state; same message_seq and record sequence (§4.2.1, §4.2.2).
        this.driver.layer.raiseSequence(recordSequence);
        const body = encodeHelloVerifyRequest({ version: DTLS_1_2, cookie });
        this.driver.sendStateless(
          encodeHandshakeMessage(H.helloVerifyRequest, message.messageSeq, body),
        );
        return;
      }
    }
    this.driver.layer.raiseSequence(recordSequence);
    this.negotiate(hello);
    this.nextSendSeq = message.messageSeq; // RFC 6347 §4.2.2: ServerHello takes the ClientHello's
    this.received(message);
    this.peerFlightEnd = message;
    this.sendFirstFlight(hello);
  }

  /** Our choices from the client's offer; refuses what RFC 5246, 7627 and 5746 forbid. */
  private negotiate(hello: ClientHello): void {
    // DTLS versions count down: {254,253} is 1.2, {254,255} is 1.0 (RFC 6347 §4.1).
    if (hello.version > DTLS_1_2)
      fail(A.protocol_version, `the client offers only version ${hello.version.toString(16)}`);
    if (!hello.compressionMethods.includes(0))
      fail(A.illegal_parameter, "the client does not offer null compression");
    const ext = hello.extensions;
    if (ext.extendedMasterSecret !== true)
      fail(A.handshake_failure, "the client does not offer the extended master secret (RFC 7627)");
    if (ext.renegotiationInfo !== undefined && ext.renegotiationInfo.length > 0)
      fail(
        A.handshake_failure,
        "non-empty renegotiation_info in the initial handshake (RFC 5746 §3.6)",
      );
    if (ext.ecPointFormats !== undefined && !ext.ecPointFormats.includes(0))
      fail(A.illegal_parameter, "the client does not accept uncompressed points");
    const key = this.config.certificate.privateKey;
    const suite =
      key.asymmetricKeyType === "ec"
        ? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        : CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    if (!hello.cipherSuites.includes(suite))
      fail(A.handshake_failure, "the client offers no cipher suite for our certificate");
    const groups = ext.supportedGroups ?? [NamedGroup.secp256r1]; // RFC 8422 §4
    const group = SUPPORTED_GROUPS.find((g) => groups.includes(g));
    if (group === undefined) fail(A.handshake_failure, "no group in common");
    const scheme = chooseScheme(ext.signatureAlgorithms ?? [], key);
    if (scheme === undefined)
      fail(A.handshake_failure, "the client accepts no signature our key can make");
    this.suite = suite;
    this.group = group as NamedGroupId;
    this.scheme = scheme!;
    const offered = ext.useSrtp?.profiles ?? [];
    this.srtpProfile = this.config.srtpProfiles.find((p) => offered.includes(p)) as
      SrtpProfileId | undefined;
    this.clientRandom = hello.random;
    this.secureRenegotiation =
      ext.renegotiationInfo !== undefined ||
      hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);
    this.echoPointFormats = ext.ecPointFormats !== undefined;
  }

  private group: NamedGroupId = NamedGroup.x25519;
  private scheme = 0;
  private secureRenegotiation = false;
  private echoPointFormats = false;

  /** Flight 4: ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone. */
  private sendFirstFlight(hello: ClientHello): void {
    const { certificate, rng } = this.config;
    this.serverRandom = randomBytes(rng, 32);
    const serverHello = encodeServerHello({
      version: DTLS_1_2,
      random: this.serverRandom,
      sessionId: new Uint8Array(0), // no resumption
      cipherSuite: this.suite!,
      compressionMethod: 0,
      extensions: {
        ...(this.secureRenegotiation ? { renegotiationInfo: new Uint8Array(0) } : {}),
        extendedMasterSecret: true,
        ...(this.echoPointFormats ? { ecPointFormats: [0] } : {}),
        ...(this.srtpProfile !== undefined
          ? { useSrtp: { profiles: [this.srtpProfile], mki: new Uint8Array(0) } }
          : {}),
      },
    });
    this.ephemeral = generateEphemeralKey(this.group, rng);
    const params = encodeServerEcdhParams(this.group, this.ephemeral.publicKey);
    const signature = signWith(
      this.scheme,
      certificate.privateKey,
      concatBytes([hello.random, this.serverRandom, params]),
    );
    const request = encodeCertificateRequest({
      certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
      signatureAlgorithms: SUPPORTED_SCHEMES,
      certificateAuthorities: [],
    });
    const entries: FlightEntry[] = [
      this.message(H.serverHello, serverHello),
      this.message(H.certificate, encodeCertificate([certificate.der])),
      this.message(
        H.serverKeyExchange,
        encodeServerKeyExchange(params, { scheme: this.scheme, signature }),
      ),
      this.message(H.certificateRequest, request),
      this.message(H.serverHelloDone, new Uint8Array(0)),
    ].map((message) => ({ kind: "handshake", epoch: 0, message }));
    this.state = "server-wait-certificate";
    this.driver.sendFlight(entries, true);
  }

  private onClientKeyExchange(message: HandshakeMessage): void {
    const point = decodeClientKeyExchange(message.body);
    const premaster = this.ephemeral!.computeSecret(point);
    if (premaster === undefined)
      fail(A.illegal_parameter, "the client's ECDHE public key is not valid");
    this.received(message);
    this.deriveKeys(premaster!, "server");
    this.state = "server-wait-certificate-verify";
  }

  /** RFC 5246 §7.4.8: the client proves it holds its certificate's key. */
  private onCertificateVerify(message: HandshakeMessage): void {
    const signed = decodeCertificateVerify(message.body);
    if (!SUPPORTED_SCHEMES.includes(signed.scheme))
      fail(
        A.illegal_parameter,
        `the client signed with scheme ${signed.scheme.toString(16)}, which we did not ask for`,
      );
    if (
      !verifyWith(
        signed.scheme,
        this.peerCertificate!.publicKey,
        this.transcriptBytes(),
        signed.signature,
      )
    )
      fail(
        A.decrypt_error,
        "the CertificateVerify signature does not verify with the client's certificate",
      );
    this.received(message);
    this.state = "server-wait-change-cipher-spec";
  }

  /** Verifies the client's Finished, then flight 6: ChangeCipherSpec, Finished. */
  private onFinished(message: HandshakeMessage): void {
    this.checkFinished("client", decodeFinished(message.body));
    this.received(message);
    this.peerFlightEnd = message;
    const finished = this.message(H.finished, this.ourFinished("server"));
    this.state = "established";
    this.driver.sendFlight(
      [{ kind: "change-cipher-spec" }, { kind: "handshake", epoch: 1, message: finished }],
      false,
    );
  }
}
