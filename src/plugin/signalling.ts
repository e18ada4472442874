/**
 * Faults in signalling (docs/plugin.md, "Faults"): our XMPP connection going down and coming
 * back, and a peer whose answers say it is gone. ICE and DTLS never depend on the XMPP stream:
 * while it is down the channel keeps carrying data; once it is back every session pings its
 * peer; when it stays down longer than the plugin's `offlineTimeoutMs`, the sessions end.
 */
import type { Reason } from "../jingle/model.js";

/**
 * The stanza errors by which the peer's server or the peer say that our session cannot go on:
 * `service-unavailable` (the full JID is offline, RFC 6120 §10.5.3.2) and `item-not-found` (the
 * peer does not know the session, XEP-0166 §6.6).
 */
const GONE_CONDITIONS: ReadonlySet<string> = new Set(["service-unavailable", "item-not-found"]);

/** The stanza error condition of a failed IQ, as xmpp.js reports it; undefined for others. */
export function stanzaCondition(error: unknown): string | undefined {
  const condition = (error as { readonly condition?: unknown } | null)?.condition;
  return typeof condition === "string" ? condition : undefined;
}

/**
 * The reason to end a session with when `error` (a failed IQ to the peer) says the peer is gone
 * (XEP-0166 §7.4 `gone`), else undefined: timeouts and other errors are one lost stanza.
 */
export function goneReason(error: unknown, what: string): Reason | undefined {
  const condition = stanzaCondition(error);
  if (condition === undefined || !GONE_CONDITIONS.has(condition)) return undefined;
  return { condition: "gone", text: `${what} answered with ${condition}` };
}

/** How often {@link awaitPeer} pings a peer that is not back yet, in ms. */
export const RESUME_RETRY_MS = 1_000;

/**
 * After our stream came back: pings (`ping`) until the peer answers. A bounce that says the peer
 * is gone is retried every {@link RESUME_RETRY_MS} for up to `windowMs` — its stream may come
 * back later than ours (both lost the same server) — while `active()`. Resolves undefined once
 * the peer answered, or with the `gone` reason when it never did; other failures reject.
 */
export async function awaitPeer(
  ping: () => Promise<unknown>,
  what: string,
  windowMs: number,
  active: () => boolean,
): Promise<Reason | undefined> {
  const deadline = performance.now() + windowMs;
  for (;;) {
    try {
      await ping();
      return undefined;
    } catch (error) {
      const gone = goneReason(error, what);
      if (gone === undefined) throw error;
      if (!active() || performance.now() + RESUME_RETRY_MS > deadline) return gone;
      await new Promise((resolve) => setTimeout(resolve, RESUME_RETRY_MS).unref());
    }
  }
}

/** The status events of an `@xmpp/client` instance that the watch listens to. */
export interface XmppStatusSource {
  on?(event: "online" | "disconnect", listener: () => void): unknown;
}

/** What {@link XmppLinkWatch} calls. */
export interface XmppLinkEvents {
  /** The stream is back (xmpp.js `online` after a `disconnect`). */
  readonly back: () => void;
  /** The stream has been down for `offlineTimeoutMs` ms. */
  readonly lost: (reason: Reason) => void;
}

/**
 * Watches our XMPP stream: after a `disconnect`, calls `lost` unless `online` comes within
 * `offlineTimeoutMs` ms; on an `online` that follows a `disconnect`, calls `back`. The timer is
 * unreferenced, so it never keeps a process alive.
 */
export class XmppLinkWatch {
  private timer: NodeJS.Timeout | undefined;
  private down = false;

  constructor(
    xmpp: XmppStatusSource,
    private readonly offlineTimeoutMs: number,
    private readonly events: XmppLinkEvents,
  ) {
    xmpp.on?.("disconnect", () => this.onDisconnect());
    xmpp.on?.("online", () => this.onOnline());
  }

  /** True while the stream is down. */
  get offline(): boolean {
    return this.down;
  }

  private onDisconnect(): void {
    this.down = true;
    if (this.timer !== undefined) return;
    const seconds = Math.round(this.offlineTimeoutMs / 100) / 10;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.events.lost({
        condition: "connectivity-error",
        text: `XMPP connection lost for ${seconds} s`,
      });
    }, this.offlineTimeoutMs);
    this.timer.unref();
  }

  private onOnline(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.down) return;
    this.down = false;
    this.events.back();
  }
}
