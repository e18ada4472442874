/**
 * Where a received file goes: the peer's `<name/>` (XEP-0234 §5) is hostile input, so it is
 * cut down to a plain file name before it touches the disk, and an existing file is never
 * overwritten (docs/file-transfer.md, "Plugin").
 */
import { open } from "node:fs/promises";
import { extname, join } from "node:path";

/** The longest file name we write, in UTF-16 code units (most file systems take 255 bytes). */
export const MAX_FILE_NAME = 200;
/** How many `name (n).ext` variants are tried before giving up. */
export const MAX_NAME_ATTEMPTS = 1000;

/**
 * A safe file name from the peer's: the last path segment only (both `/` and `\`), control
 * characters and characters Windows refuses replaced by `_`, no leading dots (no hidden files,
 * no `.`/`..`), at most {@link MAX_FILE_NAME} characters (the extension kept); `file` when
 * nothing is left.
 */
export function sanitizeFileName(name: string | undefined): string {
  const last = (name ?? "").split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  let safe = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_").trim();
  safe = safe.replace(/^\.+/, "").trim();
  if (safe.length > MAX_FILE_NAME) {
    const ext = extname(safe).slice(0, 16);
    safe = safe.slice(0, MAX_FILE_NAME - ext.length) + ext;
  }
  return safe === "" ? "file" : safe;
}

/**
 * Reserves a new file for `name` in `dir` by creating it exclusively (`wx`): `name`, else
 * `base (1).ext`, `base (2).ext`… Returns its path; the caller renames the received file over
 * this placeholder (or deletes it when the transfer fails). Never overwrites an existing file.
 * @throws {Error} when no free name is found or the directory is not writable.
 */
export async function reserveFile(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const base = ext === "" || ext === name ? name : name.slice(0, -ext.length);
  for (let n = 0; n < MAX_NAME_ATTEMPTS; n++) {
    const candidate = join(dir, n === 0 ? name : `${base} (${n})${ext}`);
    try {
      await (await open(candidate, "wx")).close();
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new Error(`no free file name for ${name} in ${dir}`);
}

/** Reserves exactly `path` (exclusive create). @throws {Error} `EEXIST` when it exists. */
export async function reservePath(path: string): Promise<string> {
  await (await open(path, "wx")).close();
  return path;
}
