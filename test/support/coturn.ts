// Throwaway coturn (`turnserver`, Debian coturn 4.6) instances for tests (docs/testing.md, docs/field-notes.md): one
// process per instance, listening on 127.0.0.1 only, with a generated config file in a fresh
// temp dir — no system config (/etc/turnserver.conf is never read), no daemon, nothing written
// under /var, no CLI, logs captured from stdout/stderr. Each instance gets free ports (probed for
// both UDP and TCP) and is retried on other ports when coturn cannot bind them. With `tls`, a
// self-signed certificate for 127.0.0.1 is generated with openssl and exposed as `ca`. The
// process, ports, log and cleanup are server-process.ts's; this file has coturn's config,
// certificate, credentials and readiness probes.
// Needs `turnserver` and `openssl`; tests call requireCoturn() (startCoturn() does too) and FAIL
// (never skip) without them.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { createSocket } from "node:dgram";
import { readFile, writeFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { cryptoRng } from "../../src/node/rng.js";
import {
  StunMethod,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
} from "../../src/stun/index.js";
import type { ServerProcess } from "./server-process.js";
import { LOOPBACK, delay, startServer } from "./server-process.js";

/** The only address an instance listens and relays on. */
export const COTURN_HOST = LOOPBACK;

const FIX_HINT = "run ./scripts/setup as root, or apt-get install -y coturn openssl";
const DEFAULT_START_TIMEOUT_MS = 5_000;
/** coturn keeps retrying a listener bind forever; these lines mean "try other ports". */
const BIND_FAILURE = /Cannot bind (?:[A-Z/]+ )?listener socket|Cannot bind local socket/;

/** How clients authenticate (one mechanism per instance: coturn cannot mix them, docs/field-notes.md). */
export type CoturnAuth =
  | {
      readonly kind: "long-term";
      readonly realm: string;
      /** name → password (`user=name:password` lines). */
      readonly users: Readonly<Record<string, string>>;
    }
  | {
      /** The TURN REST API (`use-auth-secret` + `static-auth-secret`). */
      readonly kind: "static-auth-secret";
      readonly realm: string;
      readonly secret: string;
    };

export interface CoturnOptions {
  readonly auth: CoturnAuth;
  /** Also listen for TLS on a separate TCP port, with a generated self-signed certificate. */
  readonly tls?: boolean;
  /** Relay (allocation) port range (`min-port`/`max-port`). @default coturn's 49152–65535 */
  readonly relayPorts?: { readonly min: number; readonly max: number };
  /** `max-allocate-lifetime`, seconds. @default coturn's 3600 */
  readonly maxAllocateLifetime?: number;
  /** `permission-lifetime`, seconds. @default coturn's 300 */
  readonly permissionLifetime?: number;
  /** `channel-lifetime`, seconds. @default coturn's 600 */
  readonly channelLifetime?: number;
  /**
   * Extra `turnserver` command-line arguments, after `-c <config>` (they override the file).
   * Write options with values as `--name=value`: coturn 4.6 silently ignores the separate value
   * of some options (`--max-allocate-lifetime 60` leaves the default 3600).
   */
  readonly extraArgs?: readonly string[];
  /** How long one start attempt may take before it fails with the log. @default 5000 */
  readonly startTimeoutMs?: number;
}

/** A username/password pair a TURN client authenticates with. */
export interface TurnCredentials {
  readonly username: string;
  readonly password: string;
}

/** A running turnserver; its process, log and stop() are those of {@link ServerProcess}. */
export interface Coturn extends Omit<ServerProcess, "ports"> {
  readonly host: typeof COTURN_HOST;
  /** The plain listener: UDP and TCP on this port. */
  readonly port: number;
  /** The TLS listener (TCP), when started with `tls`. */
  readonly tlsPort: number | undefined;
  /** PEM of the self-signed certificate (trust it as the CA: `tls.connect({ ca })`). */
  readonly ca: string | undefined;
  readonly realm: string;
  readonly auth: CoturnAuth["kind"];
  /** The instance's temp dir (config, pid file, user db, certificate); removed by stop(). */
  readonly dir: string;
  /**
   * Credentials for `user`: for long-term auth the configured password (throws for an unknown
   * user); for static-auth-secret the TURN REST API pair valid for `ttlSeconds` (default 3600).
   */
  credentialsFor(user: string, ttlSeconds?: number): TurnCredentials;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`):
 * username `${expiry}:${user}` with `expiry` in Unix seconds, password
 * base64(HMAC-SHA1(secret, username)).
 */
export function turnRestCredentials(
  secret: string,
  user: string,
  ttlSeconds = 3_600,
  nowMs = Date.now(),
): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  const password = createHmac("sha1", secret).update(username).digest("base64");
  return { username, password };
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(`${stdout}${stderr}`.trim());
      else reject(new Error(`${file} ${args.join(" ")}: ${stderr.trim() || err.message}`));
    });
  });
}

let prerequisites: Promise<void> | undefined;

/**
 * Throws a clear Error when `turnserver` (coturn) or `openssl` is missing, saying how to fix it.
 * Tests must call it (or startCoturn) and fail, not skip, when it throws.
 */
export function requireCoturn(): Promise<void> {
  prerequisites ??= (async () => {
    const missing: string[] = [];
    for (const [program, args] of [
      ["turnserver", ["--version"]],
      ["openssl", ["version"]],
    ] as const) {
      try {
        await run(program, args);
      } catch (err) {
        missing.push(`\`${program}\` is not usable (${(err as Error).message})`);
      }
    }
    if (missing.length > 0) {
      throw new Error(`coturn tests cannot run: ${missing.join("; ")} — ${FIX_HINT}`);
    }
  })();
  return prerequisites;
}

// ---------------------------------------------------------------------------------------------
// Config

/** Rejects values that would break a `key=value` config line. */
function configValue(what: string, value: string, extra = ""): string {
  if (
    !/^[\x21-\x7e]+$/.test(value) ||
    value.includes("#") ||
    [...extra].some((c) => value.includes(c))
  ) {
    throw new Error(
      `coturn ${what} ${JSON.stringify(value)}: use printable ASCII without spaces or '#'${extra === "" ? "" : ` or ${JSON.stringify(extra)}`}`,
    );
  }
  return value;
}

function positiveInt(what: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`coturn ${what}: ${value}`);
  return value;
}

function configLines(
  options: CoturnOptions,
  dir: string,
  port: number,
  tlsPort: number | undefined,
): string[] {
  const lines = [
    "# Generated by test/support/coturn.ts for one test instance.",
    `listening-ip=${COTURN_HOST}`,
    `relay-ip=${COTURN_HOST}`,
    `listening-port=${port}`,
    // Without TLS the TLS port is still configured (to a port we own) so coturn never touches
    // its default 5349; `no-tls` keeps it closed.
    `tls-listening-port=${tlsPort ?? port}`,
    "allow-loopback-peers",
    "no-multicast-peers",
    "fingerprint",
    "no-tcp-relay",
    "no-dtls",
    "no-cli",
    // One listener address, so RFC 5780 is off anyway; say so (no alternate port is bound) and
    // keep the Debian package defaults for Binding responses.
    "no-rfc5780",
    "no-stun-backward-compatibility",
    "response-origin-only-with-rfc5780",
    "log-file=stdout",
    "simple-log",
    // Session lines ("new", "refreshed", "delete: realm=<…>, username=<…>") need `verbose`.
    "verbose",
    `pidfile=${join(dir, "turnserver.pid")}`,
    `userdb=${join(dir, "turndb")}`,
    `realm=${configValue("realm", options.auth.realm)}`,
  ];
  if (options.auth.kind === "long-term") {
    lines.push("lt-cred-mech");
    const users = Object.entries(options.auth.users);
    if (users.length === 0) throw new Error("coturn long-term auth needs at least one user");
    for (const [name, password] of users) {
      lines.push(
        `user=${configValue("user name", name, ":")}:${configValue("password", password)}`,
      );
    }
  } else {
    lines.push(
      "use-auth-secret",
      `static-auth-secret=${configValue("secret", options.auth.secret)}`,
    );
  }
  if (tlsPort !== undefined) {
    lines.push(`cert=${join(dir, "cert.pem")}`, `pkey=${join(dir, "key.pem")}`);
  } else {
    lines.push("no-tls");
  }
  if (options.relayPorts !== undefined) {
    const { min, max } = options.relayPorts;
    if (!(
      positiveInt("relayPorts.min", min) <= positiveInt("relayPorts.max", max) && max <= 65535
    )) {
      throw new Error(`coturn relayPorts ${min}–${max} is not a port range`);
    }
    lines.push(`min-port=${min}`, `max-port=${max}`);
  }
  if (options.maxAllocateLifetime !== undefined) {
    lines.push(
      `max-allocate-lifetime=${positiveInt("maxAllocateLifetime", options.maxAllocateLifetime)}`,
    );
  }
  if (options.permissionLifetime !== undefined) {
    lines.push(
      `permission-lifetime=${positiveInt("permissionLifetime", options.permissionLifetime)}`,
    );
  }
  if (options.channelLifetime !== undefined) {
    lines.push(`channel-lifetime=${positiveInt("channelLifetime", options.channelLifetime)}`);
  }
  return lines;
}

/** A self-signed EC certificate for CN/SAN 127.0.0.1 (also its own CA); returns the PEM. */
async function generateCertificate(dir: string): Promise<string> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
    "-days",
    "2",
    "-subj",
    `/CN=${COTURN_HOST}`,
    "-addext",
    `subjectAltName=IP:${COTURN_HOST}`,
  ]);
  return readFile(join(dir, "cert.pem"), "utf8");
}

// ---------------------------------------------------------------------------------------------
// Readiness probes (each loops until it succeeds or `signal` aborts)

/** Sends STUN Binding requests over UDP until a success response with XOR-MAPPED-ADDRESS. */
function waitForStunBinding(port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const transactionId = createTransactionId(cryptoRng);
    const request = encodeStunMessage(
      { class: "request", method: StunMethod.Binding, transactionId, attributes: [] },
      { fingerprint: true },
    );
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      clearInterval(timer);
      signal.removeEventListener("abort", onAbort);
      socket.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(signal.reason as Error);
    if (signal.aborted) {
      socket.close();
      reject(signal.reason as Error);
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    socket.on("error", () => undefined); // e.g. ECONNREFUSED reports; keep sending
    socket.on("message", (bytes) => {
      try {
        const message = decodeStunMessage(bytes);
        if (
          message.class === "success" &&
          message.method === StunMethod.Binding &&
          Buffer.from(message.transactionId).equals(transactionId) &&
          getAttribute(message, "XOR-MAPPED-ADDRESS") !== undefined
        ) {
          finish();
        }
      } catch {
        /* not for us */
      }
    });
    socket.bind({ address: COTURN_HOST, port: 0 }, () => {
      const send = (): void => socket.send(request, port, COTURN_HOST);
      send();
      timer = setInterval(send, 50);
    });
  });
}

/** Connects over TCP (and completes a verified TLS handshake when `ca` is given) until it works. */
async function waitForStream(
  port: number,
  ca: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket =
        ca === undefined
          ? netConnect({ host: COTURN_HOST, port })
          : tlsConnect({ host: COTURN_HOST, port, ca });
      const done = (result: boolean): void => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve(result);
      };
      const onAbort = (): void => done(false);
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once(ca === undefined ? "connect" : "secureConnect", () => done(true));
      socket.once("error", () => done(false));
    });
    if (ok) return;
    await delay(50, signal);
  }
}

// ---------------------------------------------------------------------------------------------
// Starting

/**
 * Starts a throwaway turnserver on 127.0.0.1 and resolves once it answers a STUN Binding over
 * UDP, accepts TCP connections and (with `tls`) completes a TLS handshake that verifies the
 * generated certificate. Retries on other ports when coturn cannot bind its listeners; rejects
 * with the captured log when it does not become ready within `startTimeoutMs`.
 */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  await requireCoturn();
  let ca: string | undefined;
  const server = await startServer({
    name: "coturn",
    ports: options.tls === true ? ["tcp+udp", "tcp"] : ["tcp+udp"],
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    bindFailure: BIND_FAILURE,
    async prepare(dir) {
      if (options.tls === true) ca = await generateCertificate(dir);
    },
    async configure([port, tlsPort], dir) {
      const config = join(dir, "turnserver.conf");
      await writeFile(config, `${configLines(options, dir, port!, tlsPort).join("\n")}\n`);
      return ["turnserver", "-c", config, ...(options.extraArgs ?? [])];
    },
    ready: (_log, [port, tlsPort], signal) =>
      Promise.all([
        waitForStunBinding(port!, signal),
        waitForStream(port!, undefined, signal),
        tlsPort === undefined ? undefined : waitForStream(tlsPort, ca, signal),
      ]),
    describe: ([port, tlsPort]) =>
      `${COTURN_HOST} port ${port}${tlsPort === undefined ? "" : `, TLS port ${tlsPort}`}`,
  });
  const auth = options.auth;
  return {
    host: COTURN_HOST,
    port: server.ports[0]!,
    tlsPort: server.ports[1],
    ca,
    realm: auth.realm,
    auth: auth.kind,
    pid: server.pid,
    dir: server.dir,
    startupMs: server.startupMs,
    credentialsFor(user: string, ttlSeconds = 3_600): TurnCredentials {
      if (auth.kind === "static-auth-secret")
        return turnRestCredentials(auth.secret, user, ttlSeconds);
      const password = Object.hasOwn(auth.users, user) ? auth.users[user] : undefined;
      if (password === undefined)
        throw new Error(`coturn has no long-term user ${JSON.stringify(user)}`);
      return { username: user, password };
    },
    log: server.log,
    logMark: server.logMark,
    waitForLog: server.waitForLog,
    stop: server.stop,
  };
}
