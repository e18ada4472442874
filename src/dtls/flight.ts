/**
 * Flights (RFC 6347 §4.2.4): the messages one side sends before it waits for the other, packed
 * into datagrams no larger than the path MTU (handshake messages fragmented as needed,
 * RFC 6347 §4.2.3), and the retransmission timer (§4.2.4.1) that resends them whole.
 * @module
 */
import { ContentType } from "./constants.js";
import { HANDSHAKE_HEADER_LENGTH, writeHandshakeHeader } from "./handshake-header.js";
import { RECORD_HEADER_LENGTH } from "./record.js";
import { RecordLayer } from "./record-layer.js";

/** One entry of a flight. */
export type FlightEntry =
  | {
      readonly kind: "handshake";
      readonly epoch: 0 | 1;
      /** The whole message: header (unfragmented) and body. */
      readonly message: Uint8Array;
    }
  | { readonly kind: "change-cipher-spec" };

/** The smallest MTU we accept: a ClientHello header and a useful fragment must fit. */
export const MIN_MTU = 256;

/**
 * Seals the flight's records and packs them into datagrams of at most `mtu` bytes. Each
 * transmission gets fresh record sequence numbers (RFC 6347 §4.2.4), so the caller calls this
 * again for every retransmission.
 */
export function packFlight(
  entries: readonly FlightEntry[],
  layer: RecordLayer,
  mtu: number,
): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let size = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    datagrams.push(concat(current, size));
    current = [];
    size = 0;
  };
  const add = (record: Uint8Array): void => {
    current.push(record);
    size += record.length;
  };
  for (const entry of entries) {
    if (entry.kind === "change-cipher-spec") {
      if (size + RECORD_HEADER_LENGTH + 1 > mtu) flush();
      add(layer.seal(ContentType.changeCipherSpec, 0, new Uint8Array([1])));
      continue;
    }
    const fixed =
      RECORD_HEADER_LENGTH + RecordLayer.overhead(entry.epoch) + HANDSHAKE_HEADER_LENGTH;
    const body = entry.message.subarray(HANDSHAKE_HEADER_LENGTH);
    const msgType = entry.message[0]!;
    const messageSeq = (entry.message[4]! << 8) | entry.message[5]!;
    let offset = 0;
    do {
      let room = mtu - size - fixed;
      // Start a new datagram rather than send a sliver of a message.
      if (room < Math.min(body.length - offset, 64)) {
        flush();
        room = mtu - fixed;
      }
      const length = Math.min(room, body.length - offset);
      const fragment = new Uint8Array(HANDSHAKE_HEADER_LENGTH + length);
      writeHandshakeHeader(fragment, 0, msgType, body.length, messageSeq, offset, length);
      fragment.set(body.subarray(offset, offset + length), HANDSHAKE_HEADER_LENGTH);
      add(layer.seal(ContentType.handshake, entry.epoch, fragment));
      offset += length;
    } while (offset < body.length);
  }
  flush();
  return datagrams;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Timer settings (RFC 6347 §4.2.4.1). */
export interface RetransmitTiming {
  /** @default 1000 (RFC 6347 §4.2.4.1: "an initial timer value of 1 second") */
  readonly initialMs: number;
  /** @default 60000 (RFC 6347 §4.2.4.1: "at least 60 seconds") */
  readonly maxMs: number;
}

/**
 * The flight we last sent and its retransmission timer: armed while we wait for the peer's
 * next flight, doubled at each expiry up to the maximum, stopped when the answer arrives.
 */
export class FlightTimer {
  /** The flight we would send again. */
  entries: readonly FlightEntry[] = [];
  /** When to resend, or `undefined` when we are not waiting (or sent the last flight). */
  deadline: number | undefined;
  private interval: number;

  constructor(private readonly timing: RetransmitTiming) {
    this.interval = timing.initialMs;
  }

  /** A new flight: remembered for retransmission; the timer runs when `awaitReply`. */
  sent(now: number, entries: readonly FlightEntry[], awaitReply: boolean): void {
    this.entries = entries;
    this.interval = this.timing.initialMs;
    this.deadline = awaitReply ? now + this.interval : undefined;
  }

  /** The timer expired and the flight went out again: back off (RFC 6347 §4.2.4.1). */
  backOff(now: number): void {
    this.interval = Math.min(this.interval * 2, this.timing.maxMs);
    this.deadline = now + this.interval;
  }

  /** The peer's answer arrived: no more retransmissions of this flight by timer. */
  stop(): void {
    this.deadline = undefined;
  }
}
