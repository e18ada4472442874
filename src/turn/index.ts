/**
 * TURN (RFC 8656) pieces that do not need a server connection: ChannelData framing and stream
 * frame boundaries. The allocation machines come with the TURN client.
 * @module
 */
export * from "./channel-data.js";
