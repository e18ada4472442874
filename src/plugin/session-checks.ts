/**
 * Two judgements a {@link JingleSession} makes about its peer and its path, kept apart from the
 * session's flow: whether a session-accept fits our offer (XEP-0166 §6.4, XEP-0320), and when
 * ICE has a pair or has failed.
 */
import { securityMismatch } from "../jingle/dtls-setup.js";
import type { Content, Reason } from "../jingle/model.js";
import { namespaceOf } from "../jingle/xml.js";
import type { IceConnection } from "../node/ice-connection.js";
import { JingleSessionError } from "./session-error.js";
import type { SessionSecurity } from "./security.js";

/**
 * The reason to end the session with when the peer's answer does not fit our offer: another
 * application than we offered (XEP-0166 §6.4: `failed-application`), or a security setting
 * that does not match ours (XEP-0320: `security-error`) — unless the responder's fingerprint
 * came already, in a transport-info (XEP-0320 §1). Undefined when the answer is fine.
 */
export function answerProblem(
  content: Content | undefined,
  application: string,
  security: SessionSecurity | undefined,
): Reason | undefined {
  const description = content?.description;
  if (description !== undefined && namespaceOf(description) !== application) {
    const ns = namespaceOf(description) ?? "no namespace";
    return { condition: "failed-application", text: `answered with ${ns}` };
  }
  if (security?.remoteFingerprint !== undefined) return undefined;
  const transport = content?.transport?.kind === "ice-udp" ? content.transport : undefined;
  return securityMismatch(security !== undefined, transport);
}

/**
 * Resolves when ICE selects a pair; rejects when ICE fails, and then (also after the channel
 * opened: the path is gone, consent expired, RFC 7675) calls `failed`.
 */
export function whenSelected(connection: IceConnection, failed: () => void): Promise<void> {
  const selected = new Promise<void>((resolve, reject) => {
    connection.once("selected-pair", () => resolve());
    connection.on("agent-state", (state) => {
      if (state !== "failed") return;
      reject(new JingleSessionError("ICE failed: no candidate pair works", "connectivity-error"));
      failed();
    });
  });
  // Observed now so that a failure while signalling (which rejects the session's set-up first)
  // is not left as an unhandled rejection; the caller's `await` still sees it.
  selected.catch(() => undefined);
  return selected;
}

/** Calls `abort` when `signal` aborts (in a microtask if it has already). */
export function onAbort(signal: AbortSignal | undefined, abort: () => void): void {
  if (signal === undefined) return;
  if (signal.aborted) queueMicrotask(abort);
  else signal.addEventListener("abort", abort, { once: true });
}

/**
 * A promise that never resolves and rejects, with a {@link JingleSessionError} saying why, once
 * `session` emits `terminated`: what every set-up step races against.
 */
export function rejectOnEnd(session: {
  once(event: "terminated", listener: (reason: Reason) => void): unknown;
}): Promise<never> {
  const ended = new Promise<never>((_, reject) =>
    session.once("terminated", (reason) => {
      const text = reason.text === undefined ? "" : ` (${reason.text})`;
      reject(new JingleSessionError(`session ended: ${reason.condition}${text}`, reason.condition));
    }),
  );
  ended.catch(() => undefined);
  return ended;
}
