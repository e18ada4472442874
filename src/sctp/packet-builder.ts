/**
 * Bundles chunks into packets of at most one MTU (RFC 9260 §6.10): each chunk is written into the
 * packet being filled as it is added, and a packet is closed (checksummed and handed out) when
 * the next chunk would not fit. A single chunk larger than the MTU gets a packet of its own.
 */
import { writeU16, writeU32 } from "../common/bytes.js";
import type { Chunk } from "./chunk-types.js";
import { encodedChunkLength, writeChunk } from "./chunk-codec.js";
import { COMMON_HEADER_LENGTH, sealPacket, type PacketHeader } from "./packet.js";

/** Collects chunks and emits whole packets through `out`. */
export class PacketBuilder {
  private buffer: Uint8Array | undefined;
  private size = COMMON_HEADER_LENGTH;
  /** Packets emitted so far. */
  packets = 0;
  /** The verification tag of the packets to come. */
  verificationTag: number;

  constructor(
    private readonly header: PacketHeader,
    private readonly mtu: number,
    private readonly out: (packet: Uint8Array) => void,
  ) {
    this.verificationTag = header.verificationTag;
  }

  /** Bytes left in the packet being filled. */
  get room(): number {
    return this.mtu - this.size;
  }

  /** True when the packet being filled holds no chunk. */
  get isEmpty(): boolean {
    return this.buffer === undefined;
  }

  /** Adds a chunk, closing the current packet first when it would not fit. */
  add(chunk: Chunk): void {
    const length = encodedChunkLength(chunk);
    if (this.buffer !== undefined && this.size + length > this.mtu) this.flush();
    if (this.buffer === undefined) {
      const buffer = new Uint8Array(Math.max(this.mtu, COMMON_HEADER_LENGTH + length));
      writeU16(buffer, 0, this.header.sourcePort);
      writeU16(buffer, 2, this.header.destinationPort);
      writeU32(buffer, 4, this.verificationTag);
      this.buffer = buffer;
    }
    this.size = writeChunk(chunk, this.buffer, this.size);
  }

  /** Emits the packet being filled, if it holds anything. */
  flush(): void {
    const buffer = this.buffer;
    if (buffer === undefined) return;
    const packet = buffer.subarray(0, this.size);
    sealPacket(packet);
    this.buffer = undefined;
    this.size = COMMON_HEADER_LENGTH;
    this.packets++;
    this.out(packet);
  }
}
