// Throwaway Prosody (Debian prosody 0.12) instances for tests (DESIGN.md §7–8): one process per
// instance, in the foreground (`prosody -F --config <file>`), listening for c2s on 127.0.0.1
// only, with a generated config, data dir and pid file in a fresh temp dir — /etc/prosody,
// /var/lib/prosody and /var/log/prosody are never read or written, and the system service is
// never used. Logs go to stdout and are captured. Each instance gets a free port and is retried on
// another when Prosody cannot bind it. Accounts are written straight into the data dir (see
// writeAccount), so no prosodyctl run is needed. With `externalServices`, mod_external_services
// answers XEP-0215 queries. connectClient() logs an @xmpp/client in. The process, port, log and
// cleanup are server-process.ts's; this file has Prosody's install check, config, accounts,
// readiness probe and clients.
// Needs the `prosody` package; tests call requireProsody() (startProsody() does too) and FAIL
// (never skip) without it.
//
// Quirk: never run `prosody --version` (or any unknown flag) to probe the install — Prosody 0.12
// ignores it and starts the system instance from /etc/prosody. requireProsody() asks Lua instead.
import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { delimiter, join } from "node:path";
import { client as untypedClient } from "@xmpp/client";
import type { ServerProcess } from "./server-process.js";
import { LOOPBACK, delay, startServer } from "./server-process.js";

/** The only address an instance listens on. */
export const PROSODY_HOST = LOOPBACK;
/** The XMPP domain (VirtualHost) when none is given; `.test` is reserved (RFC 6761). */
export const DEFAULT_DOMAIN = "jingle.test";

const FIX_HINT = "run ./scripts/setup as root, or apt-get install -y prosody";
const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_LOGIN_TIMEOUT_MS = 10_000;
/** portmanager's line when it cannot listen; Prosody then keeps running without the port. */
const BIND_FAILURE = /Failed to open server port|Error binding encrypted port/;

/** One XEP-0215 service as mod_external_services announces it. */
export interface ExternalService {
  readonly type: "stun" | "turn" | "stuns" | "turns";
  readonly host: string;
  readonly port: number;
  /** @default none (Prosody warns and leaves the attribute out) */
  readonly transport?: "udp" | "tcp";
  /** Static credentials (announced as restricted). With `secret`: the user part of the name. */
  readonly username?: string;
  readonly password?: string;
  /**
   * TURN REST API shared secret (coturn `static-auth-secret`): Prosody hands out username
   * `${expiry}:${username}` and password base64(HMAC-SHA1(secret, username)); restricted.
   */
  readonly secret?: string;
  /** Lifetime of secret-derived credentials, seconds. @default Prosody's 86400 */
  readonly ttl?: number;
  /** Announce `restricted='1'` even without credentials. */
  readonly restricted?: boolean;
}

export interface ProsodyOptions {
  /** The VirtualHost; clients connect to 127.0.0.1 and ask for this domain. @default "jingle.test" */
  readonly domain?: string;
  /** localpart → password; the accounts exist before Prosody starts. */
  readonly users?: Readonly<Record<string, string>>;
  /** Enables mod_external_services (XEP-0215) with these entries. */
  readonly externalServices?: readonly ExternalService[];
  /**
   * Keep Nagle's algorithm on c2s sockets (Prosody's default). Off by default: with Nagle and
   * delayed ACKs every IQ round trip on loopback costs ~43 ms (DESIGN.md §8); on measurements only.
   */
  readonly nagle?: boolean;
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

/** A username/password pair for @xmpp/client. */
export interface XmppCredentials {
  readonly username: string;
  readonly password: string;
}

/** A running Prosody; its process, log and stop() are those of {@link ServerProcess}. */
export interface Prosody extends Omit<ServerProcess, "ports"> {
  readonly domain: string;
  readonly host: typeof PROSODY_HOST;
  /** The c2s port (plain TCP, STARTTLS not offered). */
  readonly port: number;
  /** `xmpp://127.0.0.1:<port>`, for @xmpp/client's `service` (with `domain`). */
  readonly service: string;
  /** The instance's temp dir (config, data, pid file); removed by stop(). */
  readonly dir: string;
  /** `user@domain` (throws for a user not in `users`). */
  jid(user: string): string;
  /** The configured credentials of `user` (throws for a user not in `users`). */
  credentials(user: string): XmppCredentials;
}

// ---------------------------------------------------------------------------------------------
// @xmpp/client, typed for what the tests use

/** An xmpp.js element (ltx), as far as tests read it. */
export interface XmppElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string | undefined>>;
  readonly children: readonly (XmppElement | string)[];
  getChild(name: string, xmlns?: string): XmppElement | undefined;
  getChildren(name: string, xmlns?: string): XmppElement[];
  toString(): string;
}

/** What an iqCallee handler gets. */
export interface XmppIqContext {
  readonly stanza: XmppElement;
  /** The IQ's one child. */
  readonly element: XmppElement;
  readonly from: string;
}

/** The part of an @xmpp/client instance the tests use (cast once from the untyped package). */
export interface XmppTestClient {
  /** The bound full JID once online. */
  readonly jid: { toString(): string } | null;
  readonly status: string;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: unknown): Promise<void>;
  on(event: "online", listener: (jid: { toString(): string }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "stanza", listener: (stanza: XmppElement) => void): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly iqCaller: {
    /** Resolves with the result `<iq/>`; rejects with a StanzaError for an error reply. */
    request(iq: unknown, timeoutMs?: number): Promise<XmppElement>;
    /** Sends `<iq type='get' to=…>` with `element`; resolves with the result's same-named child. */
    get(element: unknown, to?: string, timeoutMs?: number): Promise<XmppElement | undefined>;
  };
  readonly iqCallee: {
    get(ns: string, name: string, handler: (context: XmppIqContext) => unknown): void;
    set(ns: string, name: string, handler: (context: XmppIqContext) => unknown): void;
  };
  readonly reconnect: { stop(): void };
}

/** xmpp.js's SASL hook: `authenticate(credentials, mechanism)` runs the exchange. */
type XmppAuthenticate = (
  authenticate: (credentials: XmppCredentials, mechanism: string) => Promise<void>,
  mechanisms: readonly string[],
) => Promise<void>;

interface XmppClientOptions {
  readonly service: string;
  readonly domain: string;
  readonly credentials: XmppAuthenticate;
  readonly resource: string;
}

// src/types/xmpp-client.d.ts declares only what the CLI uses (the package ships no types,
// DESIGN.md §4): cast once, through unknown, to what the tests use.
const createXmppClient = untypedClient as unknown as (options: XmppClientOptions) => XmppTestClient;

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

function onPath(program: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* next */
    }
  }
  return undefined;
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

/** Lowercase LDH labels, so the name is its own nameprep and a safe file name. */
function checkDomain(domain: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new Error(`Prosody domain ${JSON.stringify(domain)}: use lowercase LDH labels`);
  }
  return domain;
}

/**
 * Localparts are restricted to what nodeprep leaves unchanged (lowercase ASCII letters, digits,
 * `.`, `_`, `-`): Prosody looks accounts up by the prepped name, so a file written for any other
 * spelling would never be found.
 */
function checkLocalpart(user: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(user)) {
    throw new Error(`Prosody user ${JSON.stringify(user)}: use lowercase a-z, 0-9, '.', '_', '-'`);
  }
  return user;
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
// Readiness

/**
 * One c2s stream-header exchange: resolves `true` once `<stream:features>` for `domain` offer the
 * SASL `mechanism` (the VirtualHost is active and can authenticate), else a short description of
 * what happened instead (refused connection, stream error such as host-unknown while hosts are
 * still loading, features without the mechanism, silence).
 */
function probeStream(
  port: number,
  domain: string,
  mechanism: string,
  signal: AbortSignal,
): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: PROSODY_HOST, port });
    let received = "";
    const done = (result: true | string): void => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => done("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => done("no stream features within 1 s"), 1_000);
    socket.setEncoding("utf8");
    socket.once("connect", () => {
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' ` +
          `xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`,
      );
    });
    socket.on("data", (chunk: string) => {
      received += chunk;
      const error = /<stream:error>[\s\S]*<\/stream:error>/.exec(received);
      if (error !== null) done(`stream error ${error[0]}`);
      else if (received.includes("</stream:features>")) {
        socket.write("</stream:stream>");
        const features = received.slice(received.indexOf("<stream:features"));
        done(
          received.includes(`<mechanism>${mechanism}</mechanism>`) ||
            `stream features without SASL ${mechanism}: ${features}`,
        );
      }
    });
    socket.once("error", (err) => done(`connect: ${err.message}`));
    socket.once("close", () => done("closed without stream features"));
  });
}

/** Probes until one succeeds; rejects with the abort reason plus the last probe's outcome. */
async function waitForC2s(
  port: number,
  domain: string,
  mechanism: string,
  signal: AbortSignal,
): Promise<void> {
  let last = "none yet";
  for (;;) {
    const result = await probeStream(port, domain, mechanism, signal);
    if (result === true) return;
    if (result !== "aborted") last = result;
    try {
      await delay(50, signal);
    } catch (err) {
      throw new Error(`${(err as Error).message} (last c2s probe: ${last})`);
    }
  }
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

  const known = (user: string): string => {
    const password = users.get(user);
    if (password === undefined) {
      throw new Error(`Prosody ${domain} has no user ${JSON.stringify(user)}`);
    }
    return password;
  };
  const port = server.ports[0]!;
  return {
    domain,
    host: PROSODY_HOST,
    port,
    service: `xmpp://${PROSODY_HOST}:${port}`,
    pid: server.pid,
    dir: server.dir,
    startupMs: server.startupMs,
    jid(user: string): string {
      known(user);
      return `${user}@${domain}`;
    },
    credentials(user: string): XmppCredentials {
      return { username: user, password: known(user) };
    },
    log: server.log,
    logMark: server.logMark,
    waitForLog: server.waitForLog,
    stop: server.stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Clients

/**
 * How connectClient authenticates. Both are offered without TLS on these instances. xmpp.js's own
 * choice on a plain TCP socket is SCRAM-SHA-1 (it never picks PLAIN without TLS), and that costs
 * ~0.9 s per login on this kind of machine: Prosody's internal_plain salts with a fixed 10000
 * iterations and xmpp.js computes PBKDF2 as 10000 awaited WebCrypto HMAC calls. PLAIN logs in
 * within a few ms, so it is the default; a client built with plain `username`/`password`
 * options still works (with SCRAM-SHA-1).
 */
export type LoginMechanism = "PLAIN" | "SCRAM-SHA-1";

export interface ConnectOptions {
  /** @default "PLAIN" */
  readonly mechanism?: LoginMechanism;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Keep xmpp.js's reconnect module running. Off by default: a dropped test client should fail. */
  readonly reconnect?: boolean;
}

/**
 * Logs `user` in as `user@domain/resource` over 127.0.0.1 (no TLS; SASL `mechanism`) and resolves
 * once the client is online. Errors the client emits afterwards are ignored unless the test
 * listens for them (an unhandled "error" event would crash the test process). `stop()` the
 * client before the server.
 */
export async function connectClient(
  prosody: Prosody,
  user: string,
  resource: string,
  options: ConnectOptions = {},
): Promise<XmppTestClient> {
  const credentials = prosody.credentials(user);
  const mechanism = options.mechanism ?? "PLAIN";
  const xmpp = createXmppClient({
    service: prosody.service,
    domain: prosody.domain,
    credentials: (authenticate, offered) => {
      if (!offered.includes(mechanism)) {
        throw new Error(`SASL ${mechanism} not offered (only ${offered.join(", ")})`);
      }
      return authenticate(credentials, mechanism);
    },
    resource,
  });
  if (options.reconnect !== true) xmpp.reconnect.stop();
  const errors: Error[] = [];
  xmpp.on("error", (err: Error) => errors.push(err));
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    // start() resolves on "online" and rejects on a client "error" (e.g. SASL not-authorized).
    await Promise.race([
      xmpp.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not online within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    await xmpp.stop().catch(() => undefined);
    const emitted = errors.map((e) => e.message).join("; ");
    throw new Error(
      `${user}@${prosody.domain}/${resource} could not log in to ${prosody.service}: ` +
        `${(err as Error).message}${emitted === "" ? "" : ` (client errors: ${emitted})`}\n` +
        `--- prosody log ---\n${prosody.log()}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return xmpp;
}
