// Two in-memory datagram transports joined back to back: what one sends, the other emits as a
// `message` on a later turn of the event loop (setImmediate), like a socket would. Optional
// seeded loss. Used by the SctpAssociation tests and bench/sctp.ts.
import { EventEmitter } from "node:events";
import { seededRng } from "../../src/common/rng.js";
import { uniform } from "../sim/random.js";

/** One end of the pair. */
export class MemoryTransport extends EventEmitter<{ message: [data: Uint8Array]; close: [] }> {
  peer: MemoryTransport | undefined;
  closed = false;
  sent = 0;
  lost = 0;

  constructor(private readonly loss: () => boolean) {
    super();
  }

  send(data: Uint8Array): boolean {
    const peer = this.peer;
    if (this.closed || peer === undefined) return false;
    this.sent++;
    if (this.loss()) {
      this.lost++;
      return true;
    }
    const copy = data.slice();
    setImmediate(() => {
      if (!peer.closed) peer.emit("message", copy);
    });
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit("close");
  }
}

/** Two connected transports; `loss` is the probability each datagram is dropped. */
export function memoryTransportPair(loss = 0, seed = 1): [MemoryTransport, MemoryTransport] {
  const rng = seededRng(seed);
  const drop = (): boolean => loss > 0 && uniform(rng) < loss;
  const a = new MemoryTransport(drop);
  const b = new MemoryTransport(drop);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
