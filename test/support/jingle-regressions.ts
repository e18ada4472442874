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
  const head = JSON.stringify({ sender: violation.sender, found: violation.message });
  const body = `${head.slice(0, -1)},"stanza":${treeJson(violation.input)}}`;
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

/** JSON of a tree, iteratively (JSON.stringify recurses, and fuzzed trees nest 20 000 deep). */
export function treeJson(tree: Tree): string {
  const out: string[] = [];
  const stack: (Tree | string | { close: true })[] = [tree];
  const separators: boolean[] = [];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top === "object" && "close" in top) {
      out.push("]}");
      separators.pop();
      continue;
    }
    if (separators.at(-1) === true) out.push(",");
    if (separators.length > 0) separators[separators.length - 1] = true;
    if (typeof top === "string") {
      out.push(JSON.stringify(top));
      continue;
    }
    out.push(
      `{"name":${JSON.stringify(top.name)},"attrs":${JSON.stringify(top.attrs)},"children":[`,
    );
    separators.push(false);
    stack.push({ close: true });
    for (let i = top.children.length - 1; i >= 0; i--) stack.push(top.children[i]!);
  }
  return out.join("");
}
