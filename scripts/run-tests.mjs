#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx) under c8 for
// coverage. Node 20's `--test` does not expand globs, so the files are listed here.
// Usage: node scripts/run-tests.mjs [--no-coverage] [path-substring ...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const coverage = !args.includes("--no-coverage");
const filters = args.filter((a) => !a.startsWith("--"));

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const files = collect(join(root, "test")).filter(
  (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
);
if (files.length === 0) {
  console.error("run-tests: no test files matched");
  process.exit(1);
}

const node = [process.execPath, "--import", "tsx", "--test", "--test-concurrency=2", ...files];
const command = coverage
  ? [
      process.execPath,
      join(root, "node_modules/c8/bin/c8.js"),
      "--reporter=text-summary",
      "--reporter=lcov",
      "--include=src/**",
      "--exclude-after-remap",
      ...node,
    ]
  : node;
const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
