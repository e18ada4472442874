/**
 * What the XEP-0234 transfer machines ({@link FileSender}, {@link FileReceiver}) hand their
 * driver: transmits (bytes for the data channel or the file, Jingle payloads to send) and
 * events (progress, the outcome). Both follow the sans-IO contract of docs/architecture.md.
 */
import type { Reason } from "./model.js";
import type { XmlElement } from "./xml.js";

/** I/O a transfer machine asks for. */
export type FileTransferTransmit =
  /** Sender: one binary message for the data channel (or one IBB block). */
  | { readonly type: "message"; readonly data: Uint8Array }
  /** Receiver: bytes to append to the file being written. */
  | { readonly type: "write"; readonly data: Uint8Array }
  /** A `<jingle action='session-info'>` carrying `payload` (`<checksum/>`, `<received/>`). */
  | { readonly type: "session-info"; readonly payload: XmlElement }
  /** A `<jingle action='session-terminate'>` with `reason`. */
  | { readonly type: "terminate"; readonly reason: Reason };

/** How a transfer ended. */
export interface FileTransferOutcome {
  /** `success` only when every byte arrived and (receiver) the hash matched. */
  readonly reason: Reason;
  /** Bytes moved in this session (the range, not the part kept from before). */
  readonly bytes: number;
  /** Receiver: whether a hash was checked and matched. */
  readonly verified: boolean;
}

/** News for the application. */
export type FileTransferEvent =
  | { readonly type: "progress"; readonly bytes: number; readonly total: number }
  | { readonly type: "finished"; readonly outcome: FileTransferOutcome };

/** Counters for hostile or odd input that was dropped, never thrown (docs/architecture.md). */
export interface FileTransferStats {
  /** Messages or payloads that came in a state where they mean nothing (dropped). */
  unexpected: number;
}

/** The default wait for the peer's `<received/>`, `<checksum/>` or terminate: 60 s. */
export const DEFAULT_FINISH_TIMEOUT = 60_000;

/** The default longest pause in the data while a file moves: 60 s. */
export const DEFAULT_IDLE_TIMEOUT = 60_000;
