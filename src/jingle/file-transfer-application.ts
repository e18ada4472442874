/**
 * XEP-0234 file transfer as a {@link JingleApplication}: what the plugin's registry serves for
 * `urn:xmpp:jingle:apps:file-transfer:5`. It decides on offers only; moving the bytes is the job
 * of {@link FileSender} / {@link FileReceiver} (docs/file-transfer.md).
 */
import type { JingleApplication } from "./application.js";
import { JingleBuildError } from "./errors.js";
import { FileTransferParseError } from "./file-transfer-errors.js";
import {
  NS_FILE_TRANSFER,
  buildFileTransferDescription,
  parseFileTransferDescription,
  type FileDescription,
} from "./file-transfer.js";
import type { Reason } from "./model.js";
import type { XmlElement } from "./xml.js";

/** The default cap on an offered file's size: 16 GiB. */
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 ** 3;

/** Options of {@link createFileTransferApplication}. */
export interface FileTransferApplicationOptions {
  /** The file we offer in sessions we initiate; {@link JingleApplication.offer} throws without it. */
  readonly offer?: FileDescription;
  /** Larger offers are refused with `incompatible-parameters`. Default {@link DEFAULT_MAX_FILE_SIZE}. */
  readonly maxSize?: number;
  /**
   * Decides on a usable offer (it has a size within `maxSize`): the `<file/>` to answer with
   * (typically the offer, plus a `range` to resume a partial file, XEP-0234 §5.3), or a reason to
   * refuse (`decline`, `busy`…). Default: accept the offer as it is.
   */
  readonly accept?: (offer: FileDescription) => FileDescription | Reason;
}

function isReasonValue(value: FileDescription | Reason): value is Reason {
  return "condition" in value;
}

/**
 * The file-transfer application. `answer` refuses an offer with `failed-application` when the
 * description is malformed ({@link FileTransferParseError}), `incompatible-parameters` when it
 * has no `<size/>` (a stream without an end cannot be verified) or one above `maxSize`, or with
 * whatever `accept` returns; an answer whose range lies outside the file is refused too
 * (`failed-application`: a bug in `accept`, reported rather than sent).
 */
export function createFileTransferApplication(
  options: FileTransferApplicationOptions = {},
): JingleApplication {
  const maxSize = options.maxSize ?? DEFAULT_MAX_FILE_SIZE;
  return {
    namespace: NS_FILE_TRANSFER,
    features: [NS_FILE_TRANSFER],
    offer(): XmlElement {
      if (options.offer === undefined) throw new JingleBuildError("no file to offer");
      if (options.offer.size === undefined)
        throw new JingleBuildError("an offered file needs a size");
      return buildFileTransferDescription(options.offer);
    },
    answer(offer: XmlElement): XmlElement | Reason {
      let file: FileDescription;
      try {
        file = parseFileTransferDescription(offer);
      } catch (error) {
        if (error instanceof FileTransferParseError) {
          return { condition: error.condition, text: error.message };
        }
        throw error;
      }
      if (file.size === undefined) {
        return { condition: "incompatible-parameters", text: "the offered file has no size" };
      }
      if (file.size > maxSize) {
        return {
          condition: "incompatible-parameters",
          text: `files above ${maxSize} bytes are refused`,
        };
      }
      const decided = options.accept?.(file) ?? file;
      if (isReasonValue(decided)) return decided;
      const range = decided.range;
      if (
        range !== undefined &&
        (range.offset > file.size ||
          (range.length !== undefined && range.offset + range.length > file.size))
      ) {
        return {
          condition: "failed-application",
          text: "the requested range lies outside the file",
        };
      }
      return buildFileTransferDescription(decided);
    },
  };
}
