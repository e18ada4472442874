/**
 * Passwords for the CLI, never required on the command line: from a file (`--…-file`, its first
 * line), from the environment, or — discouraged, since other users can list processes — from a
 * flag.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./errors.js";

/** Where one secret may come from. */
export interface SecretSources {
  /** The value of the plain flag (e.g. `--password`). */
  readonly flag: string | undefined;
  /** The value of the file flag (e.g. `--password-file`): a path. */
  readonly file: string | undefined;
  /** The value of the environment variable (e.g. XMPP_PASSWORD). */
  readonly env: string | undefined;
  /** The file flag's name, for messages. */
  readonly fileFlag: string;
}

/**
 * The secret from the first source given: the file, then the environment, then the flag.
 * @throws {UsageError} when the file cannot be read or is empty.
 */
export function readSecret(sources: SecretSources): string | undefined {
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, "utf8");
    } catch (error) {
      throw new UsageError(`${sources.fileFlag} ${sources.file}: ${(error as Error).message}`);
    }
    const line = text.split(/\r?\n/)[0] ?? "";
    if (line === "") throw new UsageError(`${sources.fileFlag} ${sources.file}: the file is empty`);
    return line;
  }
  return sources.env || sources.flag;
}
