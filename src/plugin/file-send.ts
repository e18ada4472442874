/**
 * Sending a file (XEP-0234 over a data channel, docs/file-transfer.md "Plugin"): the session
 * offers the file, the sender opens the channel of its flavour once SCTP is up, and a
 * {@link FileSendPump} moves the bytes with back-pressure; the peer's `<received/>` or
 * session-terminate ends it.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { JingleIceError } from "../common/errors.js";
import {
  FLAVOURS,
  chunkSizeFor,
  flavourOf,
  type FileTransferFlavour,
} from "../jingle/file-transfer-flavour.js";
import type { FileHash } from "../jingle/file-transfer-hash.js";
import { parseFileTransferInfo } from "../jingle/file-transfer-info.js";
import { FileSender } from "../jingle/file-transfer-sender.js";
import {
  parseFileTransferDescription,
  type FileDescription,
  type FileRange,
} from "../jingle/file-transfer.js";
import type { Reason, SctpVariant } from "../jingle/model.js";
import type { DataChannel } from "../node/data-channel.js";
import type { FileChannel } from "../node/file-transfer-channel.js";
import { FileSendPump } from "../node/file-transfer-send.js";
import { SCTP_CLOSE_DEADLINE } from "./data-channels.js";
import { FileFallback } from "./file-fallback.js";
import type { FileTransfer, FileTransferResult, FileTransferRoutes } from "./file-transfer.js";
import type { JingleSession } from "./session.js";

/** Options of `JingleIce.sendFile`. */
export interface SendFileOptions {
  /** The name offered. @default the path's base name */
  readonly name?: string;
  /** The media type offered (e.g. `image/png`). */
  readonly mediaType?: string;
  /** A description offered with the file. */
  readonly desc?: string;
  /** The data-channel signalling variant (and so the flavour). @default "auto" */
  readonly sctpVariant?: SctpVariant | "auto";
  /** Aborting cancels the transfer (session-terminate `cancel`). */
  readonly signal?: AbortSignal;
}

/** The file to offer for `path`. @throws when it is not a readable regular file. */
export async function describeFile(
  path: string,
  options: SendFileOptions,
): Promise<FileDescription & { readonly size: number }> {
  const s = await stat(path);
  if (!s.isFile()) throw new JingleIceError(`${path} is not a regular file`);
  return {
    name: options.name ?? basename(path),
    size: s.size,
    ...(options.mediaType !== undefined && { mediaType: options.mediaType }),
    ...(options.desc !== undefined && { desc: options.desc }),
  };
}

/** The flavour that goes with the session's data-channel signalling. */
export function sessionFlavour(session: JingleSession): FileTransferFlavour {
  return flavourOf(session.sctpVariant === "webrtc-datachannel" ? "webrtc-datachannel" : "sctpmap");
}

/** The session's end as a result, for a transfer that never started moving bytes. */
export function endedResult(reason: Reason, flavour?: FileTransferFlavour): FileTransferResult {
  return { reason, bytes: 0, verified: false, hashes: [], ...(flavour && { flavour }) };
}

/**
 * Runs the sending side of `session` (one we initiated with the offer of `file`): see the
 * module comment. Resolves with how it ended.
 */
export async function runSend(
  transfer: FileTransfer,
  routes: FileTransferRoutes,
  file: FileDescription & { readonly size: number },
  path: string,
  signal: AbortSignal | undefined,
): Promise<FileTransferResult> {
  const { session } = transfer;
  let ended: Reason | undefined;
  session.once("terminated", (reason) => (ended = reason));
  const route = routes.open(session);
  // ICE-UDP failing moves the transfer to In-Band Bytestreams (XEP-0261, file-fallback.ts).
  const fallback = new FileFallback(session, routes.fallback, file.size);
  try {
    await session.connect(signal === undefined ? {} : { signal });
    fallback.commit();
  } catch {
    if (!fallback.active) return endedResult(ended ?? { condition: "connectivity-error" });
  }
  let flavour: FileTransferFlavour;
  let channel: { readonly close: () => void } & FileChannel;
  let chunkSize: number;
  if (fallback.active) {
    flavour = "ibb";
    const ibb = await fallback.channel;
    if (ibb === undefined) return endedResult(ended ?? { condition: "failed-transport" }, flavour);
    channel = ibb;
    chunkSize = chunkSizeFor(flavour, ibb.blockSize);
  } else {
    flavour = sessionFlavour(session);
    const profile = FLAVOURS[flavour];
    // The sender opens the channel, in both flavours (docs/file-transfer.md, "Flavours").
    const dc = session.createDataChannel(profile.label, { protocol: profile.protocol });
    if (!(await opened(dc, session)))
      return endedResult(ended ?? { condition: "failed-transport" }, flavour);
    channel = dc;
    chunkSize = chunkSizeFor(flavour, session.sctp?.maxMessageSize);
  }
  // XEP-0234 §5.3: the receiver may ask for part of the file only (it resumes).
  const range = answeredRange(session, file.size);
  if (range === "invalid") {
    await session.terminate("failed-application", "the requested range lies outside the file");
    return endedResult(ended ?? { condition: "failed-application" }, flavour);
  }
  const sender = new FileSender({
    file,
    content: { creator: "initiator", name: session.contentName },
    chunkSize,
  });
  let hashes: readonly FileHash[] = [];
  const pump = new FileSendPump({
    sender,
    channel: lingering(channel, SCTP_CLOSE_DEADLINE),
    path,
    signal: (s) => {
      if (s.type === "session-info") {
        const info = parseFileTransferInfo(s.payload);
        if (info?.kind === "checksum") hashes = info.hashes;
        void session.sendInfo(s.payload);
      } else if (session.state !== "ended") {
        void session.terminate(s.reason.condition, s.reason.text);
      }
    },
    onEvent: (e) => {
      if (e.type === "progress") transfer.emit("progress", e.bytes, e.total);
    },
  });
  route.attach((info) => pump.handleInfo(info));
  session.on("terminated", (reason) => pump.handleTerminate(reason));
  if (ended !== undefined) pump.handleTerminate(ended);
  signal?.addEventListener("abort", () => pump.abort({ condition: "cancel" }), { once: true });
  const outcome = await pump.run(range);
  channel.close();
  if (session.state !== "ended")
    await session.terminate(outcome.reason.condition, outcome.reason.text);
  // The receiver ends with success only once it verified the hash (ours, or the peer's own rule).
  return { ...outcome, verified: outcome.reason.condition === "success", hashes, flavour };
}

/** The range the receiver's session-accept asked for: none, one inside the file, or "invalid". */
function answeredRange(session: JingleSession, size: number): FileRange | undefined | "invalid" {
  const answer = session.remoteDescription;
  if (answer === undefined) return undefined;
  let range: FileRange | undefined;
  try {
    range = parseFileTransferDescription(answer).range;
  } catch {
    return "invalid";
  }
  if (range === undefined) return undefined;
  const end = range.offset + (range.length ?? size - range.offset);
  return range.offset > size || end > size ? "invalid" : range;
}

/** Resolves true once `channel` is open, false if it closes or the session ends first. */
function opened(channel: DataChannel, session: JingleSession): Promise<boolean> {
  if (channel.readyState === "open") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean) => (): void => {
      channel.off("open", yes);
      channel.off("close", no);
      session.off("terminated", no);
      resolve(value);
    };
    const yes = done(true);
    const no = done(false);
    channel.on("open", yes);
    channel.on("close", no);
    session.on("terminated", no);
  });
}

/**
 * `channel` as the pump sees it, with its `close` held back for `graceMs`: a receiver that
 * verified the file may end the session (SCTP shutdown) a moment before its session-terminate
 * arrives over XMPP, and that terminate — not the closed channel — is the outcome.
 */
export function lingering(channel: FileChannel, graceMs: number): FileChannel {
  const delayed = new Map<() => void, { listener: () => void; timer?: NodeJS.Timeout }>();
  const proxy = {
    send: (data: Uint8Array) => channel.send(data),
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    get bufferedAmountLowThreshold() {
      return channel.bufferedAmountLowThreshold;
    },
    set bufferedAmountLowThreshold(value: number) {
      channel.bufferedAmountLowThreshold = value;
    },
    get readyState() {
      return channel.readyState;
    },
    on(event: string, listener: (...args: never[]) => void) {
      if (event !== "close")
        return channel.on(event as "bufferedamountlow", listener as () => void);
      const entry: { listener: () => void; timer?: NodeJS.Timeout } = {
        listener: () => {
          entry.timer = setTimeout(listener as () => void, graceMs);
          entry.timer.unref();
        },
      };
      delayed.set(listener as () => void, entry);
      return channel.on("close", entry.listener);
    },
    off(event: string, listener: (...args: never[]) => void) {
      if (event !== "close")
        return channel.off(event as "bufferedamountlow", listener as () => void);
      const entry = delayed.get(listener as () => void);
      if (entry === undefined) return channel;
      delayed.delete(listener as () => void);
      clearTimeout(entry.timer);
      return channel.off("close", entry.listener);
    },
  };
  return proxy as FileChannel;
}
