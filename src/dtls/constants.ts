/**
 * Numbers of the DTLS 1.2 wire format (RFC 6347 on RFC 5246) and the extensions we speak.
 * @module
 */

/** ProtocolVersion of DTLS 1.2 on the wire: {254, 253} (RFC 6347 §4.1). */
export const DTLS_1_2 = 0xfefd;
/** DTLS 1.0 ({254, 255}): what some peers put in the record of their first ClientHello. */
export const DTLS_1_0 = 0xfeff;

/** ContentType (RFC 5246 §6.2.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

/** HandshakeType (RFC 5246 §7.4, RFC 6347 §4.3.2). */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

/** The name of a handshake type, for errors and the state table. */
export function handshakeName(type: number): string {
  for (const [name, value] of Object.entries(HandshakeType)) if (value === type) return name;
  return `handshake(${type})`;
}

/** The cipher suites we implement (RFC 5289 §3.2). */
export const CipherSuite = {
  /** RFC 8827 §6.5: the suite every WebRTC endpoint must offer. */
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  /** For peers with RSA certificates (Dino's GnuTLS). */
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
} as const;
export type CipherSuiteId = (typeof CipherSuite)[keyof typeof CipherSuite];

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** The suite's name, e.g. for the `connected` event. */
export function cipherSuiteName(id: CipherSuiteId): keyof typeof CipherSuite {
  return id === CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    : "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
}

/** ExtensionType values we read or write. */
export const ExtensionType = {
  supportedGroups: 10, // RFC 8422 §5.1.1
  ecPointFormats: 11, // RFC 8422 §5.1.2
  signatureAlgorithms: 13, // RFC 5246 §7.4.1.4.1
  useSrtp: 14, // RFC 5764 §4.1.1
  extendedMasterSecret: 23, // RFC 7627 §5.1
  renegotiationInfo: 0xff01, // RFC 5746 §3.2
} as const;

/** NamedGroup (RFC 8422 §5.1.1). */
export const NamedGroup = { secp256r1: 23, x25519: 29 } as const;
export type NamedGroupId = (typeof NamedGroup)[keyof typeof NamedGroup];

/** ECCurveType named_curve (RFC 8422 §5.4). */
export const NAMED_CURVE = 3;

/**
 * SignatureScheme code points (RFC 8446 §4.2.3, which keeps the TLS 1.2 hash/signature byte pairs
 * of RFC 5246 §7.4.1.4.1 for the PKCS#1 and ECDSA ones).
 */
export const SignatureScheme = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
} as const;
export type SignatureSchemeId = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = { rsaSign: 1, ecdsaSign: 64 } as const;

/** SRTPProtectionProfile values (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SrtpProfile = {
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
  SRTP_AEAD_AES_128_GCM: 0x0007,
} as const;
export type SrtpProfileId = (typeof SrtpProfile)[keyof typeof SrtpProfile];

/** The profile's name, e.g. for the `connected` event. */
export function srtpProfileName(id: SrtpProfileId): keyof typeof SrtpProfile {
  return id === SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80
    ? "SRTP_AES128_CM_HMAC_SHA1_80"
    : "SRTP_AEAD_AES_128_GCM";
}

/** AlertLevel (RFC 5246 §7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** AlertDescription values (RFC 5246 §7.2, RFC 8446 §6 for certificate_required). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_unknown: 46,
  illegal_parameter: 47,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  unsupported_extension: 110,
  certificate_required: 116,
} as const;
export type AlertDescriptionName = keyof typeof AlertDescription;

/** The name of an alert description (or `alert(n)` for one we do not know). */
export function alertName(description: number): string {
  for (const [name, value] of Object.entries(AlertDescription))
    if (value === description) return name;
  return `alert(${description})`;
}
