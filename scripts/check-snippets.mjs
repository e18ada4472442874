#!/usr/bin/env node
// Type-checks every ```ts block of README.md and docs/*.md against the package as a user gets
// it: each block becomes a file under .tmp/snippets/ that imports "jingle-ice" (resolved through
// package.json "exports" to dist/, so run `npm run build` first), and tsc checks them all with
// the project's strict settings. A block whose first line is `// not type-checked: <reason>` is
// skipped. Exits non-zero, naming the file and line of each error, when a snippet has drifted.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, ".tmp/snippets");
const sources = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const origins = new Map();
let count = 0;
for (const source of sources) {
  const lines = readFileSync(join(root, source), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    const body = lines.slice(start, end);
    i = end;
    if (body[0]?.startsWith("// not type-checked:")) continue;
    const name = `${source.replace(/[/.]/g, "_")}_${start + 1}.ts`;
    // `export {}` makes each snippet a module of its own (top-level await, no shared names).
    writeFileSync(join(out, name), `${body.join("\n")}\nexport {};\n`);
    origins.set(name, { source, line: start + 1 });
    count++;
  }
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../tsconfig.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false },
    include: ["*.ts"],
  }),
);
const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", join(out, "tsconfig.json")],
  { encoding: "utf8" },
);
// Point each error back at the Markdown file and line it came from.
const report = (tsc.stdout + tsc.stderr).replace(
  /(?:\.tmp\/snippets\/)?([\w-]+\.ts)\((\d+),(\d+)\)/g,
  (all, file, line, column) => {
    const origin = origins.get(file);
    return origin ? `${origin.source}:${origin.line + Number(line) - 1}:${column}` : all;
  },
);
if (tsc.status !== 0) {
  process.stderr.write(report);
  console.error(`check-snippets: ${count} snippets, type errors above`);
  process.exit(1);
}
console.log(
  `check-snippets: ${count} snippets from ${sources.length} files type-check (${relative(root, out)})`,
);
