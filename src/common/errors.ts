/**
 * The base class of every error this package throws or reports. Each subclass sets a distinct
 * `name` (match on `err.name` or `instanceof`), and wraps what caused it in the standard
 * `cause` (ES2022), so no failure is ever reduced to a string.
 */
export class JingleIceError extends Error {
  override name = "JingleIceError";

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
