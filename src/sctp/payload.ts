/**
 * User messages of data channels and their PPIDs (RFC 8831 §6.6, §8): strings as UTF-8 with
 * PPID 51, binary with 53, empty messages as one zero byte with 56 or 57 (SCTP cannot carry an
 * empty message); the deprecated partial PPIDs 52 and 54 are still accepted on receive, joined
 * until the 51/53 message that ends them, up to the maximum message size.
 */
import { utf8Decode, utf8Encode } from "../common/bytes.js";
import { Ppid } from "./dcep.js";

const ZERO = new Uint8Array([0]);

/** The PPID and bytes that carry `data`. */
export function encodePayload(data: string | Uint8Array): { ppid: number; bytes: Uint8Array } {
  const text = typeof data === "string";
  const bytes = text ? utf8Encode(data) : data;
  if (bytes.length === 0)
    return { ppid: text ? Ppid.STRING_EMPTY : Ppid.BINARY_EMPTY, bytes: ZERO };
  return { ppid: text ? Ppid.STRING : Ppid.BINARY, bytes };
}

/** What a received user message turned into. */
export type PayloadResult =
  | { readonly kind: "message"; readonly data: string | Uint8Array }
  /** A deprecated partial message part, kept until its end arrives. */
  | { readonly kind: "partial" }
  /** Not a data channel PPID, or partial parts over the size limit. */
  | { readonly kind: "dropped" };

/** Joins the deprecated partial parts of one channel's messages. */
export class PayloadDecoder {
  private parts: Uint8Array[] = [];
  private bytes = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** Decodes a user message with `ppid` (not DCEP). */
  decode(ppid: number, data: Uint8Array): PayloadResult {
    switch (ppid) {
      case Ppid.STRING:
      case Ppid.BINARY: {
        const whole = this.join(data);
        return { kind: "message", data: ppid === Ppid.STRING ? utf8Decode(whole) : whole };
      }
      case Ppid.STRING_EMPTY:
        return { kind: "message", data: "" };
      case Ppid.BINARY_EMPTY:
        return { kind: "message", data: new Uint8Array(0) };
      case Ppid.STRING_PARTIAL:
      case Ppid.BINARY_PARTIAL:
        if (this.bytes + data.length > this.maxMessageSize) {
          this.parts = [];
          this.bytes = 0;
          return { kind: "dropped" };
        }
        this.parts.push(data);
        this.bytes += data.length;
        return { kind: "partial" };
      default:
        return { kind: "dropped" };
    }
  }

  private join(last: Uint8Array): Uint8Array {
    if (this.parts.length === 0) return last;
    const out = new Uint8Array(this.bytes + last.length);
    let offset = 0;
    for (const part of [...this.parts, last]) {
      out.set(part, offset);
      offset += part.length;
    }
    this.parts = [];
    this.bytes = 0;
    return out;
  }
}
