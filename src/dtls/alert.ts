/**
 * Alert messages (RFC 5246 §7.2): a level and a description, two bytes.
 * @module
 */
import { Reader } from "./bytes-io.js";

/** A decoded alert. */
export interface Alert {
  readonly level: number;
  readonly description: number;
}

export function decodeAlert(plaintext: Uint8Array): Alert {
  const r = new Reader(plaintext, "alert");
  const alert = { level: r.u8(), description: r.u8() };
  r.end_();
  return alert;
}

export function encodeAlert(level: number, description: number): Uint8Array {
  return new Uint8Array([level, description]);
}
