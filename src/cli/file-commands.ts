/**
 * `jingle-ice send <full-jid> <path>` and `jingle-ice receive --dir D`: XEP-0234 file transfer
 * over data channels with the plugin (docs/cli.md, docs/file-transfer.md). Progress as text on
 * stderr, or JSON lines on stdout with `--json`. Exit status: 0 when the file arrived verified,
 * 1 when the transfer failed or was declined (the `reason` says which), 2 for usage errors.
 */
import { isAllowed, parseAllowList } from "./allow-list.js";
import type { FileHash } from "../jingle/file-transfer-hash.js";
import type { SctpVariant } from "../jingle/model.js";
import { fileTransferApplication, type FileTransferResult } from "../plugin/file-transfer.js";
import type { FileTransfer } from "../plugin/file-transfer.js";
import { UsageError } from "./errors.js";
import { reporter, type Report } from "./progress.js";
import { ProgressBar, progressFigures } from "./progress-bar.js";
import { commonOptions, login, parse, type XmppCommandOptions } from "./xmpp-commands.js";

/** A progress line at most every this many bytes (and at the end). */
export const PROGRESS_STEP = 1024 * 1024;

export interface SendOptions extends XmppCommandOptions {
  readonly peer: string;
  readonly path: string;
  readonly name?: string;
  readonly mediaType?: string;
  readonly variant: SctpVariant | "auto";
}

export interface ReceiveOptions extends XmppCommandOptions {
  readonly dir: string;
  readonly allow: readonly string[];
  readonly allowAnyone: boolean;
  readonly once: boolean;
  /** Larger offers are declined. */
  readonly maxSize?: number;
}

/** Parses `send` arguments. */
export function parseSendArgs(args: readonly string[], env: NodeJS.ProcessEnv = {}): SendOptions {
  const { values, positionals } = parse(args, {
    name: { type: "string" },
    "media-type": { type: "string" },
    variant: { type: "string", default: "auto" },
  });
  const v = values as Record<string, unknown>;
  const [peer, path, ...extra] = positionals;
  if (peer === undefined || !peer.includes("/"))
    throw new UsageError("send needs the peer's full JID (user@domain/resource)");
  if (path === undefined || extra.length > 0) throw new UsageError("send needs one file path");
  const variant = v["variant"] as string;
  if (variant !== "auto" && variant !== "sctpmap" && variant !== "webrtc-datachannel")
    throw new UsageError("--variant takes auto, sctpmap or webrtc-datachannel");
  const name = v["name"] as string | undefined;
  const mediaType = v["media-type"] as string | undefined;
  return {
    ...commonOptions(v, env),
    peer,
    path,
    variant,
    ...(name !== undefined && { name }),
    ...(mediaType !== undefined && { mediaType }),
  };
}

/** Parses `receive` arguments. */
export function parseReceiveArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ReceiveOptions {
  const { values, positionals } = parse(args, {
    dir: { type: "string" },
    allow: { type: "string", multiple: true, default: [] },
    "allow-anyone": { type: "boolean", default: false },
    once: { type: "boolean", default: false },
    "max-size": { type: "string" },
  });
  const v = values as Record<string, unknown>;
  if (positionals.length > 0) throw new UsageError("receive takes no positional arguments");
  const dir = v["dir"] as string | undefined;
  if (dir === undefined) throw new UsageError("receive needs --dir DIR");
  const { allow, allowAnyone } = parseAllowList(v, "receive");
  const max = v["max-size"] as string | undefined;
  const maxSize = max === undefined ? undefined : Number(max);
  if (maxSize !== undefined && (!Number.isSafeInteger(maxSize) || maxSize < 0))
    throw new UsageError("--max-size takes a number of bytes");
  return {
    ...commonOptions(v, env),
    dir,
    allow,
    allowAnyone,
    once: v["once"] as boolean,
    ...(maxSize !== undefined && { maxSize }),
  };
}

/** The hashes as `{ "sha-256": base64, … }`. */
function hashFields(hashes: readonly FileHash[]): Record<string, string> {
  return Object.fromEntries(hashes.map((h) => [h.algo, Buffer.from(h.value).toString("base64")]));
}

/**
 * Progress: a bar redrawn in place when `bar` is given (a terminal), else lines at most one per
 * {@link PROGRESS_STEP} bytes and the last one, with the rate (bytes/s) and the ETA (s).
 */
function reportProgress(
  transfer: FileTransfer,
  report: Report,
  fields: Record<string, unknown>,
  bar: ProgressBar | undefined,
) {
  const started = performance.now();
  let next = PROGRESS_STEP;
  transfer.on("progress", (bytes, total) => {
    const f = progressFigures(bytes, total, performance.now() - started);
    if (bar !== undefined) return bar.update(f);
    if (bytes < next && bytes < total) return;
    next = bytes + PROGRESS_STEP;
    const eta = f.eta === undefined ? null : Math.round(f.eta * 10) / 10;
    report("progress", { ...fields, bytes, total, rate: Math.round(f.rate), eta });
  });
}

/** A bar on stderr when it is a terminal and the output is text, else none. */
function terminalBar(json: boolean): ProgressBar | undefined {
  return !json && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
}

function reportDone(report: Report, result: FileTransferResult, fields: Record<string, unknown>) {
  const ok = result.reason.condition === "success";
  report(ok ? "done" : "error", {
    ...fields,
    reason: result.reason.condition,
    ...(result.reason.text !== undefined && { text: result.reason.text }),
    bytes: result.bytes,
    verified: result.verified,
    flavour: result.flavour ?? null,
    ...(result.path !== undefined && { path: result.path }),
    hashes: hashFields(result.hashes),
  });
  return ok ? 0 : 1;
}

/** Runs `send`. Exit 0 only when the receiver verified the file. */
export async function runSend(options: SendOptions): Promise<number> {
  const report = reporter(options.json, performance.now());
  let online: Awaited<ReturnType<typeof login>>;
  try {
    online = await login(options, report, undefined, [fileTransferApplication()]);
  } catch (error) {
    report("error", { message: (error as Error).message });
    return 1;
  }
  const { xmpp, jingle } = online;
  jingle.on("error", (error) => report("error", { message: error.message }));
  try {
    const transfer = await jingle.sendFile(options.peer, options.path, {
      sctpVariant: options.variant,
      ...(options.name !== undefined && { name: options.name }),
      ...(options.mediaType !== undefined && { mediaType: options.mediaType }),
    });
    report("offer", { peer: options.peer, sid: transfer.session.sid, path: options.path });
    const bar = terminalBar(options.json);
    reportProgress(transfer, report, {}, bar);
    const result = await transfer.result;
    bar?.finish();
    return reportDone(report, result, { peer: options.peer });
  } catch (error) {
    report("error", { message: (error as Error).message });
    return 1;
  } finally {
    await xmpp.stop().catch(() => undefined);
  }
}

/** Runs `receive`: accepts files from allowed JIDs into `--dir`; `--once` exits after one. */
export async function runReceive(options: ReceiveOptions): Promise<number> {
  const report = reporter(options.json, performance.now());
  const allowed = (peer: string): boolean => isAllowed(options, peer);
  report("policy", options.allowAnyone ? { anyone: true } : { allow: options.allow });
  let online: Awaited<ReturnType<typeof login>>;
  try {
    const application = fileTransferApplication(
      options.maxSize === undefined ? {} : { maxSize: options.maxSize },
    );
    online = await login(
      options,
      report,
      (peer) => {
        if (!allowed(peer)) report("declined", { peer });
        return allowed(peer);
      },
      [application],
    );
  } catch (error) {
    report("error", { message: (error as Error).message });
    return 1;
  }
  const { xmpp, jingle } = online;
  return await new Promise<number>((resolve) => {
    const stop = (code: number) => void xmpp.stop().finally(() => resolve(code));
    jingle.on("refused", ({ peer, sid, reason }) =>
      report("refused", { peer, sid, reason: reason.condition, text: reason.text ?? null }),
    );
    jingle.on("error", (error) => report("error", { message: error.message }));
    jingle.on("incoming", (session) => {
      const offer = jingle.incomingFile(session);
      if (offer === undefined) {
        void session.terminate("unsupported-applications");
        return;
      }
      const { name, size, mediaType } = offer.file;
      const fields = { peer: session.peer, sid: session.sid };
      report("incoming", { ...fields, name: name ?? null, size, media_type: mediaType ?? null });
      const transfer = offer.receive({ dir: options.dir });
      // One bar in place only when one transfer at a time is shown (--once).
      const bar = options.once ? terminalBar(options.json) : undefined;
      reportProgress(transfer, report, fields, bar);
      transfer.result.then(
        (result) => {
          bar?.finish();
          const code = reportDone(report, result, fields);
          if (options.once) stop(code);
        },
        (error: Error) => {
          report("error", { ...fields, message: error.message });
          if (options.once) stop(1);
        },
      );
    });
    process.once("SIGINT", () => stop(0));
  });
}
