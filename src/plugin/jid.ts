/**
 * JIDs as the plugin compares and stores them: normalized by `@xmpp/jid` (local part and domain
 * lower-cased, resource kept — close to RFC 7622 §3.2–3.4 for the JIDs bots meet), so that
 * `Bob@Example.org/Res` and `bob@example.org/Res` are the same peer.
 */
import { jid } from "@xmpp/jid";

/** `value` normalized, or `undefined` when it is not a JID. */
export function normalizeJid(value: string): string | undefined {
  try {
    return jid(value).toString();
  } catch {
    return undefined;
  }
}

/** Whether two JIDs are the same once normalized (false when either is not a JID). */
export function sameJid(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const na = normalizeJid(a);
  return na !== undefined && na === normalizeJid(b);
}
