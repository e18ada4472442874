import type { StunClass } from "./constants.js";

const classes: readonly StunClass[] = ["request", "indication", "success", "error"];
const classBits: Record<StunClass, number> = { request: 0, indication: 1, success: 2, error: 3 };

/**
 * Packs a method (12 bits) and class into the 14-bit message type (RFC 8489 §5, Figure 3:
 * M11–M7, C1, M6–M4, C0, M3–M0).
 */
export function encodeMessageType(method: number, cls: StunClass): number {
  const c = classBits[cls];
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((c & 1) << 4) |
    ((c & 2) << 7)
  );
}

/** Unpacks a 14-bit message type into method and class (RFC 8489 §5). */
export function decodeMessageType(type: number): { method: number; class: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, class: classes[c]! };
}

/** The class part of a message type, without allocating. */
export function messageClassOf(type: number): StunClass {
  return classes[((type >> 4) & 1) | ((type >> 7) & 2)]!;
}

/** The method part of a message type. */
export function messageMethodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}
