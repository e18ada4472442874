/**
 * Ephemeral ECDH over X25519 (RFC 7748) and P-256 (RFC 8422 §5.1.1) with node:crypto. The
 * private key comes from the injected Rng, so a seeded run is reproducible.
 * @module
 */
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type ECDH,
} from "node:crypto";
import { concatBytes, fromHex } from "../common/bytes.js";
import { randomBytes, type Rng } from "../common/rng.js";
import { NamedGroup, type NamedGroupId } from "./constants.js";

/** PKCS#8 prefix of an X25519 private key (RFC 8410 §7), followed by the 32 key bytes. */
const X25519_PKCS8_PREFIX = fromHex("302e020100300506032b656e04220420");
/** SPKI prefix of an X25519 public key (RFC 8410 §4), followed by the 32 key bytes. */
const X25519_SPKI_PREFIX = fromHex("302a300506032b656e032100");

/** One side's ephemeral key pair for one group. */
export interface EphemeralKey {
  readonly group: NamedGroupId;
  /** The public value as sent: 32 bytes for X25519, an uncompressed point (65 bytes) for P-256. */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with the peer's public value (the premaster secret, RFC 8422 §5.10), or
   * `undefined` when that value is not a valid key of the group (or gives the all-zero X25519
   * result, RFC 7748 §6.1).
   */
  computeSecret(peerPublic: Uint8Array): Uint8Array | undefined;
}

/** A fresh key pair for `group`, its private part drawn from `rng`. */
export function generateEphemeralKey(group: NamedGroupId, rng: Rng): EphemeralKey {
  return group === NamedGroup.x25519 ? x25519Key(rng) : p256Key(rng);
}

function x25519Key(rng: Rng): EphemeralKey {
  const privateKey = createPrivateKey({
    key: Buffer.from(concatBytes([X25519_PKCS8_PREFIX, randomBytes(rng, 32)])),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return {
    group: NamedGroup.x25519,
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    computeSecret(peerPublic) {
      if (peerPublic.length !== 32) return undefined;
      try {
        const publicKey = createPublicKey({
          key: Buffer.from(concatBytes([X25519_SPKI_PREFIX, peerPublic])),
          format: "der",
          type: "spki",
        });
        const secret = new Uint8Array(diffieHellman({ privateKey, publicKey }));
        return secret.every((b) => b === 0) ? undefined : secret;
      } catch {
        return undefined;
      }
    },
  };
}

function p256Key(rng: Rng): EphemeralKey {
  let ecdh: ECDH | undefined;
  // A scalar of zero or ≥ n is refused by setPrivateKey: draw again (odds ~2^-32).
  while (ecdh === undefined) {
    const candidate = createECDH("prime256v1");
    try {
      candidate.setPrivateKey(randomBytes(rng, 32));
      ecdh = candidate;
    } catch {
      /* draw again */
    }
  }
  const key = ecdh;
  return {
    group: NamedGroup.secp256r1,
    publicKey: new Uint8Array(key.getPublicKey()),
    computeSecret(peerPublic) {
      // RFC 8422 §5.4.1: only the uncompressed form is used.
      if (peerPublic.length !== 65 || peerPublic[0] !== 4) return undefined;
      try {
        return new Uint8Array(key.computeSecret(peerPublic)); // throws on a point off the curve
      } catch {
        return undefined;
      }
    },
  };
}
