/**
 * The TLS 1.2 pseudo-random function and everything derived with it: the extended master secret
 * (RFC 7627 §4), the key block (RFC 5246 §6.3), Finished (§7.4.9) and exported keying material
 * (RFC 5705 §4), e.g. for DTLS-SRTP (RFC 5764 §4.2).
 * @module
 */
import { createHmac } from "node:crypto";
import { concatBytes, utf8Encode } from "../common/bytes.js";

/** The hash of the suite's PRF. */
export type PrfHash = "sha256" | "sha384";

/**
 * P_hash(secret, seed) of RFC 5246 §5, cut to `length` bytes:
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …
 */
export function pHash(
  hash: PrfHash,
  secret: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = seed;
  let filled = 0;
  while (filled < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const n = Math.min(block.length, length - filled);
    out.set(block.subarray(0, n), filled);
    filled += n;
  }
  return out;
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 §5). */
export function prf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  return pHash(hash, secret, concatBytes([utf8Encode(label), seed]), length);
}

/**
 * The extended master secret (RFC 7627 §4): PRF(pre_master_secret, "extended master secret",
 * session_hash)[0..47], where session_hash is the hash of the handshake up to and including
 * ClientKeyExchange.
 */
export function extendedMasterSecret(
  hash: PrfHash,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(hash, preMasterSecret, "extended master secret", sessionHash, 48);
}

/** The write keys and implicit nonces of an AEAD suite (RFC 5246 §6.3, RFC 5288 §3). */
export interface KeyBlock {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random), partitioned
 * into client and server keys then client and server IVs (no MAC keys for AEAD suites).
 */
export function keyExpansion(
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength: number,
): KeyBlock {
  const block = prf(
    hash,
    masterSecret,
    "key expansion",
    concatBytes([serverRandom, clientRandom]),
    2 * keyLength + 2 * ivLength,
  );
  let o = 0;
  const take = (n: number): Uint8Array => block.slice(o, (o += n));
  return {
    clientWriteKey: take(keyLength),
    serverWriteKey: take(keyLength),
    clientWriteIv: take(ivLength),
    serverWriteIv: take(ivLength),
  };
}

/** verify_data of a Finished message (RFC 5246 §7.4.9): 12 bytes. */
export function finishedVerifyData(
  hash: PrfHash,
  masterSecret: Uint8Array,
  sender: "client" | "server",
  handshakeHash: Uint8Array,
): Uint8Array {
  return prf(hash, masterSecret, `${sender} finished`, handshakeHash, 12);
}

/**
 * Keying material exporter (RFC 5705 §4): PRF(master_secret, label, client_random +
 * server_random [+ context_length + context])[0..length-1]. Without `context` no length is
 * added (the form DTLS-SRTP uses, RFC 5764 §4.2).
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  const parts = [clientRandom, serverRandom];
  if (context !== undefined) {
    if (context.length > 0xffff) throw new RangeError("exporter context longer than 65535 bytes");
    parts.push(new Uint8Array([context.length >>> 8, context.length]), context);
  }
  return prf(hash, masterSecret, label, concatBytes(parts), length);
}
