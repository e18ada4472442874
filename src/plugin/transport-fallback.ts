/**
 * What a session lets an application do when its ICE-UDP transport fails: move the content to
 * another transport with transport-replace (XEP-0166 §6.9–§6.11). The file-transfer application
 * moves to In-Band Bytestreams (XEP-0261, `file-fallback.ts`); sessions without a fallback end
 * as before.
 */
import type { Jingle, Reason, ReasonCondition } from "../jingle/model.js";
import { JingleSessionError } from "./session-error.js";

/** An application's handling of transport failure and of the peer's transport-* actions. */
export interface TransportFallback {
  /**
   * The session's transport failed (ICE, DTLS or SCTP could not be set up, or set-up time ran
   * out) while the session was active. True: the fallback takes over (the session has closed
   * ICE, DTLS and SCTP and stays up); false: the session ends with `reason` as it would without
   * a fallback.
   */
  failed(reason: Reason): boolean;
  /** The peer's transport-replace, transport-accept or transport-reject (already acked). */
  handle(jingle: Jingle): void;
}

/**
 * The failures a fallback may take over. A `security-error` (a DTLS fingerprint that does not
 * match, XEP-0320) is not one of them: it may mean an attacker on the path, and moving the
 * bytes elsewhere would hide that.
 */
export const FALLBACK_CONDITIONS: ReadonlySet<ReasonCondition> = new Set([
  "connectivity-error",
  "failed-transport",
  "timeout",
]);

/**
 * A session's side of the switch: its fallback (if any), whether the content left ICE-UDP, and
 * the promise its set-up steps race against so that they stop once it has.
 */
export class TransportSwitch {
  private fallback: TransportFallback | undefined;
  private replacedValue = false;
  private onReplaced: (error: Error) => void = () => undefined;
  /** Rejects once the content left ICE-UDP. */
  readonly replacedNow: Promise<never>;

  constructor() {
    this.replacedNow = new Promise((_, reject) => (this.onReplaced = reject));
    this.replacedNow.catch(() => undefined);
  }

  set(fallback: TransportFallback): void {
    this.fallback = fallback;
  }

  /** True once the content left (or is leaving) ICE-UDP. */
  get replaced(): boolean {
    return this.replacedValue;
  }

  /** Marks the content as gone from ICE-UDP; false if it was already. */
  replace(): boolean {
    if (this.replacedValue) return false;
    this.replacedValue = true;
    this.onReplaced(new JingleSessionError("the transport was replaced", "failed-transport"));
    return true;
  }

  /**
   * Whether the fallback takes over a failure with `reason` (only for an `active` session and
   * {@link FALLBACK_CONDITIONS}); false means the session ends.
   */
  takesOver(reason: Reason, active: boolean): boolean {
    return (
      this.fallback !== undefined &&
      active &&
      FALLBACK_CONDITIONS.has(reason.condition) &&
      this.fallback.failed(reason)
    );
  }

  /** Hands the peer's transport-* action to the fallback; false when there is none. */
  handle(jingle: Jingle): boolean {
    this.fallback?.handle(jingle);
    return this.fallback !== undefined;
  }
}
