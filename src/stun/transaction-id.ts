import { randomBytes, type Rng } from "../common/rng.js";

/** A fresh 96-bit transaction id (RFC 8489 §5: uniformly random). */
export function createTransactionId(rng: Rng): Uint8Array {
  return randomBytes(rng, 12);
}
