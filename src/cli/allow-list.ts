/**
 * `--allow JID` (repeatable) and `--allow-anyone` for the commands that accept sessions
 * (`answer`, `receive`). XEP-0176 §10: candidates reveal our addresses, so answering anyone must
 * be a decision: one of the two is required, and they exclude each other.
 */
import { bareJid } from "../jingle/dispatch.js";
import { normalizeJid } from "../plugin/jid.js";
import { UsageError } from "./errors.js";

/** Whom a command accepts sessions from. */
export interface AllowList {
  /** Normalized bare or full JIDs; empty with `allowAnyone`. */
  readonly allow: readonly string[];
  readonly allowAnyone: boolean;
}

/**
 * The allow list from parsed `--allow` / `--allow-anyone` values.
 * @throws {UsageError} for a value that is not a JID, neither option, or both.
 */
export function parseAllowList(values: Record<string, unknown>, command: string): AllowList {
  const allowAnyone = values["allow-anyone"] as boolean;
  const allow = (values["allow"] as string[]).map((jid) => {
    const normalized = normalizeJid(jid);
    if (normalized === undefined) throw new UsageError(`--allow takes a JID, not '${jid}'`);
    return normalized;
  });
  if (allow.length === 0 && !allowAnyone)
    throw new UsageError(`${command} needs --allow JID (repeatable) or --allow-anyone`);
  if (allow.length > 0 && allowAnyone)
    throw new UsageError("--allow and --allow-anyone exclude each other");
  return { allow, allowAnyone };
}

/** Whether `peer` (a normalized full JID) is on the list, by full or bare JID. */
export function isAllowed(list: AllowList, peer: string): boolean {
  return list.allowAnyone || list.allow.some((jid) => peer === jid || bareJid(peer) === jid);
}
