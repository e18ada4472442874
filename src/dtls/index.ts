/**
 * DTLS 1.2 (RFC 6347) for the encrypted channel: the sans-IO {@link DtlsEndpoint}, the
 * certificate and fingerprint helpers XEP-0320 signalling needs, and the error class.
 * @module
 */
export { DtlsEndpoint } from "./endpoint.js";
export type { DtlsEndpointOptions, DtlsEvent, DtlsState } from "./endpoint-types.js";
export { DtlsError, DtlsDecodeError, type DtlsErrorCode } from "./errors.js";
export { dtlsCertificate, type DtlsCertificate } from "./certificate.js";
export {
  fingerprintOf,
  formatFingerprint,
  isFingerprintAlgorithm,
  matchesFingerprint,
  parseFingerprint,
  type Fingerprint,
  type FingerprintAlgorithm,
} from "./fingerprint.js";
export { SrtpProfile, type SrtpProfileId } from "./constants.js";
export type { DtlsStats, DtlsDropReason } from "./stats.js";
