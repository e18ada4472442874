// Every XMPP server the tests can start, by kind, so that e2e tests can run the same assertions
// through each (`for (const kind of XMPP_SERVER_KINDS)`).
import { requireEjabberd, startEjabberd } from "./ejabberd.js";
import { requireProsody, startProsody } from "./prosody.js";
import type { XmppServer, XmppServerKind, XmppServerOptions } from "./xmpp-server.js";

export type { XmppServer, XmppServerKind, XmppServerOptions };

/** The servers e2e tests run against: Prosody 0.12 and ejabberd 23.01 (Debian 12). */
export const XMPP_SERVER_KINDS: readonly XmppServerKind[] = ["prosody", "ejabberd"];

/** Starts a throwaway server of `kind` (see prosody.ts and ejabberd.ts). */
export function startXmppServer(
  kind: XmppServerKind,
  options: XmppServerOptions = {},
): Promise<XmppServer> {
  return kind === "prosody" ? startProsody(options) : startEjabberd(options);
}

/** Throws a clear error, saying how to install it, when `kind` cannot run here. */
export function requireXmppServer(kind: XmppServerKind): Promise<void> {
  return kind === "prosody" ? requireProsody() : requireEjabberd();
}
