/**
 * The client's side of the handshake (RFC 6347 §4.2, RFC 5246 §7.3): flights 1, 3 and 5, and
 * the checks on every server message — the ServerHello's choices, the certificate, the
 * ServerKeyExchange signature and the server's Finished.
 * @module
 */
import { randomBytes } from "../common/rng.js";
import {
  AlertDescription as A,
  CipherSuite,
  ClientCertificateType,
  DTLS_1_2,
  HandshakeType as H,
  NamedGroup,
  type CipherSuiteId,
  type NamedGroupId,
  type SrtpProfileId,
} from "./constants.js";
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeEmpty,
  decodeFinished,
  encodeCertificate,
  type CertificateRequest,
} from "./certificate-messages.js";
import { generateEphemeralKey } from "./ecdhe.js";
import { DtlsError } from "./errors.js";
import { Handshake } from "./handshake-common.js";
import {
  decodeHelloVerifyRequest,
  decodeServerHello,
  encodeClientHello,
  type ClientHello,
} from "./hello.js";
import {
  decodeServerKeyExchange,
  encodeCertificateVerify,
  encodeClientKeyExchange,
} from "./key-exchange-messages.js";
import type { HandshakeMessage } from "./reassembly.js";
import { chooseScheme, signWith, SUPPORTED_SCHEMES, verifyWith } from "./signature.js";
import type { FlightEntry } from "./flight.js";
import { concatBytes } from "../common/bytes.js";

/** Groups we offer, preferred first. */
export const SUPPORTED_GROUPS: readonly NamedGroupId[] = [NamedGroup.x25519, NamedGroup.secp256r1];
/** Suites we offer as client, preferred first. */
const CLIENT_SUITES: readonly CipherSuiteId[] = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];
/** HelloVerifyRequests we answer before giving up (a server looping on cookies). */
const MAX_HELLO_VERIFY = 3;

const fail = (alert: number, message: string): never => {
  throw new DtlsError("handshake-failed", alert, message);
};

/** The client's handshake. */
export class ClientHandshake extends Handshake {
  private hello: ClientHello | undefined;
  private helloVerifies = 0;
  private serverKey: { group: NamedGroupId; publicKey: Uint8Array } | undefined;
  private request: CertificateRequest | undefined;

  /** Flight 1: the ClientHello (RFC 5246 §7.4.1.2). */
  start(): void {
    this.clientRandom = randomBytes(this.config.rng, 32);
    this.hello = {
      version: DTLS_1_2,
      random: this.clientRandom,
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: CLIENT_SUITES,
      compressionMethods: [0],
      extensions: {
        renegotiationInfo: this.config.bugs?.renegotiationInfo ?? new Uint8Array(0), // RFC 5746 §3.4
        extendedMasterSecret: this.config.bugs?.noExtendedMasterSecret !== true, // RFC 7627 §5.1
        supportedGroups: SUPPORTED_GROUPS,
        ecPointFormats: [0], // uncompressed (RFC 8422 §5.1.2)
        signatureAlgorithms: SUPPORTED_SCHEMES,
        ...(this.config.srtpProfiles.length > 0
          ? { useSrtp: { profiles: this.config.srtpProfiles, mki: new Uint8Array(0) } }
          : {}),
      },
    };
    this.sendHello();
  }

  private sendHello(): void {
    const message = this.message(H.clientHello, encodeClientHello(this.hello!));
    this.state = "client-wait-server-hello";
    this.driver.sendFlight([{ kind: "handshake", epoch: 0, message }], true);
  }

  handle(message: HandshakeMessage): void {
    switch (message.msgType) {
      case H.helloVerifyRequest:
        return this.onHelloVerifyRequest(message);
      case H.serverHello:
        return this.onServerHello(message);
      case H.certificate:
        return this.onCertificate(message);
      case H.serverKeyExchange:
        return this.onServerKeyExchange(message);
      case H.certificateRequest:
        this.request = decodeCertificateRequest(message.body);
        this.received(message);
        this.state = "client-wait-server-hello-done";
        return;
      case H.serverHelloDone:
        decodeEmpty(message.body, "server-hello-done");
        this.received(message);
        this.peerFlightEnd = message;
        return this.sendSecondFlight();
      case H.finished:
        return this.onFinished(message);
    }
  }

  /** RFC 6347 §4.2.1: resend the same ClientHello with the cookie; neither enters the transcript. */
  private onHelloVerifyRequest(message: HandshakeMessage): void {
    const hvr = decodeHelloVerifyRequest(message.body);
    if (++this.helloVerifies > MAX_HELLO_VERIFY)
      fail(A.handshake_failure, "too many HelloVerifyRequests");
    this.transcript = [];
    this.hello = { ...this.hello!, cookie: hvr.cookie };
    this.peerFlightEnd = message;
    this.sendHello();
  }

  private onServerHello(message: HandshakeMessage): void {
    const hello = decodeServerHello(message.body);
    if (hello.version !== DTLS_1_2)
      fail(A.protocol_version, `the server chose version ${hello.version.toString(16)}`);
    if (!CLIENT_SUITES.includes(hello.cipherSuite as CipherSuiteId))
      fail(
        A.illegal_parameter,
        `the server chose cipher suite ${hello.cipherSuite.toString(16)}, which we did not offer`,
      );
    if (hello.compressionMethod !== 0) fail(A.illegal_parameter, "the server chose compression");
    const ext = hello.extensions;
    if (ext.unknown !== undefined || (ext.supportedGroups ?? ext.signatureAlgorithms) !== undefined)
      fail(A.unsupported_extension, "the server sent an extension we did not offer");
    // RFC 7627 §5.3: a server without extended_master_secret is refused.
    if (ext.extendedMasterSecret !== true)
      fail(A.handshake_failure, "the server does not use the extended master secret (RFC 7627)");
    // RFC 5746 §3.4: renegotiated_connection must be empty on an initial handshake.
    if (ext.renegotiationInfo !== undefined && ext.renegotiationInfo.length > 0)
      fail(A.handshake_failure, "non-empty renegotiation_info in the initial handshake");
    if (ext.useSrtp !== undefined) {
      // RFC 5764 §4.1.1: exactly one profile, one we offered, and our (empty) MKI.
      const [profile, ...rest] = ext.useSrtp.profiles;
      if (
        profile === undefined ||
        rest.length > 0 ||
        !this.config.srtpProfiles.includes(profile as SrtpProfileId) ||
        ext.useSrtp.mki.length > 0
      )
        fail(A.illegal_parameter, "the server's use_srtp is not one profile we offered");
      this.srtpProfile = profile as SrtpProfileId;
    }
    this.serverRandom = hello.random;
    this.suite = hello.cipherSuite as CipherSuiteId;
    this.received(message);
    this.state = "client-wait-certificate";
  }

  private onCertificate(message: HandshakeMessage): void {
    const chain = decodeCertificate(message.body);
    const keyType =
      this.suite === CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ? "ec" : "rsa";
    this.takePeerCertificate(chain, keyType);
    this.received(message);
    this.state = "client-wait-server-key-exchange";
  }

  /** RFC 8422 §5.4: the group must be one we offered and the signature must verify. */
  private onServerKeyExchange(message: HandshakeMessage): void {
    const ske = decodeServerKeyExchange(message.body);
    if (!SUPPORTED_GROUPS.includes(ske.namedGroup as NamedGroupId))
      fail(A.illegal_parameter, `the server chose group ${ske.namedGroup}, which we did not offer`);
    if (!SUPPORTED_SCHEMES.includes(ske.signed.scheme))
      fail(
        A.illegal_parameter,
        `the server signed with scheme ${ske.signed.scheme.toString(16)}, which we did not offer`,
      );
    const signed = concatBytes([this.clientRandom!, this.serverRandom!, ske.params]);
    if (
      !verifyWith(ske.signed.scheme, this.peerCertificate!.publicKey, signed, ske.signed.signature)
    )
      fail(
        A.decrypt_error,
        "the ServerKeyExchange signature does not verify with the server's certificate",
      );
    this.serverKey = { group: ske.namedGroup as NamedGroupId, publicKey: ske.publicKey };
    this.received(message);
    this.state = "client-wait-certificate-request-or-done";
  }

  /** Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished. */
  private sendSecondFlight(): void {
    const { certificate, rng } = this.config;
    const entries: FlightEntry[] = [];
    let scheme: number | undefined;
    if (this.request !== undefined) {
      const type =
        certificate.privateKey.asymmetricKeyType === "ec"
          ? ClientCertificateType.ecdsaSign
          : ClientCertificateType.rsaSign;
      scheme = chooseScheme(this.request.signatureAlgorithms, certificate.privateKey);
      if (!this.request.certificateTypes.includes(type) || scheme === undefined)
        fail(A.handshake_failure, "the server accepts no signature our certificate's key can make");
      entries.push({
        kind: "handshake",
        epoch: 0,
        message: this.message(H.certificate, encodeCertificate([certificate.der])),
      });
    }
    const ours = generateEphemeralKey(this.serverKey!.group, rng);
    const premaster = ours.computeSecret(this.serverKey!.publicKey);
    if (premaster === undefined)
      fail(A.illegal_parameter, "the server's ECDHE public key is not valid");
    entries.push({
      kind: "handshake",
      epoch: 0,
      message: this.message(H.clientKeyExchange, encodeClientKeyExchange(ours.publicKey)),
    });
    this.deriveKeys(premaster!, "client");
    if (scheme !== undefined) {
      const signature = signWith(scheme, certificate.privateKey, this.transcriptBytes());
      entries.push({
        kind: "handshake",
        epoch: 0,
        message: this.message(H.certificateVerify, encodeCertificateVerify({ scheme, signature })),
      });
    }
    entries.push({ kind: "change-cipher-spec" });
    entries.push({
      kind: "handshake",
      epoch: 1,
      message: this.message(H.finished, this.ourFinished("client")),
    });
    this.state = "client-wait-change-cipher-spec";
    this.driver.sendFlight(entries, true);
  }

  /** RFC 5246 §7.4.9: the server's Finished covers everything up to and including ours. */
  private onFinished(message: HandshakeMessage): void {
    this.checkFinished("server", decodeFinished(message.body));
    this.received(message);
    this.state = "established";
  }
}
