/**
 * STUN (RFC 8489, compatible with RFC 5389): the message codec, credentials, integrity and
 * fingerprint checks, the demultiplexing predicate and the sans-IO client transaction.
 * @module
 */
export * from "./attribute-types.js";
export * from "./constants.js";
export * from "./credentials.js";
export * from "./demux.js";
export * from "./errors.js";
export { decodeMessageType, encodeMessageType } from "./header.js";
export type { IntegrityField } from "./integrity.js";
export * from "./message.js";
export * from "./server.js";
export * from "./transaction.js";
export * from "./transaction-id.js";
export * from "./verify.js";
// The addresses STUN attributes carry (XOR-MAPPED-ADDRESS and the like).
export {
  formatTransportAddress,
  type AddressFamily,
  type TransportAddress,
} from "../common/address.js";
