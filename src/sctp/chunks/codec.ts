/** The shape of one chunk type's codec; `chunk-codec.ts` holds the table of them. */

/** Encodes and decodes the body (everything after the 4-byte chunk header) of one chunk type. */
export interface BodyCodec<C> {
  /** The chunk flags byte. */
  flags(chunk: C): number;
  /** The body's length in bytes, without the final padding. */
  bodyLength(chunk: C): number;
  /** Writes the body at `offset` of a zero-filled `target`. */
  write(chunk: C, target: Uint8Array, offset: number): void;
  /**
   * Decodes a body (a view, padding excluded).
   * @throws {SctpDecodeError} when the body does not follow the chunk's layout.
   */
  decode(type: number, flags: number, body: Uint8Array): C;
}
