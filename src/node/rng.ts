import { randomFillSync } from "node:crypto";
import type { Rng } from "../common/rng.js";

/** The production {@link Rng}: the operating system's CSPRNG through `node:crypto`. */
export const cryptoRng: Rng = {
  fill(target: Uint8Array): void {
    randomFillSync(target);
  },
};
