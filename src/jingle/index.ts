/**
 * The Jingle model (XEP-0166) with the ICE-UDP transport (XEP-0176): plain data, parsed from
 * and built into structural XML elements, with no I/O and no xmpp.js (docs/architecture.md).
 * @module
 */
export * from "./build.js";
export * from "./candidate.js";
export * from "./errors.js";
export * from "./model.js";
export * from "./parse.js";
export * from "./xml.js";
export * from "./dispatch.js";
export * from "./application.js";
export * from "./outbox.js";
export * from "./sctp-transport.js";
export * from "./grouping.js";
export * from "./data-channel-setup.js";
export * from "./file-transfer.js";
export * from "./file-transfer-application.js";
export * from "./file-transfer-errors.js";
export * from "./file-transfer-flavour.js";
export * from "./file-transfer-hash.js";
export * from "./file-transfer-info.js";
export * from "./file-transfer-receiver.js";
export * from "./file-transfer-sender.js";
export * from "./file-transfer-session.js";
export * from "./ibb.js";
export * from "./ibb-session.js";
export * from "./ibb-transport.js";
