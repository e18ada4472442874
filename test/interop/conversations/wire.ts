// Conversations' Jingle file-transfer stanzas (XEP-0166, XEP-0234, XEP-0338 and its own
// webrtc-datachannel transport), built and read with @xmpp/xml only — never our src/jingle — as
// its sources (Snikket fork: `FileTransferContentMap`, `FileTransferDescription`,
// `WebRTCDataChannelTransportInfo`, `AbstractContentMap.toJinglePacket`) shape them:
// - `<jingle action sid>` without `initiator` / `responder`;
// - `<content creator='initiator' senders='initiator' name='<mid>'>` (its initiator names the
//   content after libwebrtc's `a=mid`, `0`), description first, then the transport;
// - file: `<name/>`, `<size/>`, `<mediaType/>` (its spelling; no hash, no hash-used, no date);
// - transport-info: the outer transport (same attributes) around an ice-udp transport with only
//   ufrag and pwd plus one `<candidate/>`, no group;
// - `<checksum name>` and `<received name>` without a `creator` attribute;
// - it reads only `<mediaType/>`, only the first content, only sha-1/sha-256 hashes.
import { xml as untypedXml } from "@xmpp/xml";
import type { Element } from "ltx";
import type { CandidateAttrs, LocalDescription, RemoteTransport } from "./sdp.js";

export type { Element };

/** @xmpp/xml's builder, typed as the ltx element it returns. */
export function xml(
  name: string,
  attrs?: Readonly<Record<string, string>>,
  ...children: readonly (Element | string)[]
): Element {
  return untypedXml(name, attrs ?? {}, ...children) as Element;
}

export const NS = {
  jingle: "urn:xmpp:jingle:1",
  ft: "urn:xmpp:jingle:apps:file-transfer:5",
  webrtcDc: "urn:xmpp:jingle:transports:webrtc-datachannel:1",
  iceUdp: "urn:xmpp:jingle:transports:ice-udp:1",
  ibb: "urn:xmpp:jingle:transports:ibb:1",
  s5b: "urn:xmpp:jingle:transports:s5b:1",
  dtls: "urn:xmpp:jingle:apps:dtls:0",
  grouping: "urn:xmpp:jingle:apps:grouping:0",
  hashes: "urn:xmpp:hashes:2",
  iceOption: "http://gultsch.de/xmpp/drafts/jingle/transports/ice-udp/option",
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  jingleErrors: "urn:xmpp:jingle:errors:1",
} as const;

/** The features Conversations' disco#info lists for Jingle file transfer. */
export const FEATURES = [
  "http://jabber.org/protocol/disco#info",
  NS.jingle,
  NS.ft,
  "urn:xmpp:jingle:apps:file-transfer:3",
  NS.s5b,
  NS.ibb,
  NS.webrtcDc,
  NS.iceUdp,
  NS.dtls,
  "urn:xmpp:jingle:apps:rtp:1",
  "urn:xmpp:jingle:apps:rtp:audio",
  "urn:xmpp:jingle:apps:rtp:video",
  "urn:xmpp:jingle-message:0",
] as const;

export interface OfferedFile {
  readonly name: string;
  readonly size: number;
  readonly mediaType?: string;
}

/** One content of a received stanza, read as Conversations reads it. */
export interface ReadContent {
  readonly name: string;
  readonly creator: string | undefined;
  readonly senders: string | undefined;
  readonly description: Element | undefined;
  readonly transport: Element | undefined;
  /** The transport's namespace: webrtc-datachannel, ibb, s5b, or anything else (unsupported). */
  readonly transportNs: string | undefined;
}

export function jingleIq(to: string, action: string, sid: string, ...children: Element[]): Element {
  return xml(
    "iq",
    { type: "set", to },
    xml("jingle", { xmlns: NS.jingle, action, sid }, ...children),
  );
}

function fileElement(file: OfferedFile): Element {
  return xml(
    "file",
    {},
    xml("name", {}, file.name),
    xml("size", {}, String(file.size)),
    ...(file.mediaType === undefined ? [] : [xml("mediaType", {}, file.mediaType)]),
  );
}

/** Conversations' outer transport around ice-udp; `full` adds fingerprint and ice-options. */
export function outerTransport(
  local: LocalDescription,
  children: Element[],
  full: boolean,
): Element {
  const attrs: Record<string, string> = {};
  if (local.maxMessageSize !== undefined) attrs["max-message-size"] = String(local.maxMessageSize);
  if (local.sctpPort !== undefined) attrs["sctp-port"] = String(local.sctpPort);
  const inner = xml("transport", { xmlns: NS.iceUdp, ufrag: local.ufrag, pwd: local.pwd });
  if (full) {
    inner.append(
      xml(
        "fingerprint",
        { xmlns: NS.dtls, hash: local.fingerprint.hash, setup: local.fingerprint.setup },
        local.fingerprint.value,
      ),
    );
    for (const option of local.iceOptions) inner.append(xml(option, { xmlns: NS.iceOption }));
  }
  for (const child of children) inner.append(child);
  return xml("transport", { xmlns: NS.webrtcDc, ...attrs }, inner);
}

function groupElement(group: readonly string[] | undefined): Element[] {
  if (group === undefined || group.length < 2) return [];
  const [semantics, ...names] = group;
  return [
    xml(
      "group",
      { xmlns: NS.grouping, semantics: semantics ?? "" },
      ...names.map((name) => xml("content", { name })),
    ),
  ];
}

export function sessionInitiate(
  to: string,
  sid: string,
  file: OfferedFile,
  local: LocalDescription,
): Element {
  const content = xml(
    "content",
    { creator: "initiator", senders: "initiator", name: local.mid },
    xml("description", { xmlns: NS.ft }, fileElement(file)),
    outerTransport(local, [], true),
  );
  return jingleIq(to, "session-initiate", sid, content, ...groupElement(local.group));
}

/** The initiator's content map with our transport (its description kept as received). */
export function sessionAccept(
  to: string,
  sid: string,
  offered: ReadContent,
  local: LocalDescription,
): Element {
  const content = xml("content", {
    creator: "initiator",
    ...(offered.senders !== undefined && { senders: offered.senders }),
    name: offered.name,
  });
  if (offered.description !== undefined) content.append(offered.description);
  content.append(outerTransport(local, [], true));
  return jingleIq(to, "session-accept", sid, content, ...groupElement(local.group));
}

export function transportInfo(
  to: string,
  sid: string,
  contentName: string,
  senders: string | undefined,
  local: LocalDescription,
  candidate: CandidateAttrs,
): Element {
  const content = xml(
    "content",
    { creator: "initiator", ...(senders !== undefined && { senders }), name: contentName },
    outerTransport(local, [xml("candidate", { ...candidate })], false),
  );
  return jingleIq(to, "transport-info", sid, content);
}

export function checksumInfo(
  to: string,
  sid: string,
  contentName: string,
  hashes: readonly { algo: string; value: Buffer }[],
): Element {
  const file = xml(
    "file",
    {},
    ...hashes.map((h) =>
      xml("hash", { xmlns: NS.hashes, algo: h.algo }, h.value.toString("base64")),
    ),
  );
  return jingleIq(
    to,
    "session-info",
    sid,
    xml("checksum", { xmlns: NS.ft, name: contentName }, file),
  );
}

export function receivedInfo(to: string, sid: string, contentName: string): Element {
  return jingleIq(to, "session-info", sid, xml("received", { xmlns: NS.ft, name: contentName }));
}

export function sessionTerminate(to: string, sid: string, reason: string): Element {
  return jingleIq(to, "session-terminate", sid, xml("reason", {}, xml(reason)));
}

// ---------------------------------------------------------------------------------------------
// Reading

export function readContents(jingle: Element): ReadContent[] {
  return jingle.getChildren("content", NS.jingle).map((content) => {
    const description = content.getChildElements().find((c) => c.name === "description");
    const transport = content.getChildElements().find((c) => c.name === "transport");
    return {
      name: String(content.attrs["name"] ?? ""),
      creator: content.attrs["creator"] as string | undefined,
      senders: content.attrs["senders"] as string | undefined,
      description,
      transport,
      transportNs: transport?.attrs["xmlns"] as string | undefined,
    };
  });
}

/** `a=group:` words (semantics, names…) from a `<group/>`, as Conversations turns it into SDP. */
export function readGroup(jingle: Element): string[] | undefined {
  const group = jingle.getChild("group", NS.grouping);
  if (group === undefined) return undefined;
  return [
    String(group.attrs["semantics"] ?? ""),
    ...group.getChildren("content").map((c) => String(c.attrs["name"] ?? "")),
  ];
}

/** The file of a description as Conversations reads it (name and size required). */
export function readFile(description: Element | undefined): OfferedFile & { children: string[] } {
  const file = description?.getChild("file", NS.ft);
  if (description?.attrs["xmlns"] !== NS.ft || file === undefined)
    throw new Error("file transfer description has no file");
  const name = file.getChildText("name");
  const size = file.getChildText("size");
  if (name === null || name === "" || size === null || !/^\d+$/.test(size))
    throw new Error("File definition is missing name and/or size");
  const mediaType = file.getChildText("mediaType");
  return {
    name,
    size: Number(size),
    ...(mediaType !== null && { mediaType }),
    children: file.getChildElements().map((c) => c.name),
  };
}

function intAttr(element: Element, name: string): number {
  const raw = element.attrs[name] as string | undefined;
  if (raw === undefined || !/^\d+$/.test(raw))
    throw new Error(`Transport element is missing required ${name}`);
  return Number(raw);
}

/** What Conversations puts into the remote SDP from an outer webrtc-datachannel transport. */
export function readRemoteTransport(outer: Element): RemoteTransport {
  const inner = outer.getChild("transport", NS.iceUdp);
  if (inner === undefined) throw new Error("Transport element is missing inner ice-udp transport");
  const ufrag = inner.attrs["ufrag"] as string | undefined;
  const pwd = inner.attrs["pwd"] as string | undefined;
  if (ufrag === undefined || ufrag === "") throw new Error("missing required ufrag attribute");
  if (pwd === undefined || pwd === "") throw new Error("missing required pwd attribute");
  const fp = inner.getChild("fingerprint", NS.dtls);
  const setup = fp?.attrs["setup"] as string | undefined;
  return {
    ufrag,
    pwd,
    iceOptions: inner
      .getChildElements()
      .filter((c) => c.attrs["xmlns"] === NS.iceOption)
      .map((c) => c.name)
      .filter((n) => n === "trickle" || n === "renomination"),
    ...(fp !== undefined && {
      fingerprint: {
        hash: String(fp.attrs["hash"] ?? ""),
        value: fp.getText().trim(),
        ...(setup !== undefined && { setup }),
      },
    }),
    sctpPort: intAttr(outer, "sctp-port"),
    maxMessageSize: intAttr(outer, "max-message-size"),
  };
}

/** The ufrag and `<candidate/>` attributes of a transport-info's outer transport. */
export function readCandidates(outer: Element): { ufrag?: string; candidates: CandidateAttrs[] } {
  const inner = outer.getChild("transport", NS.iceUdp);
  if (inner === undefined) return { candidates: [] };
  const ufrag = inner.attrs["ufrag"] as string | undefined;
  return {
    ...(ufrag !== undefined && { ufrag }),
    candidates: inner
      .getChildren("candidate")
      .map((c) => Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, String(v)]))),
  };
}

/** The condition of a `<reason/>` (its first child other than `<text/>`). */
export function readReason(jingle: Element): string | undefined {
  return jingle
    .getChild("reason")
    ?.getChildElements()
    .find((c) => c.name !== "text")?.name;
}
