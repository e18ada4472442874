/**
 * The DTLS side of a session (XEP-0320): our `<fingerprint/>` for the opening stanza, the peer's
 * fingerprint and setup as they arrive, and the {@link DtlsChannel} over the ICE channel once a
 * pair is selected and the roles are known.
 */
import type { DtlsCertificate } from "../dtls/certificate.js";
import { answererRole, offererRole, pickFingerprint, type DtlsRole } from "../jingle/dtls-setup.js";
import type { DtlsFingerprint, DtlsSetup, IceUdpTransport, Reason } from "../jingle/model.js";
import { HeldDatagrams } from "./held-datagrams.js";
import { DtlsError } from "../dtls/errors.js";
import type { DatagramChannel } from "../node/datagram-channel.js";
import {
  DtlsChannel,
  type DtlsChannelTransport,
  type DtlsConnectedInfo,
} from "../node/dtls-channel.js";
import type { Fingerprint, FingerprintAlgorithm } from "../dtls/fingerprint.js";

/** What DTLS negotiated for a session, once its channel is open. */
export interface SessionSecurityInfo extends DtlsConnectedInfo {
  readonly role: DtlsRole;
}

export class SessionSecurity {
  private remote: DtlsFingerprint | undefined;
  private remoteSetup: DtlsSetup | undefined;
  private channelValue: DtlsChannel | undefined;
  /** Set once the handshake completed. */
  info: SessionSecurityInfo | undefined;

  constructor(
    readonly certificate: DtlsCertificate,
    /** Our setup: `actpass` when we offer, `active` or `passive` when we answer. */
    readonly setup: DtlsSetup,
  ) {}

  /** Our `<fingerprint/>` added to the transport of our session-initiate or session-accept. */
  decorate(transport: IceUdpTransport): IceUdpTransport {
    const { algorithm, value } = this.certificate.fingerprint;
    return { ...transport, fingerprints: [{ hash: algorithm, setup: this.setup, value }] };
  }

  /** The DTLS channel, once its handshake started. */
  get channel(): DtlsChannel | undefined {
    return this.channelValue;
  }

  /** The peer's fingerprint we will verify, once a transport of theirs brought one. */
  get remoteFingerprint(): DtlsFingerprint | undefined {
    return this.remote;
  }

  /** Takes the peer's fingerprint and setup from any transport of theirs that carries them. */
  learn(transport: IceUdpTransport): void {
    const picked = pickFingerprint(transport.fingerprints);
    if (picked === undefined) return;
    this.remote = picked;
    this.remoteSetup = transport.fingerprints?.find((f) => f.setup !== undefined)?.setup;
    this.channelValue?.setRemoteFingerprint(toFingerprint(picked));
  }

  /** Our DTLS role: from our answer's setup, or, as offerer, from the peer's answer. */
  get role(): DtlsRole {
    return this.setup === "actpass"
      ? offererRole(this.remoteSetup)
      : answererRole(this.setup === "passive" ? "passive" : "active");
  }

  /**
   * DTLS over the ICE channel once the peer's answer is in (its setup decides our role): what
   * arrives before is held for the handshake ({@link HeldDatagrams}).
   */
  async over(datagrams: DatagramChannel, answered: Promise<void>): Promise<DtlsChannel> {
    const held = new HeldDatagrams(datagrams);
    await answered;
    return this.open(held);
  }

  /**
   * Runs DTLS over `datagrams` and resolves with the encrypted channel once both Finished
   * messages verified and the certificate matched the fingerprint; rejects with the DtlsError.
   */
  async open(datagrams: DtlsChannelTransport): Promise<DtlsChannel> {
    const role = this.role;
    const channel = DtlsChannel.create(datagrams, {
      role,
      certificate: this.certificate,
      ...(this.remote !== undefined && { remoteFingerprint: toFingerprint(this.remote) }),
    });
    this.channelValue = channel;
    this.info = { ...(await channel.ready), role };
    return channel;
  }

  /** Closes the DTLS channel and the transport under it; undefined when there is none yet. */
  close(): Promise<void> | undefined {
    return this.channelValue?.close();
  }
}

/** The reason a session ends with when DTLS failed: `security-error`, saying why. */
export function securityFailure(error: unknown): Reason & { readonly text: string } {
  const text =
    error instanceof DtlsError && error.code === "fingerprint-mismatch"
      ? "DTLS: the peer's certificate does not match its fingerprint"
      : `DTLS failed: ${(error as Error).message}`;
  return { condition: "security-error", text };
}

function toFingerprint(fingerprint: DtlsFingerprint): Fingerprint {
  // pickFingerprint only returns the hashes DTLS verifies.
  return { algorithm: fingerprint.hash as FingerprintAlgorithm, value: fingerprint.value };
}
