// Jingle fuzz regressions on disk: test/fuzz/regressions/jingle/<hash>.json holds the stanza
// (as a plain element tree, so that any string survives, even one XML text cannot carry) and its
// sender.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import type { OracleViolation } from "./jingle-fuzz.js";
import type { Tree } from "./jingle-mutate.js";

export const JINGLE_REGRESSIONS = new URL("../fuzz/regressions/jingle/", import.meta.url);

/** One saved input. */
export interface JingleRegression {
  readonly name: string;
  readonly sender: string;
  readonly stanza: Tree;
  /** What it broke when it was found. */
  readonly found: string;
}

/** Saves the input of `violation`; returns the file's path. */
export function saveRegression(violation: OracleViolation): string {
  mkdirSync(JINGLE_REGRESSIONS, { recursive: true });
  const body = JSON.stringify({
    sender: violation.sender,
    found: violation.message,
    stanza: violation.input,
  });
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const file = new URL(`${hash}.json`, JINGLE_REGRESSIONS);
  writeFileSync(file, `${body}\n`);
  return file.pathname;
}

/** Every saved input, by file name. */
export function loadRegressions(): JingleRegression[] {
  return readdirSync(JINGLE_REGRESSIONS)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const saved = JSON.parse(readFileSync(new URL(name, JINGLE_REGRESSIONS), "utf8")) as Omit<
        JingleRegression,
        "name"
      >;
      return { name, ...saved };
    });
}
