/**
 * What the Node file-transfer pumps need, kept structural: the data path (a W3C-shaped
 * {@link DataChannel} is a {@link FileChannel} as it is) and the XEP-0234 machines. src/node
 * drives the core but does not import src/jingle (docs/architecture.md, layering), so the
 * machines are described here by shape; `FileSender` and `FileReceiver` of src/jingle fit.
 */
import type { ChannelState } from "../sctp/data-channel-types.js";
import type { DataChannel } from "./data-channel.js";

/** The part of a {@link DataChannel} the pumps use. */
export interface FileChannel {
  send(data: Uint8Array): void;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: ChannelState;
  on(event: "message", listener: (data: string | Uint8Array) => void): unknown;
  on(event: "bufferedamountlow" | "close", listener: () => void): unknown;
  off(event: "message", listener: (data: string | Uint8Array) => void): unknown;
  off(event: "bufferedamountlow" | "close", listener: () => void): unknown;
}

/** A Jingle reason (XEP-0166 §7.4) by shape. */
export interface TransferReason {
  readonly condition: string;
  readonly text?: string;
}

/** How a transfer ended (`FileTransferOutcome` of src/jingle, by shape). */
export interface TransferOutcome<R extends TransferReason = TransferReason> {
  readonly reason: R;
  readonly bytes: number;
  readonly verified: boolean;
}

/** The I/O of a transfer machine, by shape. */
export type TransferTransmit<P = unknown, R extends TransferReason = TransferReason> =
  | { readonly type: "message" | "write"; readonly data: Uint8Array }
  | { readonly type: "session-info"; readonly payload: P }
  | { readonly type: "terminate"; readonly reason: R };

/** The events of a transfer machine, by shape. */
export type TransferEvent<R extends TransferReason = TransferReason> =
  | { readonly type: "progress"; readonly bytes: number; readonly total: number }
  | { readonly type: "finished"; readonly outcome: TransferOutcome<R> };

/** What both machines offer. */
export interface TransferMachine {
  pollTransmit(): TransferTransmit<unknown, TransferReason> | undefined;
  pollEvent(): TransferEvent | undefined;
  pollTimeout(): number | undefined;
  handleTimeout(now: number): void;
  handleInfo(now: number, info: never): void;
  handleTerminate(now: number, reason: TransferReason): void;
  abort(now: number, reason: TransferReason): void;
  readonly finished: boolean;
}

/** The sending machine (`FileSender`), by shape. */
export interface FileSendMachine extends TransferMachine {
  begin(now: number, range?: { readonly offset: number; readonly length?: number }): void;
  push(now: number, bytes: Uint8Array): void;
  finish(now: number): void;
  readonly remaining: number;
  readonly readOffset: number;
}

/** The receiving machine (`FileReceiver`), by shape. */
export interface FileReceiveMachine extends TransferMachine {
  readonly offset: number;
  prime(bytes: Uint8Array): void;
  begin(now: number): void;
  handleData(now: number, data: Uint8Array): void;
}

/** The Jingle actions a machine `M` asks its session to send. */
export type SignalOf<M extends TransferMachine> = Extract<
  NonNullable<ReturnType<M["pollTransmit"]>>,
  { readonly type: "session-info" | "terminate" }
>;
/** The session-info payloads machine `M` takes. */
export type InfoOf<M extends TransferMachine> = Parameters<M["handleInfo"]>[1];
/** The reason type of machine `M`. */
export type ReasonOf<M extends TransferMachine> = Parameters<M["abort"]>[1];
/** The outcome of machine `M`. */
export type OutcomeOf<M extends TransferMachine> = Extract<
  NonNullable<ReturnType<M["pollEvent"]>>,
  { readonly type: "finished" }
>["outcome"];

/**
 * A reason the pumps raise themselves, typed as the machine's. Only XEP-0166 §7.4 conditions
 * are used (`failed-transport`, `media-error`, `general-error`), which every machine accepts.
 */
export function pumpReason<M extends TransferMachine>(
  condition: "failed-transport" | "media-error" | "general-error",
  text: string,
): ReasonOf<M> {
  return { condition, text } as ReasonOf<M>;
}

/** The monotonic clock the pumps give their machines (`performance.now()` by default). */
export type Clock = () => number;

/** The default clock. */
export const monotonic: Clock = () => performance.now();

// A DataChannel must stay usable as a FileChannel: this fails to compile otherwise.
const _dataChannelIsAFileChannel = (channel: DataChannel): FileChannel => channel;
void _dataChannelIsAFileChannel;
