/**
 * The Node driver: ICE on real UDP sockets.
 * @module
 */
export * from "./datagram-channel.js";
export * from "./errors.js";
export * from "./ice-connection.js";
export type { StunServerOption, TurnServerOption, TurnServerUrls } from "./ice-servers.js";
export * from "./interfaces.js";
export * from "./rng.js";
export * from "./dtls-certificate.js";
export * from "./dtls-channel.js";
