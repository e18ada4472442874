/**
 * XEP-0300 (Use of Cryptographic Hash Functions in XMPP) as XEP-0234 uses it: the algorithm
 * names, strict base64 for `<hash/>` values, and an incremental hash so a file is verified while
 * it streams (never buffered whole).
 */
import { createHash, type Hash } from "node:crypto";
import { FileTransferParseError } from "./file-transfer-errors.js";

/** The hashes namespace (XEP-0300 §2). */
export const NS_HASHES = "urn:xmpp:hashes:2";

/**
 * The XEP-0300 §4 algorithm names we can compute, each with its Node digest name and output
 * length in bytes. `blake2b-256` is left out: Node offers BLAKE2b with a 512-bit output only.
 */
export const HASH_ALGORITHMS = {
  "sha-1": { node: "sha1", length: 20 },
  "sha-224": { node: "sha224", length: 28 },
  "sha-256": { node: "sha256", length: 32 },
  "sha-384": { node: "sha384", length: 48 },
  "sha-512": { node: "sha512", length: 64 },
  "sha3-256": { node: "sha3-256", length: 32 },
  "sha3-512": { node: "sha3-512", length: 64 },
  "blake2b-512": { node: "blake2b512", length: 64 },
} as const;

/** An algorithm name of {@link HASH_ALGORITHMS}. */
export type HashAlgorithm = keyof typeof HASH_ALGORITHMS;

/** Tells a supported algorithm name from any other string. */
export function isHashAlgorithm(name: string | undefined): name is HashAlgorithm {
  return name !== undefined && Object.hasOwn(HASH_ALGORITHMS, name);
}

/** A hash value: what `<hash algo='…'>base64</hash>` carries. */
export interface FileHash {
  readonly algo: HashAlgorithm;
  readonly value: Uint8Array;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes strict base64 (RFC 4648 §4, padded, no line breaks; surrounding whitespace is
 * trimmed). Returns `undefined` for anything else, so callers pick their own error.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) return undefined;
  return new Uint8Array(Buffer.from(trimmed, "base64"));
}

/** Encodes bytes as padded base64 (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Decodes a `<hash/>` value of `algo`: strict base64 of exactly the algorithm's digest length.
 * @throws {FileTransferParseError} `failed-application` otherwise.
 */
export function decodeHashValue(algo: HashAlgorithm, text: string): FileHash {
  const expected = HASH_ALGORITHMS[algo].length;
  // A digest of 64 bytes is 88 base64 characters; anything much longer is not a hash.
  if (text.length > 256) throw new FileTransferParseError("failed-application", "hash too long");
  const value = decodeBase64(text);
  if (value === undefined) {
    throw new FileTransferParseError("failed-application", `${algo} hash is not base64`);
  }
  if (value.length !== expected) {
    throw new FileTransferParseError(
      "failed-application",
      `${algo} hash has ${value.length} bytes, not ${expected}`,
    );
  }
  return { algo, value };
}

/**
 * Hashes a byte stream with several algorithms at once (one pass over the data), for a receiver
 * that does not yet know which of the offered algorithms the sender's `<checksum/>` will use.
 */
export class MultiHash {
  private readonly hashes = new Map<HashAlgorithm, Hash>();
  private done: Map<HashAlgorithm, Uint8Array> | undefined;

  constructor(algorithms: Iterable<HashAlgorithm>) {
    for (const algo of algorithms) {
      if (!this.hashes.has(algo)) this.hashes.set(algo, createHash(HASH_ALGORITHMS[algo].node));
    }
  }

  /** The algorithms being computed. */
  get algorithms(): HashAlgorithm[] {
    return [...this.hashes.keys()];
  }

  /** Adds bytes. @throws {Error} after {@link digest}: a programming error. */
  update(bytes: Uint8Array): void {
    if (this.done !== undefined) throw new Error("MultiHash.update after digest");
    for (const hash of this.hashes.values()) hash.update(bytes);
  }

  /** The digests (computed once; later calls return the same values). */
  digest(): ReadonlyMap<HashAlgorithm, Uint8Array> {
    if (this.done === undefined) {
      this.done = new Map();
      for (const [algo, hash] of this.hashes) this.done.set(algo, new Uint8Array(hash.digest()));
    }
    return this.done;
  }
}
