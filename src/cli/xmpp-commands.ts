/**
 * `jingle-ice call <full-jid>` and `jingle-ice answer`: Jingle ICE-UDP sessions over a real XMPP
 * account, the tool for testing interop with Jabber clients. Progress goes to stderr as text, or
 * to stdout as JSON lines with `--json` (the same shape as `jingle-ice peer`).
 */
import { isAllowed, parseAllowList } from "./allow-list.js";
import { parseArgs } from "node:util";
import { xml } from "@xmpp/xml";
import type { Client } from "@xmpp/client";
import { jingleIceUdp, type JingleIceOptions } from "../plugin/jingle-ice.js";
import { JingleSessionError } from "../plugin/session.js";
import type { Reason } from "../jingle/model.js";
import { ping, reportDtls, reportPair, reporter, type Report } from "./progress.js";
import { JingleIceError } from "../common/errors.js";
import { UsageError } from "./errors.js";
import { readSecret } from "./secrets.js";
import { turnOptionSpecs, turnServersFromArgs } from "./turn-options.js";

/** Options shared by `call` and `answer`. */
export interface XmppCommandOptions {
  readonly service: string;
  readonly jid: string;
  readonly password: string;
  /** Give up when not online within this many ms. */
  readonly loginTimeoutMs: number;
  readonly ice: NonNullable<JingleIceOptions["ice"]>;
  readonly iceServersAuto: boolean;
  readonly json: boolean;
  /** `--no-dtls`: plaintext sessions (only with peers that offer no fingerprint either). */
  readonly dtls: boolean;
  /** `--offline-timeout`: the plugin's `offlineTimeoutMs`, when given. */
  readonly offlineTimeoutMs?: number;
}

export interface CallOptions extends XmppCommandOptions {
  readonly peer: string;
  readonly pings: number;
  /** Milliseconds between one ping's answer (or loss) and the next ping. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface AnswerOptions extends XmppCommandOptions {
  /** Normalized bare or full JIDs to accept sessions from; empty with `allowAnyone`. */
  readonly allow: readonly string[];
  readonly allowAnyone: boolean;
  readonly once: boolean;
}

const common = {
  service: { type: "string" },
  jid: { type: "string" },
  password: { type: "string" },
  "password-file": { type: "string" },
  "login-timeout": { type: "string", default: "20000" },
  "offline-timeout": { type: "string" },
  bind: { type: "string", multiple: true, default: [] },
  stun: { type: "string", multiple: true, default: [] },
  ...turnOptionSpecs,
  "relay-only": { type: "boolean", default: false },
  "ice-servers": { type: "string" },
  json: { type: "boolean", default: false },
  "no-dtls": { type: "boolean", default: false },
} as const;

/** The options every XMPP command takes, from parsed `values`. */
export function commonOptions(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): XmppCommandOptions {
  const service = (values["service"] as string | undefined) ?? env["XMPP_SERVICE"];
  const jid = (values["jid"] as string | undefined) ?? env["XMPP_JID"];
  const password = readSecret({
    flag: values["password"] as string | undefined,
    file: values["password-file"] as string | undefined,
    env: env["XMPP_PASSWORD"],
    fileFlag: "--password-file",
  });
  if (!service || !jid || !password) {
    throw new UsageError(
      "--service, --jid and a password (--password-file, or XMPP_SERVICE, XMPP_JID, XMPP_PASSWORD) are required",
    );
  }
  const loginTimeoutMs = Number(values["login-timeout"]);
  if (!Number.isFinite(loginTimeoutMs) || loginTimeoutMs <= 0)
    throw new UsageError("--login-timeout takes a number of milliseconds");
  const turnServers = turnServersFromArgs(
    {
      turn: values["turn"] as string[],
      "turn-user": values["turn-user"] as string | undefined,
      "turn-pass": values["turn-pass"] as string | undefined,
      "turn-pass-file": values["turn-pass-file"] as string | undefined,
      "turn-transport": values["turn-transport"] as string,
    },
    env,
  );
  const iceServers = values["ice-servers"] as string | undefined;
  if (iceServers !== undefined && iceServers !== "auto")
    throw new UsageError("--ice-servers takes only 'auto'");
  const bind = values["bind"] as string[];
  const offline = values["offline-timeout"] as string | undefined;
  const offlineTimeoutMs = offline === undefined ? undefined : Number(offline);
  if (
    offlineTimeoutMs !== undefined &&
    (!Number.isFinite(offlineTimeoutMs) || offlineTimeoutMs <= 0)
  )
    throw new UsageError("--offline-timeout takes a number of milliseconds");
  return {
    ...(offlineTimeoutMs !== undefined && { offlineTimeoutMs }),
    service,
    jid,
    password,
    loginTimeoutMs,
    iceServersAuto: iceServers === "auto",
    dtls: !(values["no-dtls"] as boolean),
    json: values["json"] as boolean,
    ice: {
      ...(bind.length > 0 ? { addresses: bind } : {}),
      stunServers: values["stun"] as string[],
      turnServers,
      relayOnly: values["relay-only"] as boolean,
    },
  };
}

/** Parses `args` with the options every XMPP command takes plus `extra`. */
export function parse(
  args: readonly string[],
  extra: Record<string, { type: "string" | "boolean"; multiple?: boolean; default?: unknown }>,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...common, ...extra } as never,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses `call` arguments. */
export function parseCallArgs(args: readonly string[], env: NodeJS.ProcessEnv = {}): CallOptions {
  const { values, positionals } = parse(args, {
    pings: { type: "string", default: "5" },
    interval: { type: "string", default: "0" },
    timeout: { type: "string", default: "30000" },
  });
  const v = values as Record<string, unknown>;
  const [peer] = positionals;
  if (peer === undefined || !peer.includes("/"))
    throw new UsageError("call needs the peer's full JID (user@domain/resource)");
  const pings = Number(v["pings"]);
  if (!Number.isInteger(pings) || pings < 0) throw new UsageError("--pings must be a whole number");
  const intervalMs = Number(v["interval"]);
  if (!Number.isFinite(intervalMs) || intervalMs < 0)
    throw new UsageError("--interval takes a number of milliseconds");
  return { ...commonOptions(v, env), peer, pings, intervalMs, timeoutMs: Number(v["timeout"]) };
}

/** Parses `answer` arguments. */
export function parseAnswerArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): AnswerOptions {
  const { values } = parse(args, {
    allow: { type: "string", multiple: true, default: [] },
    "allow-anyone": { type: "boolean", default: false },
    once: { type: "boolean", default: false },
  });
  const v = values as Record<string, unknown>;
  const { allow, allowAnyone } = parseAllowList(v, "answer");
  return { ...commonOptions(v, env), allow, allowAnyone, once: v["once"] as boolean };
}

/** Logging in failed (refused credentials, no server, or not online in time). */
export class LoginError extends JingleIceError {
  override readonly name = "LoginError";
}

/** Logs in and sets up the plugin (with `applications`, when given). */
export async function login(
  options: XmppCommandOptions,
  report: Report,
  policy?: JingleIceOptions["policy"],
  applications?: JingleIceOptions["applications"],
): Promise<{ xmpp: Client; jingle: ReturnType<typeof jingleIceUdp> }> {
  const { client } = await import("@xmpp/client").catch(() => {
    throw new Error("the call and answer commands need @xmpp/client: npm install @xmpp/client");
  });
  const [local = "", rest = ""] = options.jid.split("@");
  const [domain = "", resource] = rest.split("/");
  const xmpp = client({
    service: options.service,
    domain,
    username: local,
    password: options.password,
    ...(resource ? { resource } : {}),
  });
  xmpp.on("error", (error: Error) => report("error", { message: error.message }));
  // Faults (docs/plugin.md): the stream may drop and come back (xmpp.js reconnects) while the
  // sessions' channels carry on; say so.
  let wasOnline = false;
  xmpp.on("disconnect", () => {
    if (wasOnline) report("xmpp-disconnected");
  });
  xmpp.on("online", (jid: { toString(): string }) => {
    if (wasOnline) report("xmpp-reconnected", { jid: jid.toString() });
    wasOnline = true;
  });
  const jingle = jingleIceUdp(xmpp, {
    ice: options.ice,
    ...(options.iceServersAuto ? { iceServers: "auto" as const } : {}),
    dtls: options.dtls,
    ...(options.offlineTimeoutMs !== undefined && { offlineTimeoutMs: options.offlineTimeoutMs }),
    ...(policy !== undefined && { policy }),
    ...(applications !== undefined && { applications }),
  });
  // xmpp.js keeps reconnecting after a failed first login: give up, stop it, and say why.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      xmpp.start(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not online within ${options.loginTimeoutMs} ms`)),
          options.loginTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await xmpp.stop().catch(() => undefined);
    throw new LoginError(`login as ${options.jid} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
  // XEP-0115: clients see that we do Jingle ICE-UDP before they look further.
  await xmpp.send(xml("presence", {}, jingle.caps()));
  report("online", { jid: xmpp.jid?.toString() });
  return { xmpp, jingle };
}

/** Runs `call`: opens a session, pings, terminates. Exit 0 only when every ping was answered. */
export async function runCall(options: CallOptions): Promise<number> {
  const report = reporter(options.json, performance.now());
  let online: Awaited<ReturnType<typeof login>>;
  try {
    online = await login(options, report);
  } catch (error) {
    report("error", { message: (error as Error).message });
    return 1;
  }
  const { xmpp, jingle } = online;
  try {
    const session = jingle.initiate(options.peer);
    const started = performance.now();
    const timer = setTimeout(() => void session.terminate("timeout"), options.timeoutMs);
    const channel = await session.connect().finally(() => clearTimeout(timer));
    report("connected", {
      component: 1,
      connect_ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
    reportPair(channel, report);
    reportDtls(session, report);
    let ended: Reason | undefined;
    session.on("terminated", (reason) => (ended = reason));
    const rtts = await ping(channel, options.pings, options.intervalMs, () => ended !== undefined);
    if (ended !== undefined) {
      // The session ended under the pings (the peer's terminate, consent lost, …).
      report("error", {
        message: `session ended: ${ended.condition}${ended.text === undefined ? "" : ` (${ended.text})`}`,
        reason: ended.condition,
        pings_answered: rtts.length,
      });
      return 1;
    }
    const sorted = [...rtts].sort((a, b) => a - b);
    report("ping-done", {
      sent: options.pings,
      received: rtts.length,
      rtt_min_ms: sorted[0] ?? null,
      rtt_p50_ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? null,
      rtt_max_ms: sorted.at(-1) ?? null,
    });
    await session.terminate("success");
    if (rtts.length !== options.pings) {
      report("error", {
        message: `${options.pings - rtts.length} of ${options.pings} pings were not answered`,
      });
      return 1;
    }
    return 0;
  } catch (error) {
    const reason = error instanceof JingleSessionError ? { reason: error.reason } : {};
    report("error", { message: (error as Error).message, ...reason });
    return 1;
  } finally {
    await xmpp.stop().catch(() => undefined);
  }
}

/** Runs `answer`: accepts sessions (from `--allow` JIDs only, when given) and echoes datagrams. */
export async function runAnswer(options: AnswerOptions): Promise<number> {
  const report = reporter(options.json, performance.now());
  // Decided by the plugin before any candidate of ours leaves (XEP-0176 §10).
  const allowed = (peer: string): boolean => isAllowed(options, peer);
  report("policy", options.allowAnyone ? { anyone: true } : { allow: options.allow });
  let online: Awaited<ReturnType<typeof login>>;
  try {
    online = await login(options, report, (peer) => {
      if (!allowed(peer)) report("declined", { peer });
      return allowed(peer);
    });
  } catch (error) {
    report("error", { message: (error as Error).message });
    return 1;
  }
  const { xmpp, jingle } = online;
  return await new Promise<number>((resolve) => {
    // Sessions for another application or transport than ours are refused by the plugin.
    jingle.on("refused", ({ peer, sid, reason }) =>
      report("refused", { peer, sid, reason: reason.condition, text: reason.text ?? null }),
    );
    jingle.on("error", (error) => report("error", { message: error.message }));
    jingle.on("incoming", (session) => {
      report("incoming", { peer: session.peer, sid: session.sid });
      session.on("terminated", (reason) => {
        report("terminated", {
          peer: session.peer,
          reason: reason.condition,
          text: reason.text ?? null,
        });
        if (options.once) void xmpp.stop().finally(() => resolve(0));
      });
      session
        .accept()
        .then((channel) => {
          reportPair(channel, report);
          reportDtls(session, report);
          channel.on("message", (data) => {
            const text = new TextDecoder().decode(data);
            const match = /^ping (\d+)/.exec(text);
            channel.send(new TextEncoder().encode(match ? `pong ${match[1]}` : `echo:${text}`));
          });
        })
        .catch((error: Error) => report("error", { message: error.message }));
    });
    process.once("SIGINT", () => void xmpp.stop().finally(() => resolve(0)));
  });
}
