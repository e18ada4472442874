// Throwaway ejabberd (Debian ejabberd 23.01) instances for tests (docs/testing.md, docs/field-notes.md): one Erlang VM
// per instance, started with `erl` directly — not ejabberdctl, which switches to the `ejabberd`
// user and uses /etc/ejabberd, /var/lib/ejabberd and /var/log/ejabberd — with a generated config,
// Mnesia database, log files and HOME in a fresh temp dir, listening for c2s on 127.0.0.1 only.
// The node is not distributed (nonode@nohost): no node name, no cookie and no epmd, so nothing
// outlives the test. Accounts are registered by an `-eval` after ejabberd has started, which then
// prints a ready line. With `externalServices`, mod_stun_disco answers XEP-0215 queries. Nagle
// is off through the VM's default listen options (ejabberd has no listener option for it).
// The process, ports, log and cleanup are server-process.ts's; the handle, readiness probe and
// clients are xmpp-server.ts's.
// Needs the `ejabberd` package; tests call requireEjabberd() (startEjabberd() does too) and FAIL
// (never skip) without it.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LOOPBACK, onPath, startServer } from "./server-process.js";
import {
  DEFAULT_DOMAIN,
  checkDomain,
  checkLocalpart,
  waitForC2s,
  xmppServer,
  type ExternalService,
  type XmppServer,
  type XmppServerOptions,
} from "./xmpp-server.js";

const FIX_HINT = "run ./scripts/setup as root, or apt-get install -y ejabberd";
// An Erlang VM boots in 3–8 s here, and past 10 s on a loaded 2-core machine: be patient.
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** What ejabberd logs when a listener cannot bind; the VM then stops. */
const BIND_FAILURE = /eaddrinuse/;
/** The line the `-eval` prints once the accounts exist. */
const READY_LINE = "jingle-ice: ejabberd ready";

export interface EjabberdOptions extends XmppServerOptions {
  /** ejabberd's `loglevel`. @default "info" ("debug" logs every stanza) */
  readonly logLevel?: "debug" | "info" | "warning" | "error";
  /** How long one start attempt may take before it fails with the log. @default 60000 */
  readonly startTimeoutMs?: number;
}

/** A running ejabberd: an {@link XmppServer} whose temp dir holds config, Mnesia and logs. */
export interface Ejabberd extends XmppServer {
  readonly kind: "ejabberd";
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

/** What Debian's ejabberdctl says about the install. */
interface Install {
  /** The `erl` launcher. */
  readonly erl: string;
  /** Where ejabberd and its Erlang dependencies are (`ERL_LIBS`). */
  readonly libs: string;
  readonly version: string;
}

let install: Promise<Install> | undefined;

/**
 * Throws a clear Error when ejabberd is not installed the way the harness runs it (ejabberdctl
 * on PATH — it is in /usr/sbin — naming `erl` and the library dir that holds ejabberd), saying
 * how to fix it. Never starts anything. Tests must call it (or startEjabberd) and fail, not
 * skip, when it throws.
 */
export async function requireEjabberd(): Promise<void> {
  await ejabberdInstall();
}

function ejabberdInstall(): Promise<Install> {
  install ??= (async () => {
    const fail = (why: string): never => {
      throw new Error(`ejabberd tests cannot run: ${why} — ${FIX_HINT}`);
    };
    const ctl = onPath("ejabberdctl");
    if (ctl === undefined) fail("`ejabberdctl` is not on PATH (Debian puts it in /usr/sbin)");
    const script = readFileSync(ctl!, "utf8");
    const erl = /^ERL="([^"]+)"/m.exec(script)?.[1];
    const libs = /^ERL_LIBS='([^']+)'/m.exec(script)?.[1];
    if (erl === undefined || libs === undefined) {
      fail(`${ctl} is not Debian's ejabberdctl (no ERL= or ERL_LIBS= line)`);
    }
    if (!existsSync(erl!)) fail(`ejabberd's Erlang \`${erl}\` is missing (erlang-base)`);
    const app = readdirSync(libs!)
      .filter((name) => name.startsWith("ejabberd-"))
      .map((name) => join(libs!, name, "ebin", "ejabberd.app"))
      .find((file) => existsSync(file));
    if (app === undefined) fail(`no ejabberd-*/ebin/ejabberd.app in ${libs}`);
    const version = /\{vsn,\s*"([^"]+)"\}/.exec(readFileSync(app!, "utf8"))?.[1] ?? "unknown";
    return { erl: erl!, libs: libs!, version };
  })();
  return install;
}

/** The installed ejabberd version (e.g. "23.01-1"), after requireEjabberd(). */
export async function ejabberdVersion(): Promise<string> {
  return (await ejabberdInstall()).version;
}

// ---------------------------------------------------------------------------------------------
// Config and accounts

/** mod_stun_disco's options for `services`: one secret and one lifetime for all of them. */
function stunDisco(services: readonly ExternalService[]): Record<string, unknown> {
  const secrets = new Set(services.flatMap((s) => (s.secret === undefined ? [] : [s.secret])));
  const ttls = new Set(services.flatMap((s) => (s.ttl === undefined ? [] : [s.ttl])));
  if (secrets.size > 1) throw new Error("ejabberd: mod_stun_disco takes one secret for all");
  if (ttls.size > 1) throw new Error("ejabberd: mod_stun_disco takes one ttl for all");
  if (services.some((s) => s.username !== undefined || s.password !== undefined)) {
    throw new Error("ejabberd: mod_stun_disco hands out secret-derived credentials only");
  }
  const [secret] = secrets;
  const [ttl] = ttls;
  return {
    // Every local user may ask (the module's default, the `local` access rule, is not defined).
    access: "all",
    offer_local_services: false,
    ...(secret === undefined ? {} : { secret }),
    ...(ttl === undefined ? {} : { credentials_lifetime: `${ttl}s` }),
    services: services.map((s) => ({
      host: s.host,
      port: s.port,
      type: s.type,
      transport: s.transport ?? "udp",
      restricted: s.restricted === true || s.secret !== undefined,
    })),
  };
}

/**
 * The config, as JSON: YAML 1.2 is a superset of it, and fast_yaml reads it, so no value needs
 * YAML quoting rules.
 */
function configText(options: EjabberdOptions, domain: string, port: number): string {
  const modules: Record<string, unknown> = { mod_disco: {}, mod_ping: {}, mod_roster: {} };
  if (options.externalServices !== undefined) {
    modules["mod_stun_disco"] = stunDisco(options.externalServices);
  }
  const config = {
    hosts: [domain],
    loglevel: options.logLevel ?? "info",
    log_rotate_count: 0,
    // Loopback only and no certificates: no TLS, no s2s.
    certfiles: [],
    s2s_access: "none",
    listen: [
      {
        port,
        ip: LOOPBACK,
        module: "ejabberd_c2s",
        starttls: false,
        shaper: "none",
        max_stanza_size: 262_144,
      },
    ],
    // Plaintext passwords, so that SASL PLAIN and SCRAM-SHA-1 both work.
    auth_method: ["internal"],
    auth_password_format: "plain",
    modules,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** An Erlang expression for the binary `value` (base64, so no escaping rules apply). */
function erlangBinary(value: string): string {
  return `base64:decode("${Buffer.from(value, "utf8").toString("base64")}")`;
}

/**
 * The `-eval` that runs after `-s ejabberd`: registers the accounts (already there after a
 * retried start in the same dir), then prints {@link READY_LINE}.
 */
function readyEval(domain: string, users: ReadonlyMap<string, string>): string {
  const registrations = [...users].map(
    ([user, password]) =>
      `case ejabberd_auth:try_register(${erlangBinary(user)}, ${erlangBinary(domain)}, ` +
      `${erlangBinary(password)}) of ok -> ok; {error, exists} -> ok end`,
  );
  return [...registrations, `io:format("${READY_LINE}~n")`].join(", ") + ".";
}

// ---------------------------------------------------------------------------------------------
// Starting

/**
 * Starts a throwaway ejabberd on 127.0.0.1 and resolves once the accounts exist and a stream
 * header sent to the c2s port for `domain` gets stream features offering PLAIN. Retries on
 * another port when ejabberd cannot bind it; rejects with the captured log when it does not
 * become ready within `startTimeoutMs`.
 */
export async function startEjabberd(options: EjabberdOptions = {}): Promise<Ejabberd> {
  const { erl, libs } = await ejabberdInstall();
  const domain = checkDomain(options.domain ?? DEFAULT_DOMAIN);
  const users = new Map(Object.entries(options.users ?? {}));
  for (const user of users.keys()) checkLocalpart(user);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const server = await startServer({
    name: "ejabberd",
    title: "ejabberd",
    ports: ["tcp"],
    startTimeoutMs: timeoutMs,
    bindFailure: BIND_FAILURE,
    async prepare(dir) {
      await mkdir(join(dir, "home"));
    },
    async configure([port], dir) {
      const configFile = join(dir, "ejabberd.yml");
      await writeFile(configFile, configText(options, domain, port!));
      return [
        erl,
        "-noinput",
        ...(options.nagle === true
          ? []
          : ["-kernel", "inet_default_listen_options", "[{nodelay,true}]"]),
        "-mnesia",
        "dir",
        JSON.stringify(join(dir, "mnesia")),
        "-s",
        "ejabberd",
        "-eval",
        readyEval(domain, users),
      ];
    },
    ready(log, [port], signal) {
      return log
        .waitForLog(new RegExp(READY_LINE), { timeoutMs, withLog: false })
        .then(() => waitForC2s(port!, domain, "PLAIN", signal));
    },
    // What ejabberdctl would set, pointing into the temp dir.
    environment: (dir) => ({
      HOME: join(dir, "home"),
      ERL_LIBS: libs,
      EJABBERD_CONFIG_PATH: join(dir, "ejabberd.yml"),
      EJABBERD_LOG_PATH: join(dir, "ejabberd.log"),
      ERL_CRASH_DUMP: join(dir, "erl_crash.dump"),
      ERL_CRASH_DUMP_BYTES: "0",
      CONTRIB_MODULES_PATH: join(dir, "modules"),
    }),
    describe: ([port]) => `${LOOPBACK} port ${port}, domain ${domain}`,
  });
  return xmppServer("ejabberd", server, domain, users);
}
