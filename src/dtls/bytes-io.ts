/**
 * A bounds-checked reader and a growable writer for the TLS presentation language (RFC 5246 §4):
 * big-endian integers and length-prefixed vectors.
 * @module
 */
import { copyBytes } from "../common/bytes.js";
import { DtlsDecodeError } from "./errors.js";

/** Reads a byte string left to right; every read past the end throws {@link DtlsDecodeError}. */
export class Reader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
    private readonly start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Where the next read starts, from the reader's start. */
  get position(): number {
    return this.offset - this.start;
  }

  private need(n: number): void {
    if (this.end - this.offset < n)
      throw new DtlsDecodeError(
        this.where,
        `needs ${n} bytes at ${this.position}, has ${this.remaining}`,
      );
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  }

  /** A 48-bit unsigned integer (DTLS record sequence numbers), exact in a double. */
  u48(): number {
    const high = this.u16();
    const low = this.u24() * 0x100 + this.u8();
    return high * 0x1_0000_0000 + low;
  }

  /** `n` bytes, copied. */
  bytesCopy(n: number): Uint8Array {
    this.need(n);
    const out = copyBytes(this.bytes, this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A sub-reader over the next `n` bytes (the parent skips them). */
  sub(n: number, where = this.where): Reader {
    this.need(n);
    const r = new Reader(this.bytes, where, this.offset, this.offset + n);
    this.offset += n;
    return r;
  }

  /** `opaque x<0..2^8-1>`. */
  vector8(): Uint8Array {
    return this.bytesCopy(this.u8());
  }

  /** `opaque x<0..2^16-1>`. */
  vector16(): Uint8Array {
    return this.bytesCopy(this.u16());
  }

  /** `opaque x<0..2^24-1>`. */
  vector24(): Uint8Array {
    return this.bytesCopy(this.u24());
  }

  /** Throws unless every byte was read (trailing garbage is a decode_error). */
  end_(): void {
    if (this.offset !== this.end)
      throw new DtlsDecodeError(this.where, `${this.remaining} trailing bytes`);
  }

  /** Throws {@link DtlsDecodeError} with `message` at this reader's place. */
  fail(message: string): never {
    throw new DtlsDecodeError(this.where, message);
  }
}

/** Builds a byte string; vectors get their length prefix when closed. */
export class Writer {
  private buf: Uint8Array;
  private length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v;
    return this;
  }

  u24(v: number): this {
    this.room(3);
    this.buf[this.length++] = v >>> 16;
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v;
    return this;
  }

  u48(v: number): this {
    return this.u16(Math.floor(v / 0x1_0000_0000))
      .u16((v >>> 16) & 0xffff)
      .u16(v & 0xffff);
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Writes `body` (built by `fill`) with a length prefix of `size` bytes. */
  vector(size: 1 | 2 | 3, fill: (w: Writer) => void): this {
    const inner = new Writer();
    fill(inner);
    const data = inner.finish();
    if (data.length >= 2 ** (8 * size)) throw new RangeError(`vector too long: ${data.length}`);
    if (size === 1) this.u8(data.length);
    else if (size === 2) this.u16(data.length);
    else this.u24(data.length);
    return this.bytes(data);
  }

  /** The bytes written (a view of the internal buffer's prefix). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
