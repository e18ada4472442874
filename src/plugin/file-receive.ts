/**
 * Receiving a file (XEP-0234 over a data channel, docs/file-transfer.md "Plugin"): an incoming
 * file-transfer session shows its offer as an {@link IncomingFile}; `receive()` reserves a safe
 * new file name, accepts the session, takes the channel the sender opens and runs a
 * {@link FileReceivePump}: the file appears under its name only once its hash is verified.
 */
import { randomBytes } from "node:crypto";
import { unlink } from "node:fs/promises";
import { JingleIceError } from "../common/errors.js";
import { FLAVOURS } from "../jingle/file-transfer-flavour.js";
import type { FileHash } from "../jingle/file-transfer-hash.js";
import { FileReceiver } from "../jingle/file-transfer-receiver.js";
import { buildFileTransferDescription, type FileDescription } from "../jingle/file-transfer.js";
import type { Reason } from "../jingle/model.js";
import type { DataChannel } from "../node/data-channel.js";
import { FileReceivePump, partialLength } from "../node/file-transfer-receive.js";
import type { FileChannel } from "../node/file-transfer-channel.js";
import { FileFallback } from "./file-fallback.js";
import { endedResult, sessionFlavour } from "./file-send.js";
import { reserveFile, reservePath, sanitizeFileName } from "./file-names.js";
import { FileTransfer, type FileTransferResult, type FileTransferRoutes } from "./file-transfer.js";
import type { JingleSession } from "./session.js";

/** Where {@link IncomingFile.receive} puts the file. */
export type ReceiveTarget =
  /** In this directory, under the peer's name made safe (`name (1).ext` if it exists). */
  | { readonly dir: string }
  /**
   * Exactly this path; the transfer is refused if it exists. With `resume`, the bytes kept in
   * `<path>.part` by an earlier attempt are not asked for again (XEP-0234 §5.3: a `<range/>`
   * in our session-accept), and a failed attempt keeps `<path>.part` (except on `media-error`:
   * those bytes are wrong).
   */
  | { readonly path: string; readonly resume?: boolean };

/** How long after our session-accept the sender has to open its channel, in ms. */
export const CHANNEL_TIMEOUT = 30_000;

/** An incoming file-transfer session: the offered file, and what to do with it. */
export class IncomingFile {
  constructor(
    readonly session: JingleSession,
    /** The file as offered: name (the peer's, unsanitized), size, media type, hashes… */
    readonly file: FileDescription & { readonly size: number },
    private readonly routes: FileTransferRoutes,
  ) {}

  private taken = false;

  /**
   * Accepts the session and receives the file to `target`.
   * @throws {JingleIceError} when called a second time for the same session.
   */
  receive(target: ReceiveTarget): FileTransfer {
    if (this.taken) throw new JingleIceError("receive() was called already for this session");
    this.taken = true;
    return new FileTransfer(this.session, (t) => runReceive(t, this.routes, this.file, target));
  }

  /** Refuses the file (session-terminate `decline`, XEP-0166 §6.7). */
  decline(text?: string): Promise<void> {
    return this.session.terminate("decline", text);
  }
}

async function runReceive(
  transfer: FileTransfer,
  routes: FileTransferRoutes,
  file: FileDescription & { readonly size: number },
  target: ReceiveTarget,
): Promise<FileTransferResult> {
  const { session } = transfer;
  let ended: Reason | undefined;
  const endedNow = new Promise<Reason>((resolve) =>
    session.once("terminated", (reason) => resolve((ended = reason))),
  );
  let path: string;
  try {
    path =
      "dir" in target
        ? await reserveFile(target.dir, sanitizeFileName(file.name))
        : await reservePath(target.path);
  } catch (error) {
    await session.terminate("general-error", "cannot store the file");
    throw error;
  }
  const resume = "path" in target && target.resume === true;
  const temp = resume ? `${path}.part` : `${path}.${randomBytes(6).toString("hex")}.part`;
  /** Removes the reserved name, and the partial file unless it may serve a later resume. */
  const cleanup = async (reason?: Reason): Promise<void> => {
    await unlink(path).catch(() => undefined);
    if (!resume || reason?.condition === "media-error") await unlink(temp).catch(() => undefined);
  };
  // XEP-0234 §5.3: ask only for what the partial file lacks (all of it when it is complete or
  // longer: that is not a prefix we can trust).
  const kept = resume ? await partialLength(temp) : 0;
  const range = kept > 0 && kept < file.size ? { offset: kept } : undefined;
  if (range !== undefined)
    session.localDescription = buildFileTransferDescription({ ...file, range });
  const route = routes.open(session);
  // ICE-UDP failing moves the transfer to In-Band Bytestreams (XEP-0261, file-fallback.ts).
  const fallback = new FileFallback(session, routes.fallback, file.size);
  let checked: readonly FileHash[] = file.hashes ?? [];
  let pump: FileReceivePump<FileReceiver> | undefined;
  let flavour = sessionFlavour(session);
  /** The pump over `channel`, started; `flavour` decides whether we send `<received/>`. */
  const run = async (channel: FileChannel): Promise<FileReceivePump<FileReceiver>> => {
    const profile = FLAVOURS[flavour];
    const receiver = new FileReceiver({
      file,
      content: { creator: "initiator", name: session.contentName },
      sendReceived: profile.receiverSendsReceived,
      ...(range !== undefined && { range }),
    });
    const p = new FileReceivePump({
      receiver,
      channel,
      path,
      tempPath: temp,
      signal: (s) => {
        if (s.type === "session-info") {
          void session.sendInfo(s.payload);
        } else {
          // After our <received/> (when the flavour sends one) we end the session ourselves,
          // as Conversations' receiver does (docs/field-notes.md); a sender that ends it too
          // crosses our terminate harmlessly.
          void session.terminate(s.reason.condition, s.reason.text);
        }
      },
      onEvent: (e) => {
        if (e.type === "progress") transfer.emit("progress", e.bytes, e.total);
      },
    });
    pump = p;
    // The pump listens from its first, synchronous step (a resume holds what comes while it
    // reads the partial file), so no message is missed.
    const started = p.start();
    route.attach((info) => {
      if (info.kind === "checksum") checked = info.hashes;
      p.handleInfo(info);
    });
    await started;
    return p;
  };
  // The sender opens the channel (docs/file-transfer.md, "Flavours"): the first one is the file's.
  let onChannel: (channel: DataChannel) => void = () => undefined;
  const started = new Promise<FileReceivePump<FileReceiver>>((resolve, reject) => {
    onChannel = (channel: DataChannel): void => {
      session.off("datachannel", onChannel);
      fallback.commit();
      run(channel).then(resolve, reject);
    };
    session.on("datachannel", onChannel);
  });
  // Or the transfer moved to In-Band Bytestreams.
  const moved = fallback.channel.then((ibb) => {
    if (ibb === undefined) return new Promise<never>(() => undefined);
    session.off("datachannel", onChannel);
    flavour = "ibb";
    return run(ibb);
  });
  session.on("terminated", (reason) => pump?.handleTerminate(reason));
  try {
    const offered = session.offeredTransport;
    // An offer on IBB from the start (XEP-0261): accepted as such, no ICE.
    if (offered !== undefined) void fallback.acceptOffered(offered);
    else await session.accept();
  } catch {
    if (!fallback.active) {
      await cleanup(ended);
      return endedResult(ended ?? { condition: "connectivity-error" }, flavour);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const noChannel = new Promise<"no-channel">((resolve) => {
    timer = setTimeout(() => resolve("no-channel"), CHANNEL_TIMEOUT);
  });
  const first = await Promise.race([started, moved, endedNow, noChannel]);
  clearTimeout(timer);
  if (!(first instanceof FileReceivePump)) {
    const reason: Reason =
      first === "no-channel"
        ? { condition: "timeout", text: "the sender opened no data channel" }
        : first;
    if (session.state !== "ended") await session.terminate(reason.condition, reason.text);
    await cleanup(reason);
    return endedResult(reason, flavour);
  }
  const result = await first.result;
  if (result.path === undefined) await cleanup(result.reason);
  const success = result.reason.condition === "success";
  return {
    reason: result.reason,
    bytes: result.bytes,
    verified: result.verified,
    hashes: success ? checked : [],
    ...(result.path !== undefined && { path: result.path }),
    flavour,
  };
}
