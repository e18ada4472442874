// What the throwaway XMPP servers of the tests (prosody.ts, ejabberd.ts) have in common: the
// XmppServer handle that e2e tests loop over, the options both take, the XEP-0215 services they
// announce, a c2s readiness probe, and connectClient(), which logs an @xmpp/client in to either.
// xmpp-servers.ts starts one by kind. Both listen for c2s on 127.0.0.1 without TLS and offer
// SASL PLAIN and SCRAM-SHA-1 there.
import { connect as netConnect } from "node:net";
import { client as untypedClient } from "@xmpp/client";
import type { ServerProcess } from "./server-process.js";
import { LOOPBACK, delay } from "./server-process.js";

/** The XMPP domain when none is given; `.test` is reserved (RFC 6761). */
export const DEFAULT_DOMAIN = "jingle.test";
const DEFAULT_LOGIN_TIMEOUT_MS = 10_000;

/** The XMPP servers the tests can start. */
export type XmppServerKind = "prosody" | "ejabberd";

/**
 * One XEP-0215 service the server announces (Prosody's mod_external_services, ejabberd's
 * mod_stun_disco).
 */
export interface ExternalService {
  readonly type: "stun" | "turn" | "stuns" | "turns";
  readonly host: string;
  readonly port: number;
  /** @default none (Prosody warns and leaves the attribute out; ejabberd announces udp) */
  readonly transport?: "udp" | "tcp";
  /**
   * Static credentials, announced as restricted (Prosody only). With `secret`: the user part of
   * the name (Prosody only; ejabberd makes one up).
   */
  readonly username?: string;
  readonly password?: string;
  /**
   * TURN REST API shared secret (coturn `static-auth-secret`): the server hands out username
   * `${expiry}:${name}` and password base64(HMAC-SHA1(secret, username)); restricted. ejabberd
   * has one secret for all its services.
   */
  readonly secret?: string;
  /** Lifetime of secret-derived credentials, seconds. @default Prosody's 86400, ejabberd's 43200 */
  readonly ttl?: number;
  /** Announce `restricted` even without credentials. */
  readonly restricted?: boolean;
}

/** What every server harness takes. */
export interface XmppServerOptions {
  /** The served domain; clients connect to 127.0.0.1 and ask for it. @default "jingle.test" */
  readonly domain?: string;
  /** localpart → password; the accounts exist once the server is ready. */
  readonly users?: Readonly<Record<string, string>>;
  /** Answer XEP-0215 queries with these services. */
  readonly externalServices?: readonly ExternalService[];
  /**
   * Keep Nagle's algorithm on c2s sockets (both servers' default). Off by default: with Nagle and
   * delayed ACKs every IQ round trip on loopback costs ~40 ms (docs/field-notes.md); on measurements only.
   */
  readonly nagle?: boolean;
  /** How long one start attempt may take before it fails with the log. */
  readonly startTimeoutMs?: number;
}

/** A username/password pair for @xmpp/client. */
export interface XmppCredentials {
  readonly username: string;
  readonly password: string;
}

/** A running XMPP server; its process, log and stop() are those of {@link ServerProcess}. */
export interface XmppServer extends Omit<ServerProcess, "ports"> {
  readonly kind: XmppServerKind;
  readonly domain: string;
  readonly host: typeof LOOPBACK;
  /** The c2s port (plain TCP, STARTTLS not offered). */
  readonly port: number;
  /** `xmpp://127.0.0.1:<port>`, for @xmpp/client's `service` (with `domain`). */
  readonly service: string;
  /** `user@domain` (throws for a user not in `users`). */
  jid(user: string): string;
  /** The configured credentials of `user` (throws for a user not in `users`). */
  credentials(user: string): XmppCredentials;
}

/** The {@link XmppServer} of a started server whose c2s port is `server.ports[0]`. */
export function xmppServer<K extends XmppServerKind>(
  kind: K,
  server: ServerProcess,
  domain: string,
  users: ReadonlyMap<string, string>,
): XmppServer & { readonly kind: K } {
  const known = (user: string): string => {
    const password = users.get(user);
    if (password === undefined) {
      throw new Error(`${kind} ${domain} has no user ${JSON.stringify(user)}`);
    }
    return password;
  };
  const port = server.ports[0]!;
  return {
    kind,
    domain,
    host: LOOPBACK,
    port,
    service: `xmpp://${LOOPBACK}:${port}`,
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

/** Lowercase LDH labels, so the name is its own nameprep and a safe file name. */
export function checkDomain(domain: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new Error(`XMPP domain ${JSON.stringify(domain)}: use lowercase LDH labels`);
  }
  return domain;
}

/**
 * Localparts are restricted to what nodeprep leaves unchanged (lowercase ASCII letters, digits,
 * `.`, `_`, `-`): the servers look accounts up by the prepped name, so an account stored under
 * any other spelling would never be found.
 */
export function checkLocalpart(user: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(user)) {
    throw new Error(`XMPP user ${JSON.stringify(user)}: use lowercase a-z, 0-9, '.', '_', '-'`);
  }
  return user;
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

// The tests use a few members the community types (@types/xmpp__client) describe differently:
// cast once, through unknown, to what the tests use.
const createXmppClient = untypedClient as unknown as (options: XmppClientOptions) => XmppTestClient;

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
    const socket = netConnect({ host: LOOPBACK, port });
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
export async function waitForC2s(
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
// Clients

/**
 * How connectClient authenticates. Both are offered without TLS on these instances. xmpp.js's own
 * choice on a plain TCP socket is SCRAM-SHA-1 (it never picks PLAIN without TLS), and that costs
 * ~0.9 s per login on this kind of machine: Prosody's internal_plain salts with a fixed 10000
 * iterations (ejabberd's plain storage uses 4096) and xmpp.js computes PBKDF2 as 10000 awaited WebCrypto HMAC calls. PLAIN logs in
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
  server: XmppServer,
  user: string,
  resource: string,
  options: ConnectOptions = {},
): Promise<XmppTestClient> {
  const credentials = server.credentials(user);
  const mechanism = options.mechanism ?? "PLAIN";
  const xmpp = createXmppClient({
    service: server.service,
    domain: server.domain,
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
      `${user}@${server.domain}/${resource} could not log in to ${server.service}: ` +
        `${(err as Error).message}${emitted === "" ? "" : ` (client errors: ${emitted})`}\n` +
        `--- ${server.kind} log ---\n${server.log()}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return xmpp;
}

/** Clients logged in by {@link ClientPool.login}, stopped together at the end of a test file. */
export interface ClientPool {
  /** {@link connectClient}, keeping the client for {@link ClientPool.stopAll}. */
  login(
    server: XmppServer,
    user: string,
    resource: string,
    options?: ConnectOptions,
  ): Promise<XmppTestClient>;
  /** Stops every client (errors ignored); call it before stopping the servers. */
  stopAll(): Promise<void>;
}

/** A new, empty {@link ClientPool}. */
export function clientPool(): ClientPool {
  const clients: XmppTestClient[] = [];
  return {
    async login(server, user, resource, options) {
      const client = await connectClient(server, user, resource, options);
      clients.push(client);
      return client;
    },
    async stopAll() {
      await Promise.all(clients.splice(0).map((c) => c.stop().catch(() => undefined)));
    },
  };
}
