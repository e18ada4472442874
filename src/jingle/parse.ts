/**
 * `<jingle/>` element → {@link Jingle} model (XEP-0166 §7, XEP-0176 §5.3), leniently: only what
 * makes the whole stanza unusable throws; everything else odd is skipped or ignored, because
 * real peers send odd things and some (Conversations) tear the session down on any IQ error
 * (docs/plugin.md).
 */
import { isSkipped, parseCandidate, parseRemoteCandidate } from "./candidate.js";
import { JingleParseError } from "./errors.js";
import { isGroup, parseGroups } from "./grouping.js";
import { innerIceUdp, parseSctpmap, parseWebrtcDataChannel } from "./sctp-transport.js";
import {
  ACTIONS_WITH_CONTENT,
  JINGLE_ACTIONS,
  NS_JINGLE,
  NS_JINGLE_DTLS,
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_ICE_UDP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  REASON_CONDITIONS,
  type Content,
  type ContentSenders,
  type DtlsFingerprint,
  type DtlsSetup,
  type IceUdpTransport,
  type Jingle,
  type JingleAction,
  type JingleCandidate,
  type OtherTransport,
  type Reason,
  type ReasonCondition,
  type RemoteCandidate,
  type SctpTransport,
  type SkippedCandidate,
} from "./model.js";
import { child, children, namespaceOf, text, type XmlElement } from "./xml.js";

const SENDERS: readonly string[] = ["both", "initiator", "none", "responder"];

function badRequest(message: string): JingleParseError {
  return new JingleParseError("bad-request", message);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function isAction(value: string): value is JingleAction {
  return (JINGLE_ACTIONS as readonly string[]).includes(value);
}

function isReasonCondition(value: string): value is ReasonCondition {
  return (REASON_CONDITIONS as readonly string[]).includes(value);
}

/**
 * Reads a `<jingle/>` element (the child of an IQ-set) into the model.
 *
 * Throws {@link JingleParseError} (`bad-request`) only when the stanza is unusable as a whole:
 * it is not `<jingle xmlns='urn:xmpp:jingle:1'/>`; `sid` is missing or empty; `action` is
 * missing or unknown (XEP-0166 §7.2); a `<content/>` has no `name`; an action that acts on
 * contents (all but session-terminate and session-info) carries none; or a data-channel
 * transport names an SCTP port, stream count or max-message-size outside its range
 * (src/jingle/sctp-transport.ts).
 *
 * Everything else is lenient: unknown attributes and children are ignored; `creator` defaults
 * to `initiator` (XEP-0166 §7.3) when absent or unknown — it is advisory, contents are matched by
 * name; an unknown `senders` is dropped; odd candidates are skipped and listed in the
 * transport's `skipped` (see {@link parseCandidate}); a `<reason/>` without a known condition is
 * dropped. Payload elements outside the Jingle namespace land in `info`, untouched.
 */
export function parseJingle(element: XmlElement): Jingle {
  if (element.name !== "jingle" || namespaceOf(element) !== NS_JINGLE) {
    throw badRequest(`expected <jingle xmlns='${NS_JINGLE}'/>, got <${element.name}/>`);
  }
  const action = element.attrs["action"];
  if (action === undefined) throw badRequest("jingle without an action");
  if (!isAction(action)) throw badRequest(`unknown jingle action: ${action}`);
  const sid = nonEmpty(element.attrs["sid"]);
  if (sid === undefined) throw badRequest("jingle without a sid");

  const contents = children(element, "content", NS_JINGLE).map(parseContent);
  if (contents.length === 0 && ACTIONS_WITH_CONTENT.has(action)) {
    throw badRequest(`${action} without any content`);
  }
  const reasonElement = child(element, "reason", NS_JINGLE);
  const reason = reasonElement && parseReason(reasonElement);
  const groups = parseGroups(element);
  const info = children(element).filter(
    (c) => namespaceOf(c, NS_JINGLE) !== NS_JINGLE && !isGroup(c),
  );
  const initiator = nonEmpty(element.attrs["initiator"]);
  const responder = nonEmpty(element.attrs["responder"]);
  return {
    action,
    sid,
    ...(initiator !== undefined && { initiator }),
    ...(responder !== undefined && { responder }),
    contents,
    ...(reason !== undefined && { reason }),
    ...(groups.length > 0 && { groups }),
    ...(info.length > 0 && { info }),
  };
}

/** A `<content/>` (XEP-0166 §7.3); its namespace is the Jingle one unless it says otherwise. */
function parseContent(element: XmlElement): Content {
  const name = nonEmpty(element.attrs["name"]);
  if (name === undefined) throw badRequest("content without a name");
  const ns = namespaceOf(element, NS_JINGLE);
  const creator = element.attrs["creator"] === "responder" ? "responder" : "initiator";
  const disposition = nonEmpty(element.attrs["disposition"]);
  const sendersAttr = element.attrs["senders"];
  const senders =
    sendersAttr !== undefined && SENDERS.includes(sendersAttr)
      ? (sendersAttr as ContentSenders)
      : undefined;
  const description = child(element, "description");
  const transports = children(element, "transport", undefined, ns);
  const ice = transports.find((t) => namespaceOf(t, ns) === NS_JINGLE_ICE_UDP);
  // Conversations' data-channel transport wraps the ICE-UDP one (src/jingle/sctp-transport.ts).
  const wrapper = transports.find((t) => namespaceOf(t, ns) === NS_JINGLE_WEBRTC_DATACHANNEL);
  const first = transports[0];
  let transport: IceUdpTransport | OtherTransport | undefined;
  if (ice !== undefined) transport = parseIceUdpTransport(ice);
  else if (wrapper !== undefined) transport = parseWrapped(wrapper);
  else if (first !== undefined) transport = { kind: "other", element: first };
  return {
    creator,
    name,
    ...(disposition !== undefined && { disposition }),
    ...(senders !== undefined && { senders }),
    ...(description !== undefined && { description }),
    ...(transport !== undefined && { transport }),
  };
}

/** Conversations' outer transport: the ICE-UDP transport inside, with the outer SCTP numbers. */
function parseWrapped(wrapper: XmlElement): IceUdpTransport {
  const sctp = parseWebrtcDataChannel(wrapper);
  const inner = innerIceUdp(wrapper);
  const transport: IceUdpTransport =
    inner === undefined
      ? { kind: "ice-udp", candidates: [], gatheringComplete: false, skipped: [] }
      : parseIceUdpTransport(inner);
  return { ...transport, sctp };
}

/**
 * An ICE-UDP `<transport/>` (XEP-0176 §5.3): credentials, candidates (odd ones skipped), the
 * first readable `<remote-candidate/>` (§5.7), and `<gathering-complete/>` — the
 * end-of-candidates indication of XEP-0371 (Informational Messages), which peers also send inside ICE-UDP
 * transports; it is recognised by name in any namespace.
 */
function parseIceUdpTransport(element: XmlElement): IceUdpTransport {
  const candidates: JingleCandidate[] = [];
  const skipped: SkippedCandidate[] = [];
  let remoteCandidate: RemoteCandidate | undefined;
  let gatheringComplete = false;
  const fingerprints: DtlsFingerprint[] = [];
  let sctp: SctpTransport | undefined;
  for (const node of children(element)) {
    const inIceUdp = namespaceOf(node, NS_JINGLE_ICE_UDP) === NS_JINGLE_ICE_UDP;
    if (node.name === "fingerprint" && namespaceOf(node) === NS_JINGLE_DTLS) {
      const fingerprint = parseFingerprint(node);
      if (fingerprint !== undefined && fingerprints.length < MAX_FINGERPRINTS)
        fingerprints.push(fingerprint);
      continue;
    }
    if (node.name === "sctpmap" && namespaceOf(node) === NS_JINGLE_DTLS_SCTP) {
      sctp ??= parseSctpmap(node); // XEP-0343 §3: one per transport; later ones are ignored
      continue;
    }
    if (node.name === "candidate" && inIceUdp) {
      const result = parseCandidate(node);
      if (isSkipped(result)) skipped.push(result);
      else candidates.push(result);
    } else if (node.name === "remote-candidate" && inIceUdp) {
      remoteCandidate ??= parseRemoteCandidate(node);
    } else if (node.name === "gathering-complete") {
      gatheringComplete = true;
    }
  }
  const ufrag = nonEmpty(element.attrs["ufrag"]);
  const pwd = nonEmpty(element.attrs["pwd"]);
  return {
    kind: "ice-udp",
    ...(ufrag !== undefined && { ufrag }),
    ...(pwd !== undefined && { pwd }),
    candidates,
    ...(remoteCandidate !== undefined && { remoteCandidate }),
    gatheringComplete,
    ...(fingerprints.length > 0 && { fingerprints }),
    skipped,
    ...(sctp !== undefined && { sctp }),
  };
}

/** More fingerprints than this in one transport are ignored (one per hash function is usual). */
const MAX_FINGERPRINTS = 8;
const SETUPS: readonly string[] = ["actpass", "active", "passive", "holdconn"];

/**
 * A `<fingerprint/>` (XEP-0320 §3), leniently: the hash name lower-cased, the digest trimmed and
 * upper-cased; unusable when the digest is not colon-separated hex pairs (RFC 4572 §5) or the hash
 * is missing. An unknown or missing `setup` is left out.
 */
function parseFingerprint(element: XmlElement): DtlsFingerprint | undefined {
  const hash = element.attrs["hash"]?.trim().toLowerCase();
  const value = text(element).trim().toUpperCase();
  if (!hash || !/^[0-9A-F]{2}(:[0-9A-F]{2}){15,63}$/.test(value)) return undefined;
  const setup = element.attrs["setup"];
  return {
    hash,
    ...(setup !== undefined && SETUPS.includes(setup) && { setup: setup as DtlsSetup }),
    value,
  };
}

/** A `<reason/>` (XEP-0166 §7.4); undefined when it holds no known condition. */
function parseReason(element: XmlElement): Reason | undefined {
  const ns = namespaceOf(element, NS_JINGLE);
  const conditionElement = children(element, undefined, NS_JINGLE, ns).find((c) =>
    isReasonCondition(c.name),
  );
  if (conditionElement === undefined) return undefined;
  const condition = conditionElement.name as ReasonCondition;
  const textElement = child(element, "text", NS_JINGLE, ns);
  const sidElement =
    condition === "alternative-session"
      ? child(conditionElement, "sid", NS_JINGLE, namespaceOf(conditionElement, ns))
      : undefined;
  const sid = sidElement && nonEmpty(text(sidElement).trim());
  return {
    condition,
    ...(textElement !== undefined && { text: text(textElement) }),
    ...(sid !== undefined && { sid }),
  };
}
