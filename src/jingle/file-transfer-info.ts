/**
 * XEP-0234 session-info payloads: `<checksum/>` (§8, the sender's hash once the file is sent)
 * and `<received/>` (§7, the receiver's acknowledgement before it terminates the session).
 */
import { FileTransferParseError } from "./file-transfer-errors.js";
import type { FileHash } from "./file-transfer-hash.js";
import { NS_FILE_TRANSFER, buildFile, fileChild, parseFile } from "./file-transfer.js";
import type { ContentCreator } from "./model.js";
import { el, measure, namespaceOf, type XmlElement } from "./xml.js";

/** The content a payload names (`creator` and `name` attributes). */
export interface ContentRef {
  readonly creator: ContentCreator;
  readonly name: string;
}

/** A parsed session-info payload of XEP-0234. */
export type FileTransferInfo =
  | {
      readonly kind: "checksum";
      readonly content: ContentRef;
      readonly hashes: readonly FileHash[];
    }
  | { readonly kind: "received"; readonly content: ContentRef };

/**
 * The content a payload names. `creator` may be missing: Conversations sends `<checksum name/>`
 * and `<received name/>` without it, and a file-transfer content is always the initiator's
 * (XEP-0234 §6.1 offers and §6.2 requests alike), so that is the default; a value other than
 * `initiator` / `responder` is refused.
 */
function contentRef(element: XmlElement): ContentRef {
  const creator = element.attrs["creator"] ?? "initiator";
  const name = element.attrs["name"];
  if ((creator !== "initiator" && creator !== "responder") || name === undefined || name === "") {
    throw new FileTransferParseError(
      "failed-application",
      `<${element.name}/> needs a name (and a creator of initiator or responder)`,
    );
  }
  if (name.length > 256)
    throw new FileTransferParseError("failed-application", "content name too long");
  return { creator, name };
}

/**
 * Reads a session-info child if it is an XEP-0234 payload; `undefined` for any other element
 * (the session layer then answers `feature-not-implemented` / `unsupported-info`, XEP-0166 §6.8).
 * @throws {FileTransferParseError} for a `<checksum/>` or `<received/>` that cannot be used
 * (answer the IQ with `bad-request`): no name, a bad creator, no `<file/>`, no usable `<hash/>`.
 */
export function parseFileTransferInfo(
  payload: XmlElement,
  inheritedNs?: string,
): FileTransferInfo | undefined {
  const ns = namespaceOf(payload, inheritedNs);
  if (ns !== NS_FILE_TRANSFER) return undefined;
  const size = measure(payload, { elements: 64, depth: 8, characters: 65_536 });
  if (size.elements > 64 || size.depth > 8 || size.characters > 65_536) {
    throw new FileTransferParseError("failed-application", "session-info payload too large");
  }
  if (payload.name === "received") return { kind: "received", content: contentRef(payload) };
  if (payload.name !== "checksum") return undefined;
  const content = contentRef(payload);
  const file = fileChild(payload, ns);
  if (file === undefined)
    throw new FileTransferParseError("failed-application", "<checksum/> without <file/>");
  const hashes = parseFile(file, ns).hashes ?? [];
  if (hashes.length === 0) {
    throw new FileTransferParseError(
      "failed-application",
      "<checksum/> without a hash we can compute",
    );
  }
  return { kind: "checksum", content, hashes };
}

/** Builds `<checksum creator name><file><hash algo>…</hash></file></checksum>` (XEP-0234 §8). */
export function buildChecksum(content: ContentRef, hashes: readonly FileHash[]): XmlElement {
  const file = buildFile({ hashes });
  // A checksum's <file/> carries hashes only; buildFile's hash-used is for offers.
  const bare = {
    ...file,
    children: file.children.filter((c) => typeof c === "string" || c.name !== "hash-used"),
  };
  return el("checksum", { xmlns: NS_FILE_TRANSFER, creator: content.creator, name: content.name }, [
    bare,
  ]);
}

/** Builds `<received creator name/>` (XEP-0234 §7). */
export function buildReceived(content: ContentRef): XmlElement {
  return el("received", { xmlns: NS_FILE_TRANSFER, creator: content.creator, name: content.name });
}
