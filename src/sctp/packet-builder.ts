/**
 * Bundles chunks into packets of at most one MTU (RFC 9260 §6.10): chunks are added in order and
 * a packet is closed when the next chunk would not fit.
 */
import type { Chunk } from "./chunk-types.js";
import { encodedChunkLength } from "./chunk-codec.js";
import { COMMON_HEADER_LENGTH, encodePacket, type PacketHeader } from "./packet.js";

/** Collects chunks and emits whole packets through `out`. */
export class PacketBuilder {
  private chunks: Chunk[] = [];
  private size = COMMON_HEADER_LENGTH;
  /** Packets emitted so far. */
  packets = 0;

  constructor(
    private readonly header: PacketHeader,
    private readonly mtu: number,
    private readonly out: (packet: Uint8Array) => void,
  ) {}

  /** Bytes left in the packet being filled. */
  get room(): number {
    return this.mtu - this.size;
  }

  /** True when the packet being filled holds no chunk. */
  get isEmpty(): boolean {
    return this.chunks.length === 0;
  }

  /** Adds a chunk, closing the current packet first when it would not fit. */
  add(chunk: Chunk): void {
    const length = encodedChunkLength(chunk);
    if (this.chunks.length > 0 && this.size + length > this.mtu) this.flush();
    this.chunks.push(chunk);
    this.size += length;
  }

  /** Emits the packet being filled, if it holds anything. */
  flush(): void {
    if (this.chunks.length === 0) return;
    this.out(encodePacket(this.header, this.chunks));
    this.chunks = [];
    this.size = COMMON_HEADER_LENGTH;
    this.packets++;
  }
}
