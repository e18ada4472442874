/**
 * jingle-ice: Jingle ICE-UDP for `@xmpp/client` bots. This entry point re-exports the layers
 * that exist so far; `jingle-ice/stun` and `jingle-ice/turn` give the codecs alone.
 * @module
 */
export * from "./common/address.js";
export * from "./common/rng.js";
export { toHex, fromHex } from "./common/bytes.js";
export * from "./stun/index.js";
export * from "./turn/index.js";
export * from "./ice/index.js";
export * from "./node/index.js";
export * from "./plugin/index.js";
