/**
 * TURN (RFC 8656): the sans-IO client (allocation, permissions, channels, refreshes),
 * ChannelData framing and stream frame boundaries.
 * @module
 */
export * from "./channel-data.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./server.js";
export * from "./uri.js";
