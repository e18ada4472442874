/**
 * The plugin's file-transfer entry points (docs/file-transfer.md, "Plugin"), kept out of
 * `jingle-ice.ts`: starting a send, showing an incoming offer, and refusing XEP-0234 requests.
 */
import { JingleIceError } from "../common/errors.js";
import type { Offer } from "../jingle/application.js";
import {
  NS_FILE_TRANSFER,
  buildFileTransferDescription,
  parseFileTransferDescription,
} from "../jingle/file-transfer.js";
import type { Reason } from "../jingle/model.js";
import { IncomingFile } from "./file-receive.js";
import { describeFile, runSend, type SendFileOptions } from "./file-send.js";
import { FileTransfer, type FileTransferRoutes } from "./file-transfer.js";
import type { InitiateOptions } from "./options.js";
import type { JingleSession } from "./session.js";

/** Starts sending `path` to `peer`; see `JingleIce.sendFile`. */
export async function startSendFile(
  files: FileTransferRoutes | undefined,
  initiate: (peer: string, options: InitiateOptions) => JingleSession,
  peer: string,
  path: string,
  options: SendFileOptions,
): Promise<FileTransfer> {
  if (files === undefined) throw new JingleIceError("fileTransferApplication() is not registered");
  const file = await describeFile(path, options);
  const session = initiate(peer, {
    application: NS_FILE_TRANSFER,
    // Conversations builds its SDP without a=mid (libwebrtc then names the m= section "0") and
    // with our BUNDLE group: any other name fails its offer and every trickled candidate.
    contentName: "0",
    description: buildFileTransferDescription(file),
    ...(options.sctpVariant !== undefined && { sctpVariant: options.sctpVariant }),
  });
  return new FileTransfer(session, (t) => runSend(t, files, file, path, options.signal));
}

/** One {@link IncomingFile} per session, so that `receive()` runs once. */
const offers = new WeakMap<JingleSession, IncomingFile>();

/** The offer of an incoming file-transfer session; see `JingleIce.incomingFile`. */
export function offeredFile(
  files: FileTransferRoutes | undefined,
  session: JingleSession,
): IncomingFile | undefined {
  const description = session.remoteDescription;
  if (
    files === undefined ||
    session.initiator ||
    session.application !== NS_FILE_TRANSFER ||
    description === undefined
  )
    return undefined;
  // The application's answer() parsed it already: a size is there.
  const known = offers.get(session);
  if (known !== undefined) return known;
  const file = parseFileTransferDescription(description);
  // From now on its XEP-0234 session-info payloads are acked and held for the receiver.
  files.open(session);
  if (file.size === undefined) return undefined;
  const offer = new IncomingFile(session, { ...file, size: file.size }, files);
  offers.set(session, offer);
  return offer;
}

/**
 * XEP-0234 requests (§6: the responder would send, content `senders='responder'`) are not
 * served: refused with `failed-application` (docs/file-transfer.md).
 */
export function fileRequestRefusal(offer: Offer): Reason | undefined {
  return offer.application === NS_FILE_TRANSFER && offer.content.senders === "responder"
    ? { condition: "failed-application", text: "file requests are not served" }
    : undefined;
}
