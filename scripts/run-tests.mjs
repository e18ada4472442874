#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx) under c8 for
// coverage. Node 20's `--test` does not expand globs, so the files are listed here.
//
// Two phases: the in-process tests (codecs, simulator, agent, plugin) run two files at a time;
// the tests that start real processes and servers (interop peers, coturn, Prosody, namespaces,
// CLI processes) run one file at a time, so that on a 2-core machine their timeouts measure
// the software, not the contention. The last line sums both phases: "tests: N passed, M failed".
//
// Usage: node scripts/run-tests.mjs [--no-coverage] [--unit] [path-substring ...]
//   --unit: only the in-process phase — everything that needs nothing but Node (no root, no
//   Prosody, ejabberd, coturn, libnice, aioice, OpenSSL, namespaces): `npm run test:unit`.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const coverage = !args.includes("--no-coverage");
const unitOnly = args.includes("--unit");
const filters = args.filter((a) => !a.startsWith("--"));

if (coverage) {
  // Re-run this script under c8; coverage follows the child processes through NODE_V8_COVERAGE.
  const c8 = [
    join(root, "node_modules/c8/bin/c8.js"),
    "--reporter=text-summary",
    "--reporter=lcov",
    "--include=src/**",
    "--exclude-after-remap",
    process.execPath,
    fileURLToPath(import.meta.url),
    "--no-coverage",
    ...(unitOnly ? ["--unit"] : []),
    ...filters,
  ];
  const child = spawn(process.execPath, c8, { cwd: root, stdio: "inherit" });
  child.on("close", (code) => process.exit(code ?? 1));
} else {
  await runPhases();
}

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

async function runPhases() {
  const files = collect(join(root, "test")).filter(
    (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
  );
  if (files.length === 0) {
    console.error("run-tests: no test files matched");
    process.exit(1);
  }
  const heavy = /^test\/(interop|e2e|node|cli|support)\//;
  const phases = [
    { files: files.filter((f) => !heavy.test(f)), concurrency: 2 },
    { files: unitOnly ? [] : files.filter((f) => heavy.test(f)), concurrency: 1 },
  ].filter((p) => p.files.length > 0);
  let passed = 0;
  let failed = 0;
  let status = 0;
  for (const phase of phases) {
    const result = await runNodeTest(phase.files, phase.concurrency);
    passed += result.passed;
    failed += result.failed;
    if (result.code !== 0) status = result.code ?? 1;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(status !== 0 || failed > 0 ? status || 1 : 0);
}

function runNodeTest(files, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...files],
      { cwd: root, stdio: ["inherit", "pipe", "inherit"] },
    );
    let tail = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on("close", (code) => {
      const passed = Number(/^# pass (\d+)$/m.exec(tail)?.[1] ?? 0);
      const failed = Number(/^# fail (\d+)$/m.exec(tail)?.[1] ?? 0);
      resolve({ code, passed, failed });
    });
  });
}
