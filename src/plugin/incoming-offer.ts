/**
 * The last step of an incoming session before the application sees it (docs/plugin.md): the
 * policy hook, then the `incoming` event — or a decline. Kept out of `jingle-ice.ts`.
 */
import type { Offer } from "../jingle/application.js";
import type { Reason } from "../jingle/model.js";
import type { JingleIceOptions } from "./options.js";
import { reportable } from "./session-error.js";
import type { JingleSession } from "./session.js";

/** What {@link offerSession} needs from the plugin. */
export interface OfferHost {
  readonly policy: JingleIceOptions["policy"];
  readonly report: (error: Error) => void;
  /** Emits `refused`. */
  readonly refused: (offer: { peer: string; sid: string; reason: Reason }) => void;
  /** Emits `incoming`; false when nobody listens. May throw (a listener's error). */
  readonly incoming: (session: JingleSession) => boolean;
}

/** Runs the policy on an acknowledged, servable session-initiate, then offers it. */
export async function offerSession(
  host: OfferHost,
  session: JingleSession,
  offer: Offer,
): Promise<void> {
  let allowed: boolean;
  try {
    allowed =
      host.policy === undefined
        ? true
        : await host.policy(session.peer, {
            application: offer.application,
            description: offer.description,
            sid: session.sid,
          });
  } catch (error) {
    host.report(reportable(error, "policy failed"));
    await session.terminate("general-error", "policy failed");
    return;
  }
  if (!allowed) {
    host.refused({ peer: session.peer, sid: session.sid, reason: { condition: "decline" } });
    await session.terminate("decline");
    return;
  }
  try {
    if (!host.incoming(session)) await session.terminate("decline", "not accepting sessions");
  } catch (error) {
    host.report(reportable(error, "incoming listener failed"));
    if (session.state === "pending") await session.terminate("general-error");
  }
}
