/**
 * SCTP for WebRTC data channels (RFC 8831) with DCEP (RFC 8832), sans-IO: the association
 * (RFC 9260 with RFC 3758 partial reliability and RFC 6525 stream reset) and the data channel
 * endpoint on top of it. `SctpAssociation` and `DataChannel` in src/node/ run them on a datagram
 * transport with the real clock.
 * @module
 */
export * from "./association.js";
export * from "./data-channels.js";
export { ChannelPriority, ChannelType, Ppid } from "./dcep.js";
export { SctpDecodeError, SctpError, type SctpErrorCode } from "./errors.js";
