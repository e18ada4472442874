// Proves that the lint rules guarding the layers (docs/architecture.md) fire: each snippet is
// linted as if it lived in a core folder and must be reported; the same snippet in src/node/ is
// allowed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

// The snippets are virtual files, which the type-aware rules cannot see: those are switched off
// here (`npm run lint` runs them on the real tree).
const eslint = new ESLint({
  cwd: new URL("../..", import.meta.url).pathname,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/switch-exhaustiveness-check": "off",
    },
  },
});

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const violations: [string, string, string][] = [
  [
    "imports node:dgram",
    `import { createSocket } from "node:dgram";\nexport const s = createSocket;\n`,
    "no-restricted-imports",
  ],
  [
    "imports node:net",
    `import { isIP } from "node:net";\nexport const f = isIP;\n`,
    "no-restricted-imports",
  ],
  [
    "imports os",
    `import { networkInterfaces } from "os";\nexport const f = networkInterfaces;\n`,
    "no-restricted-imports",
  ],
  [
    "imports node:dns",
    `import { lookup } from "node:dns";\nexport const f = lookup;\n`,
    "no-restricted-imports",
  ],
  [
    "imports node:timers",
    `import { setTimeout as t } from "node:timers";\nexport const f = t;\n`,
    "no-restricted-imports",
  ],
  [
    "imports @xmpp/client",
    `import { client } from "@xmpp/client";\nexport const f = client;\n`,
    "no-restricted-imports",
  ],
  [
    "imports the node driver",
    `import { cryptoRng } from "../node/rng.js";\nexport const f = cryptoRng;\n`,
    "no-restricted-imports",
  ],
  [
    "calls setTimeout",
    `export function f(): void {\n  setTimeout(() => {}, 1);\n}\n`,
    "no-restricted-globals",
  ],
  [
    "calls setInterval",
    `export function f(): void {\n  setInterval(() => {}, 1);\n}\n`,
    "no-restricted-globals",
  ],
  ["reads performance.now()", `export const t = performance.now();\n`, "no-restricted-globals"],
  ["reads Date.now()", `export const t = Date.now();\n`, "no-restricted-properties"],
  ["calls Math.random()", `export const r = Math.random();\n`, "no-restricted-properties"],
  ["constructs new Date()", `export const d = new Date();\n`, "no-restricted-syntax"],
];

describe("lint rules for the sans-IO core", () => {
  for (const folder of ["common", "stun", "turn", "ice", "jingle", "dtls", "sctp"]) {
    for (const [what, code, rule] of violations) {
      it(`reports src/${folder}/ code that ${what}`, async () => {
        assert.ok((await ruleIds(code, `src/${folder}/violation.ts`)).includes(rule));
      });
    }
  }

  it("reports a lower layer importing a higher one (stun importing ice)", async () => {
    const code = `import { x } from "../ice/agent.js";\nexport const y = x;\n`;
    assert.ok((await ruleIds(code, "src/stun/violation.ts")).includes("no-restricted-imports"));
  });

  it("reports src/node/ importing xmpp.js or the plugin", async () => {
    for (const code of [
      `import { xml } from "@xmpp/xml";\nexport const f = xml;\n`,
      `import { jingleIceUdp } from "../plugin/jingle-ice.js";\nexport const f = jingleIceUdp;\n`,
    ])
      assert.ok((await ruleIds(code, "src/node/violation.ts")).includes("no-restricted-imports"));
  });

  it("reports src/plugin/ opening sockets itself or importing the CLI", async () => {
    for (const code of [
      `import { createSocket } from "node:dgram";\nexport const f = createSocket;\n`,
      `import { runCall } from "../cli/xmpp-commands.js";\nexport const f = runCall;\n`,
    ])
      assert.ok((await ruleIds(code, "src/plugin/violation.ts")).includes("no-restricted-imports"));
  });

  it("reports console.log in library code", async () => {
    const code = `export function f(): void {\n  console.log("x");\n}\n`;
    assert.ok((await ruleIds(code, "src/plugin/violation.ts")).includes("no-console"));
  });

  it("allows the same timers, sockets and clock in src/node/", async () => {
    const code =
      `import { createSocket } from "node:dgram";\n` +
      `export function f(): number {\n  setTimeout(() => {}, 1);\n  createSocket("udp4");\n  return Date.now();\n}\n`;
    assert.deepEqual(await ruleIds(code, "src/node/driver.ts"), []);
  });
});
