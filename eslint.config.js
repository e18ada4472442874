// ESLint flat config. The core folders (docs/architecture.md) are sans-IO: no sockets, DNS, OS
// queries, timers, clock, ambient randomness or xmpp.js. The rules below make a violation fail
// `npm run lint`; test/lint/core-layering.test.ts proves that each one fires.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Folders that must stay free of I/O, clocks and timers. */
export const coreFolders = ["common", "stun", "turn", "ice", "jingle", "dtls", "sctp"];

const ioModules = [
  "dgram",
  "net",
  "os",
  "dns",
  "dns/promises",
  "tls",
  "http",
  "https",
  "http2",
  "timers",
  "timers/promises",
  "child_process",
  "cluster",
  "fs",
  "fs/promises",
  "worker_threads",
  "perf_hooks",
  "readline",
  "process",
];

const forbiddenIo = [...ioModules.flatMap((m) => [`node:${m}`, m])];

/** Which of our own folders each core folder may not import (dependencies point one way). */
/** Applies everywhere; repeated in the core rules because a later `no-restricted-syntax` replaces it. */
const noInstanceofElement = {
  selector: "BinaryExpression[operator='instanceof'][right.name='Element']",
  message: "Never use `instanceof Element` (docs/plugin.md): ltx's ESM Element is another class.",
};

const layerBans = {
  common: ["stun", "turn", "ice", "jingle", "dtls", "sctp", "node", "plugin", "cli"],
  stun: ["turn", "ice", "jingle", "dtls", "sctp", "node", "plugin", "cli"],
  turn: ["ice", "jingle", "dtls", "sctp", "node", "plugin", "cli"],
  ice: ["jingle", "dtls", "sctp", "node", "plugin", "cli"],
  jingle: ["stun", "turn", "ice", "dtls", "sctp", "node", "plugin", "cli"],
  dtls: ["stun", "turn", "ice", "jingle", "sctp", "node", "plugin", "cli"],
  sctp: ["stun", "turn", "ice", "jingle", "dtls", "node", "plugin", "cli"],
};

function coreRules(folder) {
  const banned = layerBans[folder];
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: forbiddenIo.map((name) => ({
            name,
            message: `src/${folder} is sans-IO (docs/architecture.md): do I/O in src/node/.`,
          })),
          patterns: [
            {
              group: ["@xmpp/*", "@xmpp/**"],
              message: `src/${folder} must not touch xmpp.js: only src/plugin/ does.`,
            },
            {
              regex: `(^|/)(${banned.join("|")})(/|$)`,
              message: `src/${folder} may not import from ${banned.join(", ")} (layering, docs/architecture.md).`,
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        ...[
          "setTimeout",
          "setInterval",
          "setImmediate",
          "clearTimeout",
          "clearInterval",
          "clearImmediate",
          "performance",
          "process",
        ].map((name) => ({
          name,
          message: `${name} is not allowed in the sans-IO core: take time as an input (\`now\`) and report deadlines through pollTimeout().`,
        })),
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "The core takes `now` as an input." },
        { object: "Math", property: "random", message: "Use the injected Rng (common/rng.ts)." },
        { object: "performance", property: "now", message: "The core takes `now` as an input." },
        { object: "globalThis", property: "setTimeout", message: "No timers in the core." },
        { object: "globalThis", property: "performance", message: "No clock in the core." },
        { object: "crypto", property: "getRandomValues", message: "Use the injected Rng." },
        { object: "crypto", property: "randomUUID", message: "Use the injected Rng." },
      ],
      "no-restricted-syntax": [
        "error",
        noInstanceofElement,
        {
          selector: "NewExpression[callee.name='Date']",
          message: "`new Date()` reads the clock; the core takes `now` as an input.",
        },
        {
          selector: "CallExpression[callee.name='Date']",
          message: "`Date()` reads the clock; the core takes `now` as an input.",
        },
        {
          selector: "ImportExpression",
          message: "No dynamic import in the core.",
        },
      ],
    },
  };
}

/**
 * The outer layers (docs/architecture.md): `node` drives the core and never touches xmpp.js or
 * the plugin; `plugin` talks to xmpp.js and uses the driver, never sockets itself; nothing but
 * the CLI and the package root imports `cli` or `plugin`.
 */
const outerLayers = {
  node: {
    paths: [],
    patterns: [
      {
        group: ["@xmpp/*", "@xmpp/**"],
        message: "src/node must not touch xmpp.js: only src/plugin/ does.",
      },
      {
        regex: "(^|/)(plugin|cli|jingle)(/|$)",
        message: "src/node drives the core only: no plugin, cli or jingle.",
      },
    ],
  },
  plugin: {
    paths: ["dgram", "net", "tls", "dns", "dns/promises", "os"].flatMap((m) =>
      [`node:${m}`, m].map((name) => ({
        name,
        message: "src/plugin does no socket or OS work itself: use the driver in src/node/.",
      })),
    ),
    patterns: [{ regex: "(^|/)cli(/|$)", message: "src/plugin may not import the CLI." }],
  },
  cli: { paths: [], patterns: [] },
};

function outerRules([folder, { paths, patterns }]) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      "no-restricted-imports": ["error", { paths, patterns }],
    },
  };
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", ".tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        console: "readonly",
        process: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        AbortSignal: "readonly",
        AbortController: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-syntax": ["error", noInstanceofElement],
    },
  },
  ...coreFolders.map(coreRules),
  ...Object.entries(outerLayers)
    .filter(([, r]) => r.paths.length + r.patterns.length > 0)
    .map(outerRules),
  {
    // Type-aware rules: a promise nobody awaits or catches, a switch that forgets a case.
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test's describe/it return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "max-lines": ["warn", { max: 500 }],
      // The library never prints: it reports through events and errors (the CLI writes to
      // process.stdout/stderr on purpose).
      "no-console": "error",
    },
  },
);
