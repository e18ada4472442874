/**
 * XEP-0261 (Jingle In-Band Bytestreams Transport Method): the `<transport/>` element, and the
 * `transport-replace` / `transport-accept` stanzas that move a file transfer onto it when ICE
 * fails (XEP-0261 §3, XEP-0166 §7.2.15/§7.2.12). Conversations does the same in both roles.
 */
import { FileTransferParseError } from "./file-transfer-errors.js";
import type { ContentRef } from "./file-transfer-info.js";
import { IBB_DEFAULT_BLOCK_SIZE, IBB_MAX_BLOCK_SIZE, IBB_MAX_SID } from "./ibb.js";
import { NS_JINGLE } from "./model.js";
import { el, namespaceOf, type XmlElement } from "./xml.js";

/** The XEP-0261 namespace. */
export const NS_JINGLE_IBB = "urn:xmpp:jingle:transports:ibb:1";

/** An IBB transport: the stream's `sid` and its `block-size`. */
export interface IbbTransport {
  readonly sid: string;
  readonly blockSize: number;
}

/**
 * Parses `<transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size sid/>`.
 * @throws {FileTransferParseError} `failed-transport` for another element, no or bad `sid`,
 * no or bad `block-size` (1..65535).
 */
export function parseIbbTransport(transport: XmlElement): IbbTransport {
  if (transport.name !== "transport" || namespaceOf(transport) !== NS_JINGLE_IBB) {
    throw new FileTransferParseError("failed-transport", "not an IBB transport");
  }
  const sid = transport.attrs["sid"];
  if (sid === undefined || sid === "" || sid.length > IBB_MAX_SID) {
    throw new FileTransferParseError("failed-transport", "IBB transport needs a sid");
  }
  const raw = transport.attrs["block-size"];
  if (
    raw === undefined ||
    !/^\d{1,5}$/.test(raw) ||
    Number(raw) < 1 ||
    Number(raw) > IBB_MAX_BLOCK_SIZE
  ) {
    throw new FileTransferParseError(
      "failed-transport",
      "IBB transport needs a block-size of 1..65535",
    );
  }
  return { sid, blockSize: Number(raw) };
}

/** Builds the IBB `<transport/>`. */
export function buildIbbTransport(transport: IbbTransport): XmlElement {
  return el("transport", {
    xmlns: NS_JINGLE_IBB,
    "block-size": transport.blockSize,
    sid: transport.sid,
  });
}

/**
 * What a responder accepts of a proposed IBB transport: the same sid, and the smaller of the
 * proposed block-size and ours (XEP-0261 §2: the responder may lower it, never raise it).
 */
export function acceptIbbTransport(
  proposed: IbbTransport,
  ourMax = IBB_DEFAULT_BLOCK_SIZE,
): IbbTransport {
  return { sid: proposed.sid, blockSize: Math.max(1, Math.min(proposed.blockSize, ourMax)) };
}

function transportAction(
  action: "transport-replace" | "transport-accept" | "transport-reject",
  sid: string,
  content: ContentRef,
  transport: XmlElement,
): XmlElement {
  return el("jingle", { xmlns: NS_JINGLE, action, sid }, [
    el("content", { creator: content.creator, name: content.name }, [transport]),
  ]);
}

/** `<jingle action='transport-replace'>` moving `content` of session `sid` onto IBB (XEP-0261 §3). */
export function buildTransportReplace(
  sid: string,
  content: ContentRef,
  transport: IbbTransport,
): XmlElement {
  return transportAction("transport-replace", sid, content, buildIbbTransport(transport));
}

/** `<jingle action='transport-accept'>` taking a peer's transport-replace onto IBB. */
export function buildTransportAccept(
  sid: string,
  content: ContentRef,
  transport: IbbTransport,
): XmlElement {
  return transportAction("transport-accept", sid, content, buildIbbTransport(transport));
}

/** `<jingle action='transport-reject'>` refusing a peer's transport-replace (the transport stays). */
export function buildTransportReject(
  sid: string,
  content: ContentRef,
  transport: IbbTransport,
): XmlElement {
  return transportAction("transport-reject", sid, content, buildIbbTransport(transport));
}
