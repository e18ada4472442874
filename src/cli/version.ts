import { readFileSync } from "node:fs";

/**
 * The package version, from its own package.json (two folders up from both `src/cli/` and
 * `dist/cli/`), so that it is written in one place only.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
