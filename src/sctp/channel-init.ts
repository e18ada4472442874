/**
 * Checks a W3C-style `RTCDataChannelInit` and turns it into the channel's description: the two
 * reliability limits are exclusive (RFC 8831 §6.1 has one reliability parameter), a negotiated
 * channel needs its id, ids stay below 65535 (reserved, RFC 8832 §6), and label and protocol
 * must fit a DATA_CHANNEL_OPEN (§5.1).
 */
import type { ChannelInfo, ChannelInit } from "./data-channel-types.js";
import { ChannelPriority, encodeOpen } from "./dcep.js";
import { SctpError } from "./errors.js";

/** The largest stream id a channel may use (65535 is reserved, RFC 8832 §6). */
export const MAX_STREAM_ID = 65534;

/**
 * The description of a new channel on stream `id` (from `init.id`, else `pickId()`).
 * @throws {SctpError} `invalid-argument` for both reliability limits, a limit that is not a
 * 32-bit count, a negotiated channel without id or an over-long label; `invalid-stream` for an
 * id out of range.
 */
export function describeChannel(
  label: string,
  init: ChannelInit,
  pickId: () => number,
): ChannelInfo {
  if (init.maxRetransmits !== undefined && init.maxPacketLifeTime !== undefined) {
    throw new SctpError("invalid-argument", "maxRetransmits and maxPacketLifeTime are exclusive");
  }
  for (const [name, value] of [
    ["maxRetransmits", init.maxRetransmits],
    ["maxPacketLifeTime", init.maxPacketLifeTime],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
      throw new SctpError("invalid-argument", `${name} must be an integer in 0–4294967295`);
    }
  }
  const negotiated = init.negotiated ?? false;
  if (negotiated && init.id === undefined) {
    throw new SctpError("invalid-argument", "a negotiated channel needs an id");
  }
  const id = init.id ?? pickId();
  if (!Number.isInteger(id) || id < 0 || id > MAX_STREAM_ID) {
    throw new SctpError("invalid-stream", `stream id ${id} is outside 0–${MAX_STREAM_ID}`);
  }
  const info: ChannelInfo = {
    id,
    label,
    protocol: init.protocol ?? "",
    ordered: init.ordered ?? true,
    maxRetransmits: init.maxRetransmits,
    maxPacketLifeTime: init.maxPacketLifeTime,
    negotiated,
    priority: init.priority ?? ChannelPriority.NORMAL,
    readyState: "connecting",
  };
  // Fails early on a label or protocol that cannot be encoded.
  if (!negotiated) encodeOpen(info);
  return info;
}
