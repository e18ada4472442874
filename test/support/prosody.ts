// Throwaway Prosody (Debian prosody 0.12) instances for tests (docs/testing.md, docs/field-notes.md): one process per
// instance, in the foreground (`prosody -F --config <file>`), listening for c2s on 127.0.0.1
// only, with a generated config, data dir and pid file in a fresh temp dir — /etc/prosody,
// /var/lib/prosody and /var/log/prosody are never read or written, and the system service is
// never used. Logs go to stdout and are captured. Each instance gets a free port and is retried on
// another when Prosody cannot bind it. Accounts are written straight into the data dir (see
// writeAccount), so no prosodyctl run is needed. With `externalServices`, mod_external_services
// answers XEP-0215 queries. The process, port, log and cleanup are server-process.ts's; the
// handle, readiness probe and connectClient() (re-exported here) are xmpp-server.ts's; this file
// has Prosody's install check, config and accounts.
// Needs the `prosody` package; tests call requireProsody() (startProsody() does too) and FAIL
// (never skip) without it.
//
// Quirk: never run `prosody --version` (or any unknown flag) to probe the install — Prosody 0.12
// ignores it and starts the system instance from /etc/prosody. requireProsody() asks Lua instead.
import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LOOPBACK, onPath, startServer } from "./server-process.js";
import {
  DEFAULT_DOMAIN,
  checkDomain,
  checkLocalpart,
  connectClient,
  waitForC2s,
  xmppServer,
  type ExternalService,
  type XmppServer,
  type XmppServerOptions,
} from "./xmpp-server.js";

/** The only address an instance listens on. */
export const PROSODY_HOST = LOOPBACK;
export { DEFAULT_DOMAIN, connectClient };
export type {
  ConnectOptions,
  ExternalService,
  LoginMechanism,
  XmppCredentials,
  XmppElement,
  XmppIqContext,
  XmppTestClient,
} from "./xmpp-server.js";

const FIX_HINT = "run ./scripts/setup as root, or apt-get install -y prosody";
const DEFAULT_START_TIMEOUT_MS = 10_000;
/** portmanager's line when it cannot listen; Prosody then keeps running without the port. */
const BIND_FAILURE = /Failed to open server port|Error binding encrypted port/;

export interface ProsodyOptions extends XmppServerOptions {
  /** Minimum log level captured. @default "info" ("debug" logs every stanza) */
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /**
   * Lua appended to the global section (before the VirtualHost line, so hosts inherit it); it may
   * open its own `VirtualHost`/`Component` sections.
   */
  readonly extraConfig?: string;
  /** How long one start attempt may take before it fails with the log. @default 10000 */
  readonly startTimeoutMs?: number;
}

/** A running Prosody: an {@link XmppServer} whose temp dir holds config, data and pid file. */
export interface Prosody extends XmppServer {
  readonly kind: "prosody";
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err === null) resolve(output);
      else reject(new Error(`${file}: ${output || err.message}`));
    });
  });
}

/** What the `prosody` launcher script says about its install (set by Debian's build). */
interface Install {
  readonly interpreter: string;
  readonly sourceDir: string;
  readonly pluginDir: string;
  readonly version: string;
}

let install: Promise<Install> | undefined;

/**
 * Throws a clear Error when `prosody`/`prosodyctl`, the Lua libraries Prosody needs, or the
 * modules this harness enables are missing, saying how to fix it. Never starts a server: it reads
 * the launcher script and runs Prosody's own dependency check in its Lua interpreter. Tests must
 * call it (or startProsody) and fail, not skip, when it throws.
 */
export async function requireProsody(): Promise<void> {
  await prosodyInstall();
}

function prosodyInstall(): Promise<Install> {
  install ??= (async () => {
    const fail = (why: string): never => {
      throw new Error(`Prosody tests cannot run: ${why} — ${FIX_HINT}`);
    };
    const launcher = onPath("prosody");
    if (launcher === undefined) fail("`prosody` is not on PATH");
    if (onPath("prosodyctl") === undefined) fail("`prosodyctl` is not on PATH");
    const script = readFileSync(launcher!, "utf8");
    const interpreter = /^#!\s*(?:\S*\/env\s+)?(\S+)/.exec(script)?.[1];
    const sourceDir = /^CFG_SOURCEDIR\s*=\s*'([^']+)'/m.exec(script)?.[1];
    const pluginDir = /^CFG_PLUGINDIR\s*=\s*'([^']+)'/m.exec(script)?.[1];
    if (interpreter === undefined || sourceDir === undefined || pluginDir === undefined) {
      fail(`${launcher} is not the packaged Prosody launcher (no shebang or CFG_SOURCEDIR)`);
    }
    if (onPath(interpreter!) === undefined && !interpreter!.startsWith("/")) {
      fail(`Prosody's Lua interpreter \`${interpreter}\` is not on PATH`);
    }
    const check = [
      `package.path = ${luaString(`${sourceDir}/?.lua;`)} .. package.path`,
      `package.cpath = ${luaString(`${sourceDir}/?.so;`)} .. package.cpath`,
      `if not require("util.dependencies").check_dependencies() then os.exit(1) end`,
    ].join("; ");
    try {
      await run(interpreter!, ["-e", check]);
    } catch (err) {
      fail(`Prosody's Lua dependencies are missing (${(err as Error).message})`);
    }
    for (const module of ["c2s", "saslauth", "auth_internal_plain", "external_services"]) {
      try {
        accessSync(join(pluginDir!, `mod_${module}.lua`), constants.R_OK);
      } catch {
        fail(`mod_${module} is not in ${pluginDir} (needs Prosody 0.12)`);
      }
    }
    let version = "unknown";
    try {
      version = readFileSync(join(sourceDir!, "prosody.version"), "utf8").trim();
    } catch {
      /* a source install may lack it */
    }
    return { interpreter: interpreter!, sourceDir: sourceDir!, pluginDir: pluginDir!, version };
  })();
  return install;
}

/** The installed Prosody version (e.g. "0.12.3"), after requireProsody(). */
export async function prosodyVersion(): Promise<string> {
  return (await prosodyInstall()).version;
}
// ---------------------------------------------------------------------------------------------
// Config and accounts

/** A Lua string literal for any text: printable ASCII as is, every other byte as `\ddd`. */
function luaString(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, "utf8")) {
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\${byte.toString().padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** Prosody's datamanager file-name encoding: every byte but [A-Za-z0-9] as `%xx`. */
function datamanagerEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9]/.test(c) ? c : `%${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

function luaNumber(what: string, value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`Prosody ${what}: ${value}`);
  return String(value);
}

function serviceLua(service: ExternalService): string {
  if (!Number.isInteger(service.port) || service.port <= 0 || service.port > 65535) {
    throw new Error(`external service port ${service.port}`);
  }
  const fields = [
    `type = ${luaString(service.type)}`,
    `host = ${luaString(service.host)}`,
    `port = ${luaNumber("external service port", service.port)}`,
  ];
  if (service.transport !== undefined) fields.push(`transport = ${luaString(service.transport)}`);
  if (service.username !== undefined) fields.push(`username = ${luaString(service.username)}`);
  if (service.password !== undefined) fields.push(`password = ${luaString(service.password)}`);
  if (service.secret !== undefined) fields.push(`secret = ${luaString(service.secret)}`);
  if (service.ttl !== undefined)
    fields.push(`ttl = ${luaNumber("external service ttl", service.ttl)}`);
  if (service.restricted === true) fields.push("restricted = true");
  return `  { ${fields.join("; ")} };`;
}

function configText(options: ProsodyOptions, dir: string, domain: string, port: number): string {
  const modules = ["roster", "saslauth", "disco", "ping"];
  if (options.externalServices !== undefined) modules.push("external_services");
  const lines = [
    "-- Generated by test/support/prosody.ts for one test instance.",
    // mod_posix refuses uid 0 (and in 0.12 then hangs instead of exiting); tests run as root on CI.
    ...(process.getuid?.() === 0 ? ["run_as_root = true"] : []),
    `pidfile = ${luaString(join(dir, "prosody.pid"))}`,
    `data_path = ${luaString(join(dir, "data"))}`,
    // Keeps the plugin installer's search path off /var/lib/prosody/custom_plugins.
    `installer_plugin_path = ${luaString(join(dir, "plugins"))}`,
    // An empty dir of our own, so certmanager does not index /etc/prosody/certs (or complain).
    `certificates = ${luaString(join(dir, "certs"))}`,
    `log = { { levels = { min = ${luaString(options.logLevel ?? "info")} }, to = "stdout" } }`,
    `network_settings = { nagle = ${options.nagle === true ? "true" : "false"} }`,
    `interfaces = { ${luaString(PROSODY_HOST)} }`,
    `local_interfaces = { ${luaString(PROSODY_HOST)} }`,
    `c2s_ports = { ${port} }`,
    "c2s_direct_tls_ports = { }",
    "legacy_ssl_ports = { }",
    "s2s_ports = { }",
    "s2s_direct_tls_ports = { }",
    // s2s is autoloaded; offline storage is not wanted either (stanzas to gone resources bounce).
    'modules_disabled = { "s2s"; "s2s_auth_certs"; "offline" }',
    `modules_enabled = { ${modules.map((m) => luaString(m)).join("; ")} }`,
    "allow_registration = false",
    // Loopback only and no certificates: no TLS (mod_tls is not even loaded).
    "c2s_require_encryption = false",
    // Without TLS Prosody would hide PLAIN; offer it next to SCRAM-SHA-1/-256 so connectClient
    // can log in fast (see LoginMechanism).
    "allow_unencrypted_plain_auth = true",
    // Plaintext passwords, so the harness can write account files itself and SCRAM still works.
    'authentication = "internal_plain"',
    'storage = "internal"',
  ];
  if (options.externalServices !== undefined) {
    lines.push("external_services = {", ...options.externalServices.map(serviceLua), "}");
  }
  if (options.extraConfig !== undefined) {
    lines.push("-- extraConfig", options.extraConfig);
  }
  lines.push(`VirtualHost ${luaString(domain)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Creates `user@domain` the way mod_auth_internal_plain + mod_storage_internal store it:
 * `<data_path>/<enc(domain)>/accounts/<enc(user)>.dat` holding `return { ["password"] = "…" };`.
 * Chosen over `prosodyctl register`, which starts a Lua process per account (~0.2 s each on this
 * machine), and, run as root, switches to the `prosody` user, which cannot write a private temp
 * dir.
 */
async function writeAccount(
  dataDir: string,
  domain: string,
  user: string,
  password: string,
): Promise<void> {
  const accounts = join(dataDir, datamanagerEncode(domain), "accounts");
  await mkdir(accounts, { recursive: true });
  await writeFile(
    join(accounts, `${datamanagerEncode(user)}.dat`),
    `return {\n\t["password"] = ${luaString(password)};\n};\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Starting

/**
 * Starts a throwaway Prosody on 127.0.0.1 and resolves once its log says c2s is listening on the
 * chosen port and a stream header sent there for `domain` gets stream features offering the
 * PLAIN. Retries on another port when Prosody cannot bind it; rejects with the captured log
 * when it does not become ready within `startTimeoutMs`.
 */
export async function startProsody(options: ProsodyOptions = {}): Promise<Prosody> {
  await requireProsody();
  const domain = checkDomain(options.domain ?? DEFAULT_DOMAIN);
  const users = new Map(Object.entries(options.users ?? {}));
  for (const user of users.keys()) checkLocalpart(user);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const server = await startServer({
    name: "prosody",
    title: "Prosody",
    ports: ["tcp"],
    startTimeoutMs: timeoutMs,
    bindFailure: BIND_FAILURE,
    async prepare(dir) {
      await mkdir(join(dir, "certs"));
      for (const [user, password] of users) {
        await writeAccount(join(dir, "data"), domain, user, password);
      }
    },
    async configure([port], dir) {
      const configFile = join(dir, "prosody.cfg.lua");
      await writeFile(configFile, configText(options, dir, domain, port!));
      return ["prosody", "-F", "--config", configFile];
    },
    ready(log, [port], signal) {
      const listening = new RegExp(
        `Activated service 'c2s' on \\[${PROSODY_HOST.replaceAll(".", "\\.")}\\]:${port}\\b`,
      );
      // Whichever fails first is the reason; startServer then aborts the other.
      return Promise.all([
        log.waitForLog(listening, { timeoutMs, withLog: false }),
        waitForC2s(port!, domain, "PLAIN", signal),
      ]);
    },
    describe: ([port]) => `${PROSODY_HOST} port ${port}, domain ${domain}`,
  });

  return xmppServer("prosody", server, domain, users);
}
