import { createHash } from "node:crypto";
import { saslprep } from "@mongodb-js/saslprep";
import { utf8Encode } from "../common/bytes.js";
import { StunCredentialError } from "./errors.js";

/** Key derivation algorithm for long-term credentials (RFC 8489 §18.5). */
export type PasswordAlgorithm = "MD5" | "SHA-256";

/**
 * How a password (and, for `"opaque-string"`, the realm) is prepared before hashing.
 *
 * - `"saslprep"` — RFC 4013 SASLprep, as RFC 5389 specified and as the published test vectors
 *   (RFC 5769 §2.4, RFC 8489 Appendix B.1: "TheMatrIX") are computed. The default.
 * - `"opaque-string"` — the PRECIS OpaqueString profile that RFC 8489 §9.2.2 names (RFC 8265
 *   §4.2): non-ASCII spaces mapped to U+0020, NFC, FreeformClass code points only. The class
 *   check uses Unicode property escapes (see README, "Scope and deviations").
 * - `"none"` — the UTF-8 bytes as given, which is what many TURN servers actually compare.
 *
 * For ASCII passwords without control characters — every ICE password, and nearly every TURN
 * password — all three give the same key.
 */
export type StringPreparation = "saslprep" | "opaque-string" | "none";

const nonAsciiSpace = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;
const freeformDisallowed =
  /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;

/**
 * Prepares `value` with `profile`.
 * @throws {StunCredentialError} when the profile rejects the string.
 */
export function prepareString(value: string, profile: StringPreparation): string {
  if (profile === "none") return value;
  if (profile === "saslprep") {
    try {
      return saslprep(value);
    } catch (error) {
      throw new StunCredentialError(`SASLprep rejects the string: ${(error as Error).message}`);
    }
  }
  // RFC 8265 §4.2.1: additional mapping, then normalization form C.
  const prepared = value.replace(nonAsciiSpace, " ").normalize("NFC");
  if (prepared.length === 0) throw new StunCredentialError("OpaqueString: empty string");
  const bad = freeformDisallowed.exec(prepared);
  if (bad !== null) {
    const point = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new StunCredentialError(
      `OpaqueString: U+${point} is not allowed (RFC 8264 FreeformClass)`,
    );
  }
  return prepared;
}

/**
 * Short-term credential key (RFC 8489 §9.1.1): the prepared password's UTF-8 bytes. ICE
 * (RFC 8445 §7.2.2) uses the peer's `pwd`.
 */
export function shortTermKey(
  password: string,
  preparation: StringPreparation = "saslprep",
): Uint8Array {
  return utf8Encode(prepareString(password, preparation));
}

/** Options for {@link longTermKey}. */
export interface LongTermKeyOptions {
  /** @default "MD5" */
  readonly algorithm?: PasswordAlgorithm;
  /** @default "saslprep" */
  readonly preparation?: StringPreparation;
}

/**
 * Long-term credential key (RFC 8489 §9.2.2): MD5 or SHA-256 of
 * `username ":" realm ":" password`, with the password (and, for OpaqueString, the realm)
 * prepared first.
 */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  options: LongTermKeyOptions = {},
): Uint8Array {
  const preparation = options.preparation ?? "saslprep";
  const preparedRealm = preparation === "opaque-string" ? prepareString(realm, preparation) : realm;
  const input = `${username}:${preparedRealm}:${prepareString(password, preparation)}`;
  const algorithm = (options.algorithm ?? "MD5") === "MD5" ? "md5" : "sha256";
  return new Uint8Array(createHash(algorithm).update(input, "utf8").digest());
}

/**
 * USERHASH value (RFC 8489 §14.4): SHA-256 of `OpaqueString(username) ":" OpaqueString(realm)`.
 */
export function userHash(
  username: string,
  realm: string,
  preparation: StringPreparation = "opaque-string",
): Uint8Array {
  const input = `${prepareString(username, preparation)}:${prepareString(realm, preparation)}`;
  return new Uint8Array(createHash("sha256").update(input, "utf8").digest());
}
