/**
 * {@link Jingle} model → plain `<jingle/>` element (XEP-0166 §7, XEP-0176 §5.3), emitting what
 * real peers expect (docs/plugin.md). The plugin turns the result into an xmpp.js element with
 * `xml()`; {@link parseJingle} reads it back to the same model.
 */
import { buildCandidate, buildRemoteCandidate } from "./candidate.js";
import { JingleBuildError } from "./errors.js";
import { buildGroup } from "./grouping.js";
import { buildSctpmap, buildWebrtcDataChannel } from "./sctp-transport.js";
import {
  NS_JINGLE,
  NS_JINGLE_DTLS,
  NS_JINGLE_ICE_UDP,
  type Content,
  type DtlsFingerprint,
  type IceUdpTransport,
  type Jingle,
  type Reason,
} from "./model.js";
import { el, type XmlElement } from "./xml.js";

/**
 * Builds the `<jingle xmlns='urn:xmpp:jingle:1'/>` element: attributes action, sid, initiator,
 * responder (when set); then each `<content/>`, the `<reason/>`, and the `info` payloads as
 * given. Throws {@link JingleBuildError} for an empty sid, a transport with candidates but no
 * ufrag/pwd, or a candidate the peer would skip.
 */
export function buildJingle(jingle: Jingle): XmlElement {
  if (jingle.sid === "") throw new JingleBuildError("jingle sid must not be empty");
  const content: XmlElement[] = jingle.contents.map(buildContent);
  if (jingle.groups !== undefined) content.push(...jingle.groups.map(buildGroup));
  if (jingle.reason !== undefined) content.push(buildReason(jingle.reason));
  if (jingle.info !== undefined) content.push(...jingle.info);
  return el(
    "jingle",
    {
      xmlns: NS_JINGLE,
      action: jingle.action,
      initiator: jingle.initiator,
      responder: jingle.responder,
      sid: jingle.sid,
    },
    content,
  );
}

/** A `<content/>` (XEP-0166 §7.3): creator and name always; description before transport. */
export function buildContent(content: Content): XmlElement {
  if (content.name === "") throw new JingleBuildError("content name must not be empty");
  const inner: XmlElement[] = [];
  if (content.description !== undefined) inner.push(content.description);
  const transport = content.transport;
  if (transport !== undefined) {
    inner.push(transport.kind === "ice-udp" ? buildTransport(transport) : transport.element);
  }
  return el(
    "content",
    {
      creator: content.creator,
      disposition: content.disposition,
      name: content.name,
      senders: content.senders,
    },
    inner,
  );
}

/**
 * The content's transport for an ICE-UDP model: the ICE-UDP `<transport/>`, wrapped in
 * Conversations' outer transport when its SCTP variant is `webrtc-datachannel`
 * (src/jingle/sctp-transport.ts).
 */
export function buildTransport(transport: IceUdpTransport): XmlElement {
  const ice = buildIceUdpTransport(transport);
  const sctp = transport.sctp;
  return sctp?.variant === "webrtc-datachannel" ? buildWebrtcDataChannel(sctp, ice) : ice;
}

/**
 * An ICE-UDP `<transport/>` (XEP-0176 §5.3): `ufrag`/`pwd` when known — and always when it
 * carries candidates (XEP-0176 §5.3 requires them whenever candidates are sent; a transport
 * without them is refused with {@link JingleBuildError}) — then the candidates, the
 * `<remote-candidate/>` (§5.7) and `<gathering-complete/>` (XEP-0371's end-of-candidates
 * indication, in the ICE-UDP namespace). `skipped` is never written; an `sctp` of variant
 * `sctpmap` becomes XEP-0343's `<sctpmap/>` after the fingerprints (the other variant is the
 * wrapper {@link buildTransport} adds).
 */
export function buildIceUdpTransport(transport: IceUdpTransport): XmlElement {
  const { ufrag, pwd } = transport;
  if (transport.candidates.length > 0 && (!ufrag || !pwd)) {
    throw new JingleBuildError("a transport that carries candidates needs ufrag and pwd");
  }
  const inner = (transport.fingerprints ?? []).map(buildFingerprint);
  // XEP-0343 §3: the <sctpmap/> sits in the ICE-UDP transport, next to the fingerprint.
  if (transport.sctp?.variant === "sctpmap") inner.push(buildSctpmap(transport.sctp));
  inner.push(...transport.candidates.map(buildCandidate));
  if (transport.remoteCandidate !== undefined) {
    inner.push(buildRemoteCandidate(transport.remoteCandidate));
  }
  if (transport.gatheringComplete) inner.push(el("gathering-complete"));
  return el(
    "transport",
    // Empty credentials are left out, as parseJingle reads them as absent.
    { xmlns: NS_JINGLE_ICE_UDP, pwd: pwd || undefined, ufrag: ufrag || undefined },
    inner,
  );
}

/** A `<fingerprint/>` (XEP-0320 §3). */
export function buildFingerprint(fingerprint: DtlsFingerprint): XmlElement {
  return el(
    "fingerprint",
    { xmlns: NS_JINGLE_DTLS, hash: fingerprint.hash, setup: fingerprint.setup },
    [fingerprint.value],
  );
}

/**
 * A `<reason/>` (XEP-0166 §7.4): the condition element, with `<sid/>` inside for
 * `alternative-session` (the only condition that carries one), then `<text/>` when set.
 */
export function buildReason(reason: Reason): XmlElement {
  const sid =
    reason.condition === "alternative-session" && reason.sid !== undefined
      ? [el("sid", {}, [reason.sid])]
      : [];
  const inner = [el(reason.condition, {}, sid)];
  if (reason.text !== undefined) {
    inner.push(el("text", {}, reason.text === "" ? [] : [reason.text]));
  }
  return el("reason", {}, inner);
}
