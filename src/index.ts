/**
 * jingle-ice: peer-to-peer channels for `@xmpp/client` bots over Jingle ICE-UDP (XEP-0166,
 * XEP-0176), encrypted with DTLS (XEP-0320).
 *
 * This entry point is what an application needs: the plugin, the Node driver (ICE connections,
 * datagram, DTLS and data channels), their options, events and error classes. The sans-IO layers
 * have entry points of their own: `jingle-ice/stun`, `jingle-ice/turn`, `jingle-ice/ice`,
 * `jingle-ice/jingle`, `jingle-ice/dtls`, `jingle-ice/sctp` (see docs/architecture.md).
 * @module
 */

// The plugin.
export {
  JingleIce,
  jingleIceUdp,
  type InitiateOptions,
  type JingleIceEvents,
  type JingleIceOptions,
  type SessionOffer,
} from "./plugin/jingle-ice.js";
export {
  JingleSession,
  JingleSessionError,
  type JingleSessionEvents,
  type SessionChannel,
  type SessionState,
} from "./plugin/session.js";
export type { SessionSecurityInfo } from "./plugin/security.js";
export type { XmppClient, IqContext } from "./plugin/xmpp.js";
export { IqReplyError } from "./plugin/xmpp.js";
export {
  NS_DATAGRAM,
  NS_DATA_CHANNELS,
  dataChannelApplication,
  datagramApplication,
  type JingleApplication,
  type TransportNeed,
} from "./jingle/application.js";
export {
  FileTransfer,
  NS_FILE_TRANSFER,
  fileTransferApplication,
  type FileTransferEvents,
  type FileTransferResult,
} from "./plugin/file-transfer.js";
export { IncomingFile, type ReceiveTarget } from "./plugin/file-receive.js";
export type { SendFileOptions } from "./plugin/file-send.js";
export type { SctpVariant } from "./jingle/model.js";
export { DEFAULT_SESSION_LIMITS, type SessionLimits } from "./jingle/dispatch.js";
export type { Reason, ReasonCondition } from "./jingle/model.js";
export type { XmlElement } from "./jingle/xml.js";

// The Node driver: ICE on UDP sockets, and the channels over it.
export {
  IceConnection,
  type IceConnectionEvents,
  type IceConnectionOptions,
} from "./node/ice-connection.js";
export type { StunServerOption, TurnServerOption, TurnServerUrls } from "./node/ice-servers.js";
export type { AddressSelection } from "./node/interfaces.js";
export { DatagramChannel, type DatagramChannelEvents } from "./node/datagram-channel.js";
export {
  DtlsChannel,
  type DtlsChannelEvents,
  type DtlsChannelOptions,
  type DtlsChannelStats,
  type DtlsChannelTransport,
  type DtlsConnectedInfo,
} from "./node/dtls-channel.js";
export { defaultCertificate, generateCertificate } from "./node/dtls-certificate.js";
export {
  SctpAssociation,
  type DatagramTransport,
  type SctpAssociationEvents,
  type SctpAssociationOptions,
} from "./node/sctp-association.js";
export { DataChannel, type DataChannelEvents } from "./node/data-channel.js";
export { SocketBindError } from "./node/errors.js";
export { cryptoRng } from "./node/rng.js";

// The shapes those APIs take and give.
export type {
  AgentStats,
  Candidate,
  CandidatePairInfo,
  CandidateType,
  IceRole,
  IceState,
} from "./ice/types.js";
export { toRemoteCandidateInput, type RemoteCandidateInput } from "./ice/candidate.js";
export type { TransportAddress } from "./common/address.js";
export type { Rng } from "./common/rng.js";
export type { DtlsCertificate } from "./dtls/certificate.js";
export {
  parseFingerprint,
  type Fingerprint,
  type FingerprintAlgorithm,
} from "./dtls/fingerprint.js";

// Errors: one base class; each layer's own.
export { JingleIceError } from "./common/errors.js";
export { DtlsError, type DtlsErrorCode } from "./dtls/errors.js";
export { TurnError } from "./turn/errors.js";
export { StunServerError } from "./ice/errors.js";
export { SctpError, type SctpErrorCode } from "./sctp/errors.js";
