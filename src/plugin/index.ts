/**
 * The `@xmpp/client` plugin: Jingle ICE-UDP sessions whose transport yields a datagram channel.
 * @module
 */
export * from "./caps.js";
export * from "./extdisco.js";
export * from "./jingle-ice.js";
export * from "./session.js";
export type { XmppClient, IqContext } from "./xmpp.js";
export {
  NS_DATAGRAM,
  NS_DATA_CHANNELS,
  dataChannelApplication,
  datagramApplication,
  type JingleApplication,
  type TransportNeed,
} from "../jingle/application.js";
export {
  FileTransfer,
  NS_FILE_TRANSFER,
  NS_HASHES,
  fileTransferApplication,
  hashFunctionFeature,
  type FileTransferEvents,
  type FileTransferResult,
} from "./file-transfer.js";
export { IncomingFile, type ReceiveTarget } from "./file-receive.js";
export type { SendFileOptions } from "./file-send.js";
export { sanitizeFileName } from "./file-names.js";
