/**
 * XEP-0047 In-Band Bytestreams: the `<open/>`, `<data/>` and `<close/>` elements as plain data,
 * parsed strictly (every failure an {@link IbbError} carrying the IQ error to answer with) and
 * built for IQ stanzas (`stanza='iq'`; we never send data in messages).
 */
import { FileTransferParseError, IbbError } from "./file-transfer-errors.js";
import { decodeBase64, encodeBase64 } from "./file-transfer-hash.js";
import { el, measure, namespaceOf, text, type XmlElement } from "./xml.js";

/** The IBB namespace (XEP-0047 §2). */
export const NS_IBB = "http://jabber.org/protocol/ibb";
/** `block-size` is an xs:unsignedShort (XEP-0047 §8, schema): at most 65535 bytes. */
export const IBB_MAX_BLOCK_SIZE = 65_535;
/** The block size we propose: 4096, as XEP-0047 §2.1 recommends and Conversations uses. */
export const IBB_DEFAULT_BLOCK_SIZE = 4096;
/** `seq` wraps to 0 after this (XEP-0047 §2.2: a 16-bit counter). */
export const IBB_MAX_SEQ = 65_535;
/** The longest `sid` we accept (XEP-0047 says nothing; ids are short). */
export const IBB_MAX_SID = 128;

/** A parsed IBB element. */
export type IbbElement =
  | { readonly kind: "open"; readonly sid: string; readonly blockSize: number }
  | { readonly kind: "data"; readonly sid: string; readonly seq: number; readonly data: Uint8Array }
  | { readonly kind: "close"; readonly sid: string };

function sidOf(element: XmlElement): string {
  const sid = element.attrs["sid"];
  if (sid === undefined || sid === "" || sid.length > IBB_MAX_SID) {
    throw new IbbError(
      "bad-request",
      `<${element.name}/> needs a sid of 1 to ${IBB_MAX_SID} characters`,
    );
  }
  return sid;
}

function u16(value: string | undefined, what: string, min: number): number {
  if (value === undefined || !/^\d{1,5}$/.test(value))
    throw new IbbError("bad-request", `${what} is not a number`);
  const n = Number(value);
  if (n < min || n > 65_535) throw new IbbError("bad-request", `${what} out of range`);
  return n;
}

/**
 * Parses an IBB element (the child of an IQ set). `blockSize` is the size agreed for the stream,
 * needed for `<data/>` (a block larger than it is refused); `maxBlockSize` is ours for `<open/>`.
 * @throws {IbbError} `bad-request` (malformed, bad base64, block too large), `resource-constraint`
 * / `modify` (a block-size above `maxBlockSize`, XEP-0047 §2.1), `not-acceptable` (`stanza='message'`,
 * which we do not take), `feature-not-implemented` (another element in the namespace).
 */
export function parseIbb(
  element: XmlElement,
  options: { readonly blockSize?: number; readonly maxBlockSize?: number } = {},
): IbbElement {
  if (namespaceOf(element) !== NS_IBB) throw new IbbError("bad-request", "not an IBB element");
  const maxBlock = options.blockSize ?? IBB_MAX_BLOCK_SIZE;
  // Base64 of a block, plus room for whitespace; elements are leaves.
  const maxChars = Math.ceil(maxBlock / 3) * 4 + 1024;
  const size = measure(element, { elements: 1, depth: 1, characters: maxChars + 2 * IBB_MAX_SID });
  if (size.elements > 1 || size.characters > maxChars + 2 * IBB_MAX_SID) {
    throw new IbbError("bad-request", `<${element.name}/> too large`);
  }
  switch (element.name) {
    case "open": {
      const sid = sidOf(element);
      const blockSize = u16(element.attrs["block-size"], "block-size", 1);
      if (blockSize > (options.maxBlockSize ?? IBB_MAX_BLOCK_SIZE)) {
        throw new IbbError("resource-constraint", "block-size too large", "modify");
      }
      const stanza = element.attrs["stanza"] ?? "iq";
      if (stanza !== "iq")
        throw new IbbError("not-acceptable", `stanza='${stanza}' is not served, only iq`);
      return { kind: "open", sid, blockSize };
    }
    case "data": {
      const sid = sidOf(element);
      const seq = u16(element.attrs["seq"], "seq", 0);
      const data = decodeBase64(text(element));
      if (data === undefined) throw new IbbError("bad-request", "data is not base64");
      if (data.length > maxBlock)
        throw new IbbError("bad-request", "block larger than the block-size");
      return { kind: "data", sid, seq, data };
    }
    case "close":
      return { kind: "close", sid: sidOf(element) };
    default:
      throw new IbbError("feature-not-implemented", `unknown IBB element <${element.name}/>`);
  }
}

/** `<open xmlns='http://jabber.org/protocol/ibb' block-size sid stanza='iq'/>` (XEP-0047 §2.1). */
export function buildIbbOpen(sid: string, blockSize: number): XmlElement {
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > IBB_MAX_BLOCK_SIZE) {
    throw new FileTransferParseError("failed-transport", "block-size must be 1..65535");
  }
  return el("open", { xmlns: NS_IBB, "block-size": blockSize, sid, stanza: "iq" });
}

/** `<data xmlns='…ibb' seq sid>base64</data>` (XEP-0047 §2.2). */
export function buildIbbData(sid: string, seq: number, data: Uint8Array): XmlElement {
  return el("data", { xmlns: NS_IBB, seq, sid }, [encodeBase64(data)]);
}

/** `<close xmlns='…ibb' sid/>` (XEP-0047 §2.3). */
export function buildIbbClose(sid: string): XmlElement {
  return el("close", { xmlns: NS_IBB, sid });
}

/** The `seq` after `seq` (XEP-0047 §2.2: after 65535 comes 0). */
export function nextSeq(seq: number): number {
  return seq >= IBB_MAX_SEQ ? 0 : seq + 1;
}
