/**
 * XEP-0234 (Jingle File Transfer, `urn:xmpp:jingle:apps:file-transfer:5`): the `<file/>`
 * description as plain data, parsed from and built into structural XML (docs/file-transfer.md).
 *
 * Parsing is strict where a wrong value would corrupt a transfer (sizes, offsets, hashes) and
 * lenient elsewhere: unknown children and unknown hash algorithms are skipped. Conversations'
 * `<mediaType/>` is read like `<media-type/>`; we always write `<media-type/>` (XEP-0234 §5).
 */
import { FileTransferParseError } from "./file-transfer-errors.js";
import {
  NS_HASHES,
  decodeHashValue,
  encodeBase64,
  isHashAlgorithm,
  type FileHash,
  type HashAlgorithm,
} from "./file-transfer-hash.js";
import { child, children, el, measure, namespaceOf, text, type XmlElement } from "./xml.js";

/** The XEP-0234 namespace (version 5, what Conversations and StanzaJS speak). */
export const NS_FILE_TRANSFER = "urn:xmpp:jingle:apps:file-transfer:5";

/** Caps on what a peer's `<file/>` may hold; above them it is refused (`failed-application`). */
export const FILE_LIMITS = {
  /** Characters of `<name/>`. */
  name: 1024,
  /** Characters of `<media-type/>`. */
  mediaType: 255,
  /** Characters of `<desc/>`. */
  desc: 8192,
  /** Characters of `<date/>` (an XEP-0082 DateTime is ~30). */
  date: 64,
  /** `<hash/>` elements in one `<file/>` or `<range/>`. */
  hashes: 8,
  /** `<hash-used/>` elements in one `<file/>`. */
  hashesUsed: 8,
  /** Elements in one `<description/>` or session-info payload, all nesting included. */
  elements: 64,
} as const;

/** A `<range/>` (XEP-0234 §5.3, resuming): bytes from `offset`, `length` of them or to the end. */
export interface FileRange {
  readonly offset: number;
  readonly length?: number;
  /** Hashes of the range only (rarely sent; kept for completeness). */
  readonly hashes?: readonly FileHash[];
}

/** A `<file/>` (XEP-0234 §5): every field optional on the wire. */
export interface FileDescription {
  readonly name?: string;
  /** Size in bytes. An offer without it is refused (we could not know when it ends). */
  readonly size?: number;
  /** XEP-0082 DateTime, as sent (checked for shape only). */
  readonly date?: string;
  readonly mediaType?: string;
  readonly desc?: string;
  readonly range?: FileRange;
  /** Hashes of the whole file (XEP-0300 `<hash/>`) with algorithms we can compute. */
  readonly hashes?: readonly FileHash[];
  /** Algorithms announced for a later `<checksum/>` (XEP-0300 `<hash-used/>`). */
  readonly hashesUsed?: readonly HashAlgorithm[];
}

/** XEP-0082 §3.2 DateTime (date, time, optional fraction, zone). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a non-negative decimal integer no larger than `Number.MAX_SAFE_INTEGER`.
 * @throws {FileTransferParseError} `failed-application` otherwise.
 */
export function parseCount(value: string, what: string): number {
  const trimmed = value.trim();
  if (!/^\d{1,16}$/.test(trimmed)) {
    throw new FileTransferParseError("failed-application", `${what} is not a decimal count`);
  }
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) {
    throw new FileTransferParseError("failed-application", `${what} is too large`);
  }
  return n;
}

function capped(element: XmlElement, max: number, what: string): string {
  const value = text(element);
  if (value.length > max) {
    throw new FileTransferParseError("failed-application", `${what} longer than ${max}`);
  }
  return value;
}

function parseHashes(parent: XmlElement, parentNs: string | undefined): FileHash[] {
  const found = children(parent, "hash", NS_HASHES, parentNs);
  if (found.length > FILE_LIMITS.hashes) {
    throw new FileTransferParseError("failed-application", "too many <hash/> elements");
  }
  const out: FileHash[] = [];
  for (const h of found) {
    const algo = h.attrs["algo"];
    if (isHashAlgorithm(algo)) out.push(decodeHashValue(algo, text(h)));
  }
  return out;
}

/** Throws unless `element` is small enough to read ({@link FILE_LIMITS}.elements, depth 8). */
function checkSize(element: XmlElement): void {
  const size = measure(element, { elements: FILE_LIMITS.elements, depth: 8, characters: 65_536 });
  if (size.elements > FILE_LIMITS.elements || size.depth > 8 || size.characters > 65_536) {
    throw new FileTransferParseError("failed-application", "file-transfer element too large");
  }
}

/**
 * Parses a `<file/>` element in the XEP-0234 namespace (`inheritedNs` is the namespace in scope
 * at its parent, for a `<file/>` without its own `xmlns`).
 * @throws {FileTransferParseError} see the class.
 */
export function parseFile(file: XmlElement, inheritedNs?: string): FileDescription {
  checkSize(file);
  const ns = namespaceOf(file, inheritedNs);
  const one = (name: string): XmlElement | undefined => {
    const found = children(file, name, NS_FILE_TRANSFER, ns);
    if (found.length > 1) {
      throw new FileTransferParseError("failed-application", `more than one <${name}/>`);
    }
    return found[0];
  };
  const out: {
    -readonly [K in keyof FileDescription]: FileDescription[K];
  } = {};
  const name = one("name");
  if (name !== undefined) out.name = capped(name, FILE_LIMITS.name, "<name/>");
  const size = one("size");
  if (size !== undefined) out.size = parseCount(text(size), "<size/>");
  const date = one("date");
  if (date !== undefined) {
    const value = capped(date, FILE_LIMITS.date, "<date/>").trim();
    if (!DATE_TIME.test(value)) {
      throw new FileTransferParseError("failed-application", "<date/> is not an XEP-0082 DateTime");
    }
    out.date = value;
  }
  // Conversations writes <mediaType/>; XEP-0234 §5 says <media-type/>. Read either.
  const mediaType = one("media-type") ?? one("mediaType");
  if (mediaType !== undefined) {
    out.mediaType = capped(mediaType, FILE_LIMITS.mediaType, "<media-type/>");
  }
  const desc = one("desc");
  if (desc !== undefined) out.desc = capped(desc, FILE_LIMITS.desc, "<desc/>");
  const range = one("range");
  if (range !== undefined) {
    const offset = range.attrs["offset"];
    const length = range.attrs["length"];
    const hashes = parseHashes(range, namespaceOf(range, ns));
    out.range = {
      // XEP-0234 §5.3: offset defaults to 0.
      offset: offset === undefined ? 0 : parseCount(offset, "range offset"),
      ...(length === undefined ? {} : { length: parseCount(length, "range length") }),
      ...(hashes.length === 0 ? {} : { hashes }),
    };
  }
  const hashes = parseHashes(file, ns);
  if (hashes.length > 0) out.hashes = hashes;
  const used = children(file, "hash-used", NS_HASHES, ns);
  if (used.length > FILE_LIMITS.hashesUsed) {
    throw new FileTransferParseError("failed-application", "too many <hash-used/> elements");
  }
  const algos = new Set<HashAlgorithm>();
  for (const u of used) {
    // XEP-0300 §4: <hash-used algo='…'/>; some clients nest <hash algo='…'/> inside instead.
    const names = [
      u.attrs["algo"],
      ...children(u, "hash", NS_HASHES, NS_HASHES).map((h) => h.attrs["algo"]),
    ];
    for (const algo of names) if (isHashAlgorithm(algo)) algos.add(algo);
  }
  if (algos.size > 0) out.hashesUsed = [...algos];
  if (out.size !== undefined && out.range !== undefined) {
    const { offset, length } = out.range;
    if (offset > out.size || (length !== undefined && offset + length > out.size)) {
      throw new FileTransferParseError("failed-application", "range outside the file");
    }
  }
  return out;
}

/**
 * Parses a `<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'>` holding one `<file/>`.
 * @throws {FileTransferParseError} `failed-application` for another namespace, no `<file/>` or
 * more than one, or a bad `<file/>` ({@link parseFile}).
 */
export function parseFileTransferDescription(description: XmlElement): FileDescription {
  checkSize(description);
  if (description.name !== "description" || namespaceOf(description) !== NS_FILE_TRANSFER) {
    throw new FileTransferParseError("failed-application", "not a file-transfer description");
  }
  const files = children(description, "file", NS_FILE_TRANSFER);
  const [file, ...more] = files;
  if (file === undefined || more.length > 0) {
    throw new FileTransferParseError(
      "failed-application",
      "a description needs exactly one <file/>",
    );
  }
  return parseFile(file, NS_FILE_TRANSFER);
}

function hashElements(hashes: readonly FileHash[] | undefined): XmlElement[] {
  return (hashes ?? []).map((h) =>
    el("hash", { xmlns: NS_HASHES, algo: h.algo }, [encodeBase64(h.value)]),
  );
}

/**
 * Builds a `<file/>` (no `xmlns`: it sits in its parent's XEP-0234 namespace). Always writes
 * `<hash-used algo='sha-1'/>` besides any other `hashesUsed`: StanzaJS's receiver fails without
 * a hash-used element, and sha-1 is the one algorithm every client computes (docs/file-transfer.md).
 */
export function buildFile(file: FileDescription): XmlElement {
  const content: XmlElement[] = [];
  const leaf = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) content.push(el(name, {}, [String(value)]));
  };
  leaf("date", file.date);
  leaf("desc", file.desc);
  leaf("media-type", file.mediaType);
  leaf("name", file.name);
  leaf("size", file.size);
  if (file.range !== undefined) {
    content.push(
      el(
        "range",
        { offset: file.range.offset, length: file.range.length },
        hashElements(file.range.hashes),
      ),
    );
  }
  content.push(...hashElements(file.hashes));
  const used = new Set<HashAlgorithm>(["sha-1", ...(file.hashesUsed ?? [])]);
  for (const algo of used) content.push(el("hash-used", { xmlns: NS_HASHES, algo }));
  return el("file", {}, content);
}

/** Builds the `<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'>` for `file`. */
export function buildFileTransferDescription(file: FileDescription): XmlElement {
  return el("description", { xmlns: NS_FILE_TRANSFER }, [buildFile(file)]);
}

/** The `<file/>` child of `parent` in the XEP-0234 namespace (for session-info payloads). */
export function fileChild(parent: XmlElement, parentNs?: string): XmlElement | undefined {
  return child(parent, "file", NS_FILE_TRANSFER, parentNs ?? namespaceOf(parent));
}
