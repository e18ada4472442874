/**
 * XEP-0234 file transfer over data channels, wired into the plugin (docs/file-transfer.md,
 * "Plugin"): the application to register, the handle a transfer is seen through, and the
 * routing of `<checksum/>` / `<received/>` session-info payloads (XEP-0234 §7, §8) to the
 * transfer of their session. Sending is in `file-send.ts`, receiving in `file-receive.ts`.
 */
import { EventEmitter } from "node:events";
import type { JingleApplication } from "../jingle/application.js";
import { buildStanzaError } from "../jingle/errors.js";
import {
  createFileTransferApplication,
  type FileTransferApplicationOptions,
} from "../jingle/file-transfer-application.js";
import { FileTransferParseError } from "../jingle/file-transfer-errors.js";
import type { FileTransferFlavour } from "../jingle/file-transfer-flavour.js";
import type { FileHash } from "../jingle/file-transfer-hash.js";
import { parseFileTransferInfo, type FileTransferInfo } from "../jingle/file-transfer-info.js";
import { NS_FILE_TRANSFER } from "../jingle/file-transfer.js";
import { NS_IBB } from "../jingle/ibb.js";
import { NS_JINGLE_IBB } from "../jingle/ibb-transport.js";
import type { Jingle, Reason } from "../jingle/model.js";
import type { FallbackHost } from "./file-fallback.js";
import type { JingleSession } from "./session.js";
import { toXmpp } from "./xmpp.js";

export { NS_FILE_TRANSFER };

/** XEP-0300 §6: hashes in Jingle. */
export const NS_HASHES = "urn:xmpp:hashes:2";
/** XEP-0300 §6: the feature naming a hash function we compute. */
export const hashFunctionFeature = (algo: string): string =>
  `urn:xmpp:hash-function-text-names:${algo}`;

/**
 * The file-transfer application (`urn:xmpp:jingle:apps:file-transfer:5`) for the plugin's
 * registry: {@link createFileTransferApplication} over data channels (`transport: "sctp"`),
 * advertising the file-transfer, hashes and sha-1 / sha-256 features (XEP-0234 §11,
 * XEP-0300 §6) and In-Band Bytestreams (XEP-0261 §6, XEP-0047 §5: offered by a peer, or our
 * fallback when ICE-UDP fails) — every one of them served. `accept` may refuse an offer before the session
 * is shown to the application (e.g. `decline` above a size).
 */
export function fileTransferApplication(
  options: Omit<FileTransferApplicationOptions, "offer"> = {},
): JingleApplication {
  return {
    ...createFileTransferApplication(options),
    transport: "sctp",
    // XEP-0234 §6.1: the initiator offers the file and sends it.
    senders: "initiator",
    // XEP-0261 In-Band Bytestreams: in a session-initiate, and as the fallback (file-fallback.ts).
    otherTransports: [NS_JINGLE_IBB],
    features: [
      NS_FILE_TRANSFER,
      NS_JINGLE_IBB,
      NS_IBB,
      NS_HASHES,
      hashFunctionFeature("sha-1"),
      hashFunctionFeature("sha-256"),
    ],
  };
}

/** How a transfer ended, on either side. */
export interface FileTransferResult {
  /** `success` only when every byte arrived and the hash was verified (by the receiver). */
  readonly reason: Reason;
  /** Bytes moved in this session. */
  readonly bytes: number;
  /** Receiver: whether the hash was checked and matched. Sender: whether the peer said so. */
  readonly verified: boolean;
  /**
   * The file's hashes: the sender's `<checksum/>` (sender), or those the receiver checked
   * against (receiver, on success). Empty when the transfer never got that far.
   */
  readonly hashes: readonly FileHash[];
  /** Receiver, on success: where the file is. */
  readonly path?: string;
  /** The client flavour used (docs/file-transfer.md, "Flavours"), once the channel was up. */
  readonly flavour?: FileTransferFlavour;
}

/** Events of a {@link FileTransfer}. */
export interface FileTransferEvents {
  /** Bytes moved so far, of `total`. */
  progress: [bytes: number, total: number];
}

/** One transfer, sending or receiving: progress events and the {@link result}. */
export class FileTransfer extends EventEmitter<FileTransferEvents> {
  /**
   * The outcome. Resolves for every ending the peer or the protocol decides (decline, media
   * error, timeout…); rejects only for a local mistake before anything was sent (no such file,
   * a bad JID, a target that exists).
   */
  readonly result: Promise<FileTransferResult>;

  constructor(
    /** The Jingle session carrying the transfer. */
    readonly session: JingleSession,
    run: (transfer: FileTransfer) => Promise<FileTransferResult>,
  ) {
    super();
    this.result = run(this);
    this.result.catch(() => undefined);
  }
}

/** The most session-info payloads held for a transfer whose channel is not up yet. */
export const MAX_HELD_INFO = 8;

/** Where the session-info payloads of one session go. */
export class InfoRoute {
  private held: FileTransferInfo[] = [];
  private target: ((info: FileTransferInfo) => void) | undefined;

  /** A payload from the peer: to the machine, or held (capped) until it exists. */
  deliver(info: FileTransferInfo): void {
    if (this.target !== undefined) this.target(info);
    else if (this.held.length < MAX_HELD_INFO) this.held.push(info);
  }

  /** The machine is running: hands it what was held, then everything as it comes. */
  attach(target: (info: FileTransferInfo) => void): void {
    this.target = target;
    const held = this.held;
    this.held = [];
    for (const info of held) target(info);
  }
}

/**
 * The routes of the plugin's file-transfer sessions: where the session-info payloads the peer
 * sends go. Ours leave through `JingleSession.sendInfo`.
 */
export class FileTransferRoutes {
  private readonly routes = new Map<string, InfoRoute>();

  constructor(
    /** Runs `work` after the IQ handler's reply has been written. */
    private readonly after: (work: () => void) => void,
    /** What a transfer needs to move to In-Band Bytestreams (`file-fallback.ts`). */
    readonly fallback: FallbackHost,
  ) {}

  /**
   * The route of `session` (made on first use), removed when it ends: sessions are capped, so
   * routes are too.
   */
  open(session: JingleSession): InfoRoute {
    const key = routeKey(session.peer, session.sid);
    const existing = this.routes.get(key);
    if (existing !== undefined) return existing;
    const route = new InfoRoute();
    this.routes.set(key, route);
    session.once("terminated", () => this.routes.delete(key));
    return route;
  }

  /**
   * The IQ handler's answer to a session-info for a file-transfer session (XEP-0166 §6.8):
   * an ack when it carries XEP-0234 payloads (routed after the ack), `bad-request` when one of
   * them is malformed, or undefined when it is not ours (then the plugin answers as before:
   * a ping is acked, anything else gets `unsupported-info`).
   */
  onInfo(from: string, jingle: Jingle): unknown {
    if (jingle.action !== "session-info" || jingle.info === undefined) return undefined;
    const route = this.routes.get(routeKey(from, jingle.sid));
    if (route === undefined) return undefined;
    const infos: FileTransferInfo[] = [];
    try {
      for (const payload of jingle.info) {
        const info = parseFileTransferInfo(payload);
        if (info !== undefined) infos.push(info);
      }
    } catch (error) {
      if (error instanceof FileTransferParseError)
        return toXmpp(buildStanzaError("modify", "bad-request"));
      throw error;
    }
    if (infos.length === 0 || infos.length !== jingle.info.length) return undefined;
    this.after(() => {
      for (const info of infos) route.deliver(info);
    });
    return true;
  }
}

function routeKey(peer: string, sid: string): string {
  return `${peer}\u0000${sid}`;
}
