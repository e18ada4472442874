"""Jingle stanzas for jingle-peer.py: build and read the `<jingle/>` elements of XEP-0166 with
ICE-UDP transports (XEP-0176), plus the two offers we expect to be refused: an XEP-0234 file
offer and an XEP-0261 in-band bytestream transport.

Plain xml.etree elements, so the module needs only the standard library (and aioice's Candidate
class, passed in by the caller). Every switch of the peer that changes what goes on the wire is
an argument here; the defaults are what a careful client sends.
"""

import base64
import os
import xml.etree.ElementTree as ET

NS_JINGLE = "urn:xmpp:jingle:1"
NS_JINGLE_ERRORS = "urn:xmpp:jingle:errors:1"
NS_ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1"
NS_IBB = "urn:xmpp:jingle:transports:ibb:1"
# jingle-ice's datagram application: an empty <description/> in every session-initiate and
# session-accept.
NS_DATAGRAM = "https://www.npmjs.com/package/jingle-ice#datagram-0"
NS_FILE_TRANSFER = "urn:xmpp:jingle:apps:file-transfer:5"
NS_HASHES = "urn:xmpp:hashes:2"
NS_DTLS = "urn:xmpp:jingle:apps:dtls:0"
NS_DTLS_SCTP = "urn:xmpp:jingle:transports:dtls-sctp:1"


def q(ns, name):
    """An ElementTree qualified name."""
    return "{%s}%s" % (ns, name)


def new_sid(base64_style):
    """A session id (XEP-0166 §7.1 only asks for uniqueness). base64_style: standard base64 that
    is sure to contain '+' and '/', as some clients' sids do; else 16 hex digits."""
    if not base64_style:
        return os.urandom(8).hex()
    text = base64.b64encode(os.urandom(15)).decode("ascii")
    return text[:4] + "+" + text[5:9] + "/" + text[10:]


# --- building ---------------------------------------------------------------------------------


def jingle(action, sid, initiator=None, responder=None):
    """<jingle/> (XEP-0166 §7.1); initiator=None leaves the attribute out, as some clients do."""
    el = ET.Element(q(NS_JINGLE, "jingle"), {"action": action, "sid": sid})
    if initiator is not None:
        el.set("initiator", initiator)
    if responder is not None:
        el.set("responder", responder)
    return el


def add_content(parent, name, description=None, transport=None, senders="both"):
    """<content/> (XEP-0166 §7.3): creator is always the initiator's here (one content, created by
    whoever initiated)."""
    el = ET.SubElement(
        parent, q(NS_JINGLE, "content"), {"creator": "initiator", "name": name, "senders": senders}
    )
    if description is not None:
        el.append(description)
    if transport is not None:
        el.append(transport)
    return el


def add_reason(parent, condition, text=None):
    """<reason/> (XEP-0166 §7.4)."""
    el = ET.SubElement(parent, q(NS_JINGLE, "reason"))
    ET.SubElement(el, q(NS_JINGLE, condition))
    if text is not None:
        ET.SubElement(el, q(NS_JINGLE, "text")).text = text
    return el


def datagram_description():
    """jingle-ice's datagram application: an empty element."""
    return ET.Element(q(NS_DATAGRAM, "description"))


def file_offer_description(name="hello.txt", size=4096):
    """An XEP-0234 file offer (§6.1) shaped like StanzaJS's: date, media-type, name, size, and
    <hash-used/> (XEP-0300 §3) naming sha-1, without which StanzaJS receivers give up."""
    desc = ET.Element(q(NS_FILE_TRANSFER, "description"))
    f = ET.SubElement(desc, q(NS_FILE_TRANSFER, "file"))
    ET.SubElement(f, q(NS_FILE_TRANSFER, "date")).text = "2024-01-01T00:00:00.000Z"
    ET.SubElement(f, q(NS_FILE_TRANSFER, "media-type")).text = "text/plain"
    ET.SubElement(f, q(NS_FILE_TRANSFER, "name")).text = name
    ET.SubElement(f, q(NS_FILE_TRANSFER, "size")).text = str(size)
    ET.SubElement(f, q(NS_HASHES, "hash-used"), {"algo": "sha-1"})
    return desc


def random_fingerprint():
    """A sha-256 fingerprint value (`AB:CD:…`, RFC 8122 §5) of no certificate at all."""
    return ":".join("%02X" % b for b in os.urandom(32))


def fingerprint(hash_name, setup, value):
    """<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash setup>value</fingerprint>
    (XEP-0320 §3): the certificate's hash and the DTLS setup role (RFC 4145 §4)."""
    el = ET.Element(q(NS_DTLS, "fingerprint"), {"hash": hash_name, "setup": setup})
    el.text = value
    return el


def ice_transport(
    ufrag, pwd, candidates=(), gathering_complete=False, webrtc=False, dtls_fingerprint=None
):
    """<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/> (XEP-0176 §5.3) around candidate
    elements; pwd=None leaves pwd out, which §5.3 forbids with candidates and some clients do in
    transport-info anyway. dtls_fingerprint: a fingerprint() element, first child as XEP-0320
    §3's examples place it. webrtc adds what StanzaJS sends with a file offer: a DTLS
    fingerprint (XEP-0320, of no certificate) and an sctpmap (XEP-0343)."""
    attrs = {"ufrag": ufrag}
    if pwd is not None:
        attrs["pwd"] = pwd
    el = ET.Element(q(NS_ICE_UDP, "transport"), attrs)
    if dtls_fingerprint is not None:
        el.append(dtls_fingerprint)
    for c in candidates:
        el.append(c)
    if webrtc:
        el.append(fingerprint("sha-256", "actpass", random_fingerprint()))
        ET.SubElement(
            el,
            q(NS_DTLS_SCTP, "sctpmap"),
            {"number": "5000", "protocol": "webrtc-datachannel", "streams": "1024"},
        )
    if gathering_complete:
        # End-of-candidates as XEP-0371 §5.7 names it; jingle-ice sends it inside ICE-UDP too.
        ET.SubElement(el, q(NS_ICE_UDP, "gathering-complete"))
    return el


def ibb_transport(sid, block_size=4096):
    """<transport xmlns='urn:xmpp:jingle:transports:ibb:1'/> (XEP-0261 §2.2)."""
    return ET.Element(q(NS_IBB, "transport"), {"block-size": str(block_size), "sid": sid})


def candidate(c, foundation, cid=None):
    """<candidate/> (XEP-0176 §5.3) from an aioice Candidate. cid=None leaves out id and network
    (both REQUIRED by the XEP, absent in several clients)."""
    attrs = {
        "component": str(c.component),
        "foundation": foundation,
        "generation": "0",
        "ip": c.host,
        "port": str(c.port),
        "priority": str(c.priority),
        "protocol": "udp",
        "type": c.type,
    }
    if cid is not None:
        attrs["id"] = cid
        attrs["network"] = "0"
    if c.related_address is not None:
        attrs["rel-addr"] = c.related_address
        attrs["rel-port"] = str(c.related_port)
    return ET.Element(q(NS_ICE_UDP, "candidate"), attrs)


def candidates(local_candidates, foundations, hex_foundations, new_id):
    """<candidate/> elements for aioice candidates: their 32-hex-digit foundations, or 1, 2, …
    through `foundations` (aioice's -> ours, kept across calls); ids from new_id() (None: no id
    and no network)."""
    out = []
    for c in local_candidates:
        foundation = c.foundation
        if not hex_foundations:
            foundation = foundations.setdefault(foundation, str(len(foundations) + 1))
        out.append(candidate(c, foundation, new_id()))
    return out


def unknown_session_error():
    """The XEP-0166 §10 payload of an item-not-found for an unknown sid."""
    return ET.Element(q(NS_JINGLE_ERRORS, "unknown-session"))


# --- reading ----------------------------------------------------------------------------------


def _ns(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def parse_candidates(transport, make_candidate):
    """The candidates of an ICE-UDP transport, made with make_candidate(**aioice fields); odd ones
    are skipped (and counted)."""
    out, skipped = [], 0
    for el in transport.findall(q(NS_ICE_UDP, "candidate")):
        a = el.attrib
        try:
            out.append(
                make_candidate(
                    foundation=a["foundation"],
                    component=int(a["component"]),
                    transport=a.get("protocol", "udp").lower(),
                    priority=int(a["priority"]),
                    host=a["ip"],
                    port=int(a["port"]),
                    type=a["type"],
                    related_address=a.get("rel-addr"),
                    related_port=int(a["rel-port"]) if "rel-port" in a else None,
                    generation=int(a.get("generation", "0")),
                )
            )
        except (KeyError, ValueError):
            skipped += 1
    return out, skipped


def read_fingerprints(transport):
    """The XEP-0320 <fingerprint/> children of a transport: [{hash, setup, value}], the hash name
    lower-cased and the value trimmed; setup None when absent."""
    return [
        {
            "hash": (f.get("hash") or "").lower(),
            "setup": f.get("setup"),
            "value": (f.text or "").strip(),
        }
        for f in transport.findall(q(NS_DTLS, "fingerprint"))
    ]


def read(el, make_candidate):
    """A received <jingle/> as a dict: action, sid, initiator, responder, contents (name,
    description namespace and child names, transport namespace, ufrag, pwd, candidates,
    gathering_complete, DTLS fingerprints), reason and reason text."""
    contents = []
    for c in el.findall(q(NS_JINGLE, "content")):
        desc = next((d for d in c if _local(d.tag) == "description"), None)
        transport = next((t for t in c if _local(t.tag) == "transport"), None)
        tns = _ns(transport.tag) if transport is not None else None
        cands, skipped = ([], 0)
        if transport is not None and tns == NS_ICE_UDP:
            cands, skipped = parse_candidates(transport, make_candidate)
        contents.append(
            {
                "name": c.get("name"),
                "creator": c.get("creator"),
                "description": None if desc is None else _ns(desc.tag),
                "description_children": [] if desc is None else [_local(x.tag) for x in desc],
                "transport": tns,
                "ufrag": None if transport is None else transport.get("ufrag"),
                "pwd": None if transport is None else transport.get("pwd"),
                "candidates": cands,
                "skipped": skipped,
                "gathering_complete": transport is not None
                and any(_local(x.tag) == "gathering-complete" for x in transport),
                "fingerprints": [] if transport is None else read_fingerprints(transport),
            }
        )
    reason = el.find(q(NS_JINGLE, "reason"))
    condition = text = None
    if reason is not None:
        for r in reason:
            if _local(r.tag) == "text":
                text = r.text or ""
            elif condition is None:
                condition = _local(r.tag)
    return {
        "action": el.get("action"),
        "sid": el.get("sid"),
        "initiator": el.get("initiator"),
        "responder": el.get("responder"),
        "contents": contents,
        "reason": condition,
        "reason_text": text,
    }


def summary(msg):
    """What the peer reports of a received <jingle/> (JSON-ready)."""
    return {
        "action": msg["action"],
        "sid": msg["sid"],
        "initiator": msg["initiator"],
        "responder": msg["responder"],
        "reason": msg["reason"],
        "reason_text": msg["reason_text"],
        "contents": [
            {
                "name": c["name"],
                "creator": c["creator"],
                "description": c["description"],
                "description_children": c["description_children"],
                "transport": c["transport"],
                "ufrag": c["ufrag"] is not None,
                "pwd": c["pwd"] is not None,
                "candidates": len(c["candidates"]),
                "skipped": c["skipped"],
                "gathering_complete": c["gathering_complete"],
                "fingerprints": c["fingerprints"],
            }
            for c in msg["contents"]
        ],
    }


def outgoing(el):
    """What the peer reports of a <jingle/> it sends: the number of candidates, whether it
    carries <gathering-complete/>, and the setups of its <fingerprint/>s (XEP-0320 §1)."""
    content = el.find(q(NS_JINGLE, "content"))
    transport = None if content is None else content.find(q(NS_ICE_UDP, "transport"))
    found = (lambda name: []) if transport is None else transport.findall
    return {
        "candidates": len(found(q(NS_ICE_UDP, "candidate"))),
        "gathering_complete": len(found(q(NS_ICE_UDP, "gathering-complete"))) > 0,
        "fingerprint": [f.get("setup") for f in found(q(NS_DTLS, "fingerprint"))],
    }


def stanza_error(iq_error_stanza):
    """(condition, jingle condition) of an <iq type='error'/> (XEP-0166 §10)."""
    err = iq_error_stanza.find("{jabber:client}error")
    if err is None:
        return None, None
    condition = jingle_condition = None
    for child in err:
        ns = _ns(child.tag)
        if ns == "urn:ietf:params:xml:ns:xmpp-stanzas" and _local(child.tag) != "text":
            condition = _local(child.tag)
        elif ns == NS_JINGLE_ERRORS:
            jingle_condition = _local(child.tag)
    return condition, jingle_condition
