/**
 * ClientHello (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2), ServerHello (RFC 5246 §7.4.1.3) and
 * HelloVerifyRequest (RFC 6347 §4.2.1) bodies.
 * @module
 */
import { Reader, Writer } from "./bytes-io.js";
import { decodeExtensions, encodeExtensions, u16List, type HelloExtensions } from "./extensions.js";

/** A ClientHello body. */
export interface ClientHello {
  readonly version: number;
  /** 32 bytes. */
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  /** `opaque cookie<0..2^8-1>` (RFC 6347 §4.2.1). */
  readonly cookie: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: readonly number[];
  readonly extensions: HelloExtensions;
}

/** A ServerHello body. */
export interface ServerHello {
  readonly version: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: HelloExtensions;
}

/** A HelloVerifyRequest body. */
export interface HelloVerifyRequest {
  readonly version: number;
  readonly cookie: Uint8Array;
}

export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body, "client-hello");
  const version = r.u16();
  const random = r.bytesCopy(32);
  const sessionId = r.vector8();
  if (sessionId.length > 32) r.fail("session_id longer than 32 bytes");
  const cookie = r.vector8();
  const suites = r.sub(r.u16(), "client-hello/cipher_suites");
  const cipherSuites = u16List(suites);
  if (cipherSuites.length === 0) r.fail("no cipher suite");
  const compressionMethods = [...r.vector8()];
  if (compressionMethods.length === 0) r.fail("no compression method");
  const extensions = decodeExtensions(r);
  r.end_();
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions };
}

export function encodeClientHello(h: ClientHello): Uint8Array {
  const w = new Writer(256).u16(h.version).bytes(h.random);
  w.vector(1, (x) => x.bytes(h.sessionId)).vector(1, (x) => x.bytes(h.cookie));
  w.vector(2, (x) => h.cipherSuites.forEach((s) => x.u16(s)));
  w.vector(1, (x) => h.compressionMethods.forEach((m) => x.u8(m)));
  encodeExtensions(w, h.extensions);
  return w.finish();
}

export function decodeServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body, "server-hello");
  const version = r.u16();
  const random = r.bytesCopy(32);
  const sessionId = r.vector8();
  if (sessionId.length > 32) r.fail("session_id longer than 32 bytes");
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  const extensions = decodeExtensions(r);
  r.end_();
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}

export function encodeServerHello(h: ServerHello): Uint8Array {
  const w = new Writer(128).u16(h.version).bytes(h.random);
  w.vector(1, (x) => x.bytes(h.sessionId))
    .u16(h.cipherSuite)
    .u8(h.compressionMethod);
  encodeExtensions(w, h.extensions);
  return w.finish();
}

export function decodeHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest {
  const r = new Reader(body, "hello-verify-request");
  const version = r.u16();
  const cookie = r.vector8();
  if (cookie.length > 255) r.fail("cookie too long");
  r.end_();
  return { version, cookie };
}

export function encodeHelloVerifyRequest(h: HelloVerifyRequest): Uint8Array {
  return new Writer(40)
    .u16(h.version)
    .vector(1, (x) => x.bytes(h.cookie))
    .finish();
}
