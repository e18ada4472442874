/**
 * Long-term credentials for a TURN client (RFC 8489 §9.2): learning REALM and NONCE from a 401,
 * choosing the password algorithm (MD5, or SHA-256 when the server offers it in
 * PASSWORD-ALGORITHMS, §9.2.4–9.2.5), following nonce changes (438 Stale Nonce), and signing
 * requests.
 */
import { attr, type PasswordAlgorithmValue, type StunAttribute } from "../stun/attribute-types.js";
import { PasswordAlgorithmCode } from "../stun/constants.js";
import { longTermKey, type PasswordAlgorithm } from "../stun/credentials.js";
import {
  encodeStunMessage,
  getAttribute,
  type DecodedStunMessage,
  type StunMessage,
} from "../stun/message.js";
import { verifyMessageIntegrity, verifyMessageIntegritySha256 } from "../stun/verify.js";

/** What the server told us in its last 401 or 438. */
interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: PasswordAlgorithm;
  /** PASSWORD-ALGORITHMS as the server sent it, echoed back (RFC 8489 §9.2.4). */
  readonly offered: readonly PasswordAlgorithmValue[] | undefined;
  readonly key: Uint8Array;
}

/** The client's side of the long-term credential mechanism. */
export class LongTermCredentials {
  private challenge: Challenge | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** True once a 401 gave us a realm and nonce. */
  get ready(): boolean {
    return this.challenge !== undefined;
  }

  /** The realm the server uses, once known. */
  get realm(): string | undefined {
    return this.challenge?.realm;
  }

  /**
   * Learns from a 401 or 438 response (RFC 8489 §9.2.5). Returns false when the response lacks
   * what the mechanism needs (REALM and NONCE), which makes it a plain failure.
   */
  learn(response: DecodedStunMessage): boolean {
    const realm = getAttribute(response, "REALM") ?? this.challenge?.realm;
    const nonce = getAttribute(response, "NONCE");
    if (realm === undefined || nonce === undefined) return false;
    const offered = getAttribute(response, "PASSWORD-ALGORITHMS");
    const sha256 = offered?.some((a) => a.algorithm === PasswordAlgorithmCode["SHA-256"]) === true;
    const algorithm: PasswordAlgorithm = sha256 ? "SHA-256" : "MD5";
    const sameKey = this.challenge?.realm === realm && this.challenge.algorithm === algorithm;
    this.challenge = {
      realm,
      nonce,
      algorithm,
      offered,
      key: sameKey
        ? this.challenge!.key
        : longTermKey(this.username, realm, this.password, { algorithm }),
    };
    return true;
  }

  /**
   * Encodes `message` with USERNAME, REALM, NONCE (and the password algorithm attributes when
   * SHA-256 is used) followed by MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT — or unsigned,
   * before the first 401.
   */
  sign(message: StunMessage): Uint8Array {
    const challenge = this.challenge;
    if (challenge === undefined) return encodeStunMessage(message, { fingerprint: true });
    const attributes: StunAttribute[] = [
      ...message.attributes,
      attr("USERNAME", this.username),
      attr("REALM", challenge.realm),
      attr("NONCE", challenge.nonce),
    ];
    if (challenge.offered !== undefined) {
      attributes.push(attr("PASSWORD-ALGORITHMS", challenge.offered));
      attributes.push(
        attr("PASSWORD-ALGORITHM", {
          algorithm: PasswordAlgorithmCode[challenge.algorithm],
          parameters: new Uint8Array(0),
        }),
      );
    }
    const signed = { ...message, attributes };
    return challenge.algorithm === "SHA-256"
      ? encodeStunMessage(signed, { messageIntegritySha256: challenge.key, fingerprint: true })
      : encodeStunMessage(signed, { messageIntegrity: challenge.key, fingerprint: true });
  }

  /**
   * True when `response` may be trusted (RFC 8489 §9.2.5): its integrity verifies with our key;
   * or it carries none and either the request was not signed or it is an error response (a 401
   * or 438 usually comes unsigned). A success without integrity for a signed request is refused.
   */
  verify(response: DecodedStunMessage, requestWasSigned: boolean): boolean {
    const challenge = this.challenge;
    if (response.messageIntegrity === undefined && response.messageIntegritySha256 === undefined) {
      return !requestWasSigned || response.class === "error";
    }
    if (challenge === undefined) return false;
    if (response.messageIntegritySha256 !== undefined) {
      return verifyMessageIntegritySha256(response, challenge.key);
    }
    return verifyMessageIntegrity(response, challenge.key);
  }
}
