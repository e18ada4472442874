/**
 * jingle-ice: Jingle ICE-UDP for `@xmpp/client` bots. This entry point re-exports the layers
 * that exist so far; `jingle-ice/stun` and `jingle-ice/turn` give the codecs alone.
 * @module
 */
export * from "./common/address.js";
export * from "./common/errors.js";
export * from "./common/rng.js";
export { toHex, fromHex } from "./common/bytes.js";
export * from "./stun/index.js";
export * from "./turn/index.js";
export * from "./ice/index.js";
export * from "./dtls/index.js";
export * from "./node/index.js";
export * from "./plugin/index.js";
// Data channels (RFC 8831/8832): the sans-IO SCTP association and endpoint, and their Node driver.
export * from "./sctp/index.js";
export * from "./node/sctp-association.js";
export * from "./node/data-channel.js";
