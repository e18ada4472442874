/** Options, channel descriptions and events of a {@link DataChannelEndpoint} (`data-channels.ts`). */
import type { AssociationOptions, AssociationState, CloseReason } from "./association-types.js";
import type { SctpError } from "./errors.js";

/** Our DTLS role, which picks the stream ids we may open (RFC 8832 §6: client even, server odd). */
export type DtlsRole = "client" | "server";

/** Options of a data channel endpoint: the association's, plus the DTLS role. */
export interface DataChannelEndpointOptions extends AssociationOptions {
  readonly role: DtlsRole;
}

/** How to create a channel (the W3C `RTCDataChannelInit`). */
export interface ChannelInit {
  readonly protocol?: string;
  /** @default true */
  readonly ordered?: boolean;
  /** Partially reliable by count (RFC 3758); exclusive with `maxPacketLifeTime`. */
  readonly maxRetransmits?: number;
  /** Partially reliable by time, ms; exclusive with `maxRetransmits`. */
  readonly maxPacketLifeTime?: number;
  /** Agreed out of band: no DCEP, `id` required (RFC 8832 §1). @default false */
  readonly negotiated?: boolean;
  /** The stream id; chosen by parity of the DTLS role when unset. */
  readonly id?: number;
  /** RFC 8832 §5.1 priority. @default 256 */
  readonly priority?: number;
}

/** W3C `RTCDataChannelState`. */
export type ChannelState = "connecting" | "open" | "closing" | "closed";

/** A channel as the endpoint knows it. */
export interface ChannelInfo {
  readonly id: number;
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | undefined;
  readonly maxPacketLifeTime: number | undefined;
  readonly negotiated: boolean;
  readonly priority: number;
  readonly readyState: ChannelState;
}

/** What the endpoint tells the application. */
export type DataChannelEvent =
  | { readonly type: "association-state"; readonly state: AssociationState }
  | { readonly type: "association-closed"; readonly reason: CloseReason; readonly detail?: string }
  /** The peer opened a channel (W3C `datachannel`). */
  | { readonly type: "channel"; readonly channel: ChannelInfo }
  | { readonly type: "open"; readonly id: number }
  | { readonly type: "message"; readonly id: number; readonly data: string | Uint8Array }
  | { readonly type: "buffered-amount-low"; readonly id: number }
  | { readonly type: "closing"; readonly id: number }
  | { readonly type: "closed"; readonly id: number }
  | { readonly type: "error"; readonly id: number; readonly error: SctpError };

/** Channel-level counters. */
export interface DataChannelCounters {
  channelsOpened: number;
  channelsClosed: number;
  /** DCEP messages that did not parse. */
  droppedDcep: number;
  /** User messages on a stream with no open channel. */
  droppedNoChannel: number;
  /** Messages with a PPID data channels do not use. */
  droppedPpid: number;
  /** DATA_CHANNEL_OPEN for a stream already in use. */
  droppedOpenInUse: number;
}
