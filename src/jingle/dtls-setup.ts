/**
 * DTLS in Jingle (XEP-0320): who is the DTLS client, which of the peer's fingerprints to check,
 * and whether an offer or answer meets our security setting. Pure decisions; the plugin runs
 * the DTLS channel.
 */
import type { DtlsFingerprint, DtlsSetup, IceUdpTransport, Reason } from "./model.js";

/** Our DTLS role: `client` sends the ClientHello (`setup='active'`). */
export type DtlsRole = "client" | "server";

/**
 * The setup we answer an offer with (XEP-0320 §3 after RFC 5763 §5): as Dino and Conversations
 * expect, we take the client side (`active`) whenever the offer lets us — `actpass`, `passive`,
 * or no `setup` at all — and the server side (`passive`) when the offerer wants to be active.
 */
export function answerSetup(offered: DtlsSetup | undefined): "active" | "passive" {
  return offered === "active" ? "passive" : "active";
}

/**
 * Our role once the answer is known: as offerer (`actpass`) we are the server when the peer
 * answered `active`, and the client otherwise (an answer of `passive`; a peer that answered
 * `actpass` or nothing, which RFC 5763 §5 does not allow, waits for a ClientHello too).
 */
export function offererRole(answered: DtlsSetup | undefined): DtlsRole {
  return answered === "active" ? "server" : "client";
}

/** Our role as answerer, from the setup we answered with. */
export function answererRole(setup: "active" | "passive"): DtlsRole {
  return setup === "active" ? "client" : "server";
}

/** The hash functions we verify fingerprints with, strongest first (RFC 8122 §5). */
export const FINGERPRINT_HASHES = ["sha-512", "sha-384", "sha-256", "sha-1"] as const;

/** The peer's fingerprint to verify: the strongest hash we know, or undefined when none is usable. */
export function pickFingerprint(
  fingerprints: readonly DtlsFingerprint[] | undefined,
): DtlsFingerprint | undefined {
  for (const hash of FINGERPRINT_HASHES) {
    const found = fingerprints?.find((f) => f.hash === hash);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Whether the peer's transport (its offer or its answer) matches our setting: with DTLS on
 * (the default) it must carry a fingerprint we can verify; with DTLS off it must carry none — a
 * plaintext session happens only when both sides ask for it. Returns the reason to end the
 * session with (`security-error`), or undefined when all is well.
 */
export function securityMismatch(
  dtls: boolean,
  transport: IceUdpTransport | undefined,
): Reason | undefined {
  const fingerprints = transport?.fingerprints;
  if (dtls && pickFingerprint(fingerprints) === undefined) {
    return {
      condition: "security-error",
      text:
        fingerprints === undefined
          ? "DTLS is required (XEP-0320): the peer sent no fingerprint"
          : "DTLS is required (XEP-0320): no fingerprint with a hash we verify",
    };
  }
  if (!dtls && fingerprints !== undefined) {
    return {
      condition: "security-error",
      text: "this endpoint runs without DTLS; the peer asked for it",
    };
  }
  return undefined;
}
