#!/usr/bin/python3
"""A reference Jingle ICE-UDP peer written with software nobody on jingle-ice wrote: slixmpp for
XMPP, aioice for ICE. It behaves like the Jabber clients in the wild, one switch per habit, and
reports what happens as JSON lines on stdout (stderr gets the logs).

    /usr/bin/python3 test/interop/jingle-peer.py --service 127.0.0.1:5222 \
        --jid peer@example.test/peer --password pw --pings 3 --hangup call bot@example.test/cli
    /usr/bin/python3 test/interop/jingle-peer.py [options] answer --once

(options before the mode: see jingle_peer_args.py)

Needs the Debian packages python3-slixmpp and python3-aioice, and python3-aiortc for --dtls
(run with /usr/bin/python3).

What it does (XEP-0166 Jingle, XEP-0176 Jingle ICE-UDP):
- call: gathers, sends session-initiate (XEP-0166 §6.2) to a full JID with its application and
  transport, applies the session-accept (§6.5) and every transport-info (XEP-0176 §5.5).
- answer: acks a session-initiate (XEP-0166 §6.3), ends it with unsupported-applications when
  the application is not jingle-ice's datagram one and with unsupported-transports when the
  transport is not ICE-UDP (§6.7), else gathers and sends session-accept (§6.5).
- After ICE connects: answers `ping <n>` with `pong <n>`, echoes other datagrams as
  `echo:<data>`, sends its own pings and texts, and may hang up (session-terminate, §6.7).
- --dtls (XEP-0320 §1, on aiortc: jingle_dtls.py): a <fingerprint/> in session-initiate/accept;
  one is required from the other side (else security-error); DTLS runs once ICE is connected
  and the session accepted, and every datagram goes through it. Without --dtls, fingerprints
  are ignored, as clients without XEP-0320 do.
aioice does not trickle: --trickle sends the gathered candidates one per transport-info.
End-of-candidates is XEP-0371's <gathering-complete/> (§5.7), sent inside the ICE-UDP transport
as jingle-ice and other clients do.

Events (stdout): hello, online, jingle-in {from, action, sid, initiator, responder, reason,
reason_text, contents}, ack {action, sid} (our IQ result for it), jingle-out {action, sid,
candidates, gathering_complete, fingerprint}, iq-result {action, sid, ok, condition,
jingle_condition} (the answer to ours), ice-error {message}, ice-state {state}, connected,
selected-pair, dtls {sid, role, setup, remote_setup, cipher_suite, protocol, local_fingerprint,
remote_fingerprint} (`sha-256 AB:…`; the remote one is the handshake's certificate, checked
against signalling), dtls-error {sid, kind, message}, data, ping-done, terminated {sid, by,
reason, text}, error, bye.
Exit status: 0 when nothing went wrong, 1 after an error (ICE failure, IQ error, timeout).
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the test sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

pc.take_stdout()  # before any library can print

import asyncio  # noqa: E402
import logging  # noqa: E402

try:
    import aioice  # noqa: E402
    import slixmpp  # noqa: E402
    from slixmpp.exceptions import IqError, IqTimeout  # noqa: E402
    from slixmpp.xmlstream.handler import Callback  # noqa: E402
    from slixmpp.xmlstream.matcher import MatchXPath  # noqa: E402
except ImportError as exc:
    pc.emit(
        "error",
        message="slixmpp or aioice is not available (%s): apt-get install python3-slixmpp "
        "python3-aioice, and run with /usr/bin/python3" % exc,
    )
    sys.exit(2)

import jingle_dtls as jd  # noqa: E402
import jingle_wire as jw  # noqa: E402
from jingle_peer_args import parse_args  # noqa: E402
from jingle_session import Datagrams, Session, use_host_addresses  # noqa: E402


class Peer:
    def __init__(self, args):
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.xmpp = slixmpp.ClientXMPP(args.jid, args.password)
        self.xmpp.register_handler(
            Callback(
                "jingle",
                MatchXPath("{jabber:client}iq/{%s}jingle" % jw.NS_JINGLE),
                self.on_jingle_iq,
            )
        )
        self.sessions = {}  # (peer full JID, sid) -> Session
        self.inbox = asyncio.Queue()  # (msg, from, iq to ack after processing or None)
        self.finished = asyncio.Event()
        self.failed = False
        self.foundations = {}  # aioice foundation -> the one we send
        self.aiortc = jd.load_aiortc() if args.dtls else None  # ImportError: main() reports
        # One certificate per process, as jingle-ice has (aiortc makes one per connection).
        self.certificate = self.aiortc.RTCCertificate.generateCertificate() if args.dtls else None

    # --- XMPP ------------------------------------------------------------------------------
    async def login(self):
        online = self.loop.create_future()
        self.xmpp.add_event_handler(
            "session_start", lambda _: online.done() or online.set_result(True)
        )
        for event in ("failed_auth", "connection_failed", "disconnected"):
            self.xmpp.add_event_handler(
                event, lambda e, ev=event: online.done() or online.set_exception(RuntimeError(ev))
            )
        host, port = pc.split_hostport(self.args.service)
        self.xmpp.connect(address=(host, port), force_starttls=False, disable_starttls=True)
        await online
        self.xmpp.send_presence()
        pc.emit("online", jid=str(self.xmpp.boundjid))

    def on_jingle_iq(self, iq):
        """The IQ handler: ack at once (XEP-0166 §6.3) unless --late-ack, then process in
        arrival order; a sid we do not know gets item-not-found + <unknown-session/> (§10).
        Error replies carry our <jingle/> back (xmpp.js does so): only sets are requests, and
        a result or error is never answered (RFC 6120 §8.2.3)."""
        if iq["type"] != "set":
            return
        msg = jw.read(iq.xml.find(jw.q(jw.NS_JINGLE, "jingle")), aioice.Candidate)
        sender = str(iq["from"])
        pc.emit("jingle-in", **{"from": sender}, **jw.summary(msg))
        if msg["action"] != "session-initiate" and (sender, msg["sid"]) not in self.sessions:
            reply = iq.reply(clear=True)
            reply["error"]["type"] = "cancel"
            reply["error"]["condition"] = "item-not-found"
            reply["error"].xml.append(jw.unknown_session_error())
            reply.send()
            return
        if not self.args.late_ack:
            self.ack(iq, msg)
        self.inbox.put_nowait((msg, sender, iq if self.args.late_ack else None))

    def ack(self, iq, msg):
        iq.reply(clear=True).send()
        pc.emit("ack", action=msg["action"], sid=msg["sid"])

    async def process_inbox(self):
        while True:
            msg, sender, iq = await self.inbox.get()
            try:
                await self.process(msg, sender)
            except Exception as exc:  # noqa: BLE001 - reported; the peer goes on
                self.error("processing %s: %r" % (msg["action"], exc))
            if iq is not None:
                self.ack(iq, msg)  # the late ack: after our own answer went out

    def send_jingle(self, s, el, then=None):
        """Sends one <jingle/> IQ-set now (stanzas leave in call order) and reports its result;
        `then()` runs after a result, not after an error."""
        iq = self.xmpp.make_iq_set(ito=s.peer)
        iq.append(el)
        action = el.get("action")
        pc.emit("jingle-out", action=action, sid=s.sid, **jw.outgoing(el))
        future = iq.send(timeout=15)

        async def report():
            try:
                await future
            except IqError as exc:
                condition, jingle_condition = jw.stanza_error(exc.iq.xml)
                pc.emit(
                    "iq-result",
                    action=action,
                    sid=s.sid,
                    ok=False,
                    condition=condition,
                    jingle_condition=jingle_condition,
                )
                self.failed = True
                return
            except IqTimeout:
                self.error("no answer to %s" % action)
                return
            pc.emit("iq-result", action=action, sid=s.sid, ok=True)
            if then is not None:
                then()

        asyncio.ensure_future(report())

    def jingle(self, s, action, responder=None):
        return jw.jingle(
            action, s.sid, None if self.args.no_initiator else s.initiator_jid, responder
        )

    # --- ICE -------------------------------------------------------------------------------
    def candidates(self, s):
        """Our gathered candidates as <candidate/> elements, with the foundation style chosen."""
        new_id = (lambda: None) if self.args.bare_candidates else pc.new_candidate_id
        hex_ones = self.args.hex_foundations
        return jw.candidates(s.conn.local_candidates, self.foundations, hex_ones, new_id)

    def transport(self, s, candidates=(), gathering_complete=False, info=False):
        """Our ICE-UDP transport; with DTLS our <fingerprint/> too: in session-initiate/accept,
        or with --fingerprint-in-info in transport-info instead (XEP-0320 §1 allows a responder
        to send it so before accepting)."""
        pwd = None if info and self.args.info_without_pwd else s.conn.local_password
        fingerprint = s.dtls is not None and info == self.args.fingerprint_in_info
        return jw.ice_transport(
            s.conn.local_username,
            pwd,
            candidates,
            gathering_complete and not self.args.no_gathering_complete,
            webrtc=self.args.app == "file-transfer",
            dtls_fingerprint=s.dtls.element() if fingerprint else None,
        )

    def content(self, parent, s, transport):
        offer = jw.file_offer_description if self.args.app == "file-transfer" else None
        jw.add_content(parent, s.content_name, (offer or jw.datagram_description)(), transport)

    def trickle(self, s, candidates, gathering_complete=True):
        """Trickle (XEP-0176 §5.5): each candidate in a transport-info of its own, then
        end-of-candidates (XEP-0371 §5.7) in one more."""
        for c in candidates:
            el = self.jingle(s, "transport-info")
            jw.add_content(el, s.content_name, None, self.transport(s, [c], info=True))
            self.send_jingle(s, el)
        if gathering_complete and not self.args.no_gathering_complete:
            el = self.jingle(s, "transport-info")
            jw.add_content(el, s.content_name, None, self.transport(s, [], True, info=True))
            self.send_jingle(s, el)

    async def new_connection(self, s, controlling, offered=None):
        """Our aioice connection (and our DTLS side, with `offered` the offer's setup)."""
        s.conn = aioice.Connection(ice_controlling=controlling, components=1, use_ipv6=False)
        s.data = Datagrams(
            self.args, lambda comp, data: self.send_datagram(s, comp, data), self.loop.call_later
        )
        if self.args.dtls:
            s.dtls = jd.SessionDtls(self.aiortc, s.conn, self.certificate, self.args, offered)
        await s.conn.gather_candidates()
        s.gathered = True

    def send_datagram(self, s, component, data):
        if s.dtls is not None:
            return s.dtls.send(data)
        # Connection.sendto() is a coroutine only by signature: it sends at once.
        pair = s.conn._nominated.get(component) if s.conn is not None else None
        if pair is None:
            return False
        pair.protocol.transport.sendto(data, pair.remote_addr)
        return True

    async def apply_transport(self, s, content):
        """Remote credentials, candidates and end-of-candidates, in order, as a client on aioice
        applies them: aioice refuses candidates after end-of-candidates (reported as ice-error)."""
        if content["transport"] != jw.NS_ICE_UDP or s.conn is None:
            return
        if s.dtls is not None:
            s.dtls.learn(content["fingerprints"])
        if content["ufrag"] is not None and content["pwd"] is not None:
            s.conn.remote_username, s.conn.remote_password = content["ufrag"], content["pwd"]
        for c in content["candidates"] + ([None] if content["gathering_complete"] else []):
            try:
                await s.conn.add_remote_candidate(c)
            except ValueError as exc:
                pc.emit("ice-error", message=str(exc))
                self.failed = True
                continue
            s.remote_end = s.remote_end or c is None
            s.remote_candidates += 0 if c is None else 1
        self.maybe_connect(s)

    def maybe_connect(self, s):
        ready = s.conn.remote_password is not None and (s.remote_candidates > 0 or s.remote_end)
        if s.connect_task is None and s.gathered and ready and not s.ended:
            s.connect_task = asyncio.ensure_future(self.run_ice(s))
            s.connect_task.add_done_callback(self.report_crash)

    def report_crash(self, task):
        """A task's exception would otherwise vanish: it is an error of ours."""
        if not task.cancelled() and task.exception() is not None:
            self.error("%s: %r" % (task.get_coro().__qualname__, task.exception()))

    async def run_ice(self, s):
        pc.emit("ice-state", sid=s.sid, state="checking")
        s.data.on_remote_credentials()
        s.data.on_remote_candidate()
        try:
            await s.conn.connect()
        except ConnectionError as exc:
            if s.ended:
                return  # closed because the session ended (aioice then fails its checks)
            pc.emit("ice-state", sid=s.sid, state="failed")
            pc.emit("ice-error", message=str(exc))
            self.failed = True
            await self.terminate(s, "connectivity-error", "ICE failed: %s" % exc)
            return
        pc.emit("ice-state", sid=s.sid, state="connected")
        s.data.report_connected(1)
        pair = s.conn._nominated[1]
        pc.emit(
            "selected-pair",
            sid=s.sid,
            local={"ip": pair.local_candidate.host, "port": pair.local_candidate.port},
            remote={"ip": pair.remote_candidate.host, "port": pair.remote_candidate.port},
        )
        if s.dtls is None:
            asyncio.ensure_future(s.receive())
        await s.accepted.wait()  # ICE may connect first; the session is active only now
        if s.dtls is None or await self.secure(s):
            await self.traffic(s)

    async def secure(self, s):
        """DTLS over the ICE connection once both setups are known (XEP-0320 §1): True when the
        handshake completed and the peer's certificate matched its fingerprint."""
        try:
            info = await s.dtls.open(lambda data: s.data.on_datagram(1, data))
        except jd.DtlsFailure as exc:
            if s.ended:
                return False  # the session ended first (closing ICE fails the handshake)
            pc.emit("dtls-error", sid=s.sid, kind=exc.kind, message=str(exc))
            self.failed = True
            await self.terminate(s, "security-error", str(exc))
            return False
        if s.ended:
            return False
        pc.emit("dtls", sid=s.sid, **info)
        return True

    async def traffic(self, s):
        """Our own datagrams (texts, pings), then maybe hang up."""
        missing, unanswered = await s.exchange(self.args.send, self.args.pings)
        if missing:
            self.error("no echo of %r" % missing)
        self.failed = self.failed or unanswered
        if self.args.hangup:
            await self.terminate(s, "success")

    # --- Jingle actions --------------------------------------------------------------------
    async def call(self):
        """XEP-0166 §6.2: session-initiate with our content; trickle once it is acked."""
        me = str(self.xmpp.boundjid)
        sid = jw.new_sid(self.args.base64_sid)
        s = Session(self.args.peer, sid, me, True, self.args.content_name)
        self.sessions[(s.peer, s.sid)] = s
        el = self.jingle(s, "session-initiate")
        if self.args.transport == "ibb":
            s.data = Datagrams(self.args, lambda *_: False, self.loop.call_later)
            self.content(el, s, jw.ibb_transport(s.sid))
            self.send_jingle(s, el)
            return
        await self.new_connection(s, controlling=True)
        trickle = self.args.trickle
        candidates = self.candidates(s)
        transport = self.transport(s, [] if trickle else candidates, not trickle)
        self.content(el, s, transport)
        self.send_jingle(s, el, then=(lambda: self.trickle(s, candidates)) if trickle else None)

    async def answer(self, msg, sender):
        """Refuse what we cannot do (XEP-0166 §6.7), else accept with our candidates (§6.5)."""
        content = msg["contents"][0] if msg["contents"] else None
        initiator = msg["initiator"] or sender
        s = Session(sender, msg["sid"], initiator, False, content["name"] if content else "0")
        self.sessions[(sender, s.sid)] = s
        if content is None or content["description"] != jw.NS_DATAGRAM:
            await self.terminate(s, "unsupported-applications")
            return
        if content["transport"] != jw.NS_ICE_UDP:
            await self.terminate(s, "unsupported-transports")
            return
        refusal = jd.refusal(self.args, content)
        if refusal is not None:
            await self.terminate(s, "security-error", refusal)
            return
        offered = (jd.pick_sha256(content["fingerprints"]) or {}).get("setup")
        await self.new_connection(s, controlling=False, offered=offered)
        await self.apply_transport(s, content)
        candidates = self.candidates(s)
        if self.args.accept_delay is not None:
            # Candidates first (trickled, or all in one transport-info), the accept later.
            if self.args.trickle:
                self.trickle(s, candidates)
            else:
                el = self.jingle(s, "transport-info")
                transport = self.transport(s, candidates, True, info=True)
                jw.add_content(el, s.content_name, None, transport)
                self.send_jingle(s, el)
            self.loop.call_later(self.args.accept_delay / 1000, self.send_accept, s, [], False)
        elif self.args.trickle:
            self.send_accept(s, [], False)
            self.trickle(s, candidates)
        else:
            self.send_accept(s, candidates, True)
        self.maybe_connect(s)

    def send_accept(self, s, candidates, gathering_complete):
        if s.ended:
            return
        el = self.jingle(s, "session-accept", responder=str(self.xmpp.boundjid))
        self.content(el, s, self.transport(s, candidates, gathering_complete))
        self.send_jingle(s, el)
        s.accepted.set()

    async def process(self, msg, sender):
        action = msg["action"]
        if action == "session-initiate":
            if self.args.mode == "answer":
                await self.answer(msg, sender)
            else:
                self.error("a caller does not take session-initiate")
            return
        s = self.sessions[(sender, msg["sid"])]
        if s.ended:
            return  # acked (the session was ours), nothing more to do
        if action == "session-accept":
            ours = [c for c in msg["contents"] if c["name"] == s.content_name]
            refusal = jd.refusal(self.args, ours[0]) if ours else None
            if refusal is not None:
                await self.terminate(s, "security-error", refusal)
                return
            s.accepted.set()
        if action in ("session-accept", "transport-info"):
            for content in msg["contents"]:
                if content["name"] == s.content_name:
                    await self.apply_transport(s, content)
        elif action == "session-terminate":
            await self.end(s, "peer", msg["reason"], msg["reason_text"])

    async def terminate(self, s, reason, text=None):
        """XEP-0166 §6.7: session-terminate with a reason."""
        if s.ended:
            return
        el = self.jingle(s, "session-terminate")
        jw.add_reason(el, reason, text)
        self.send_jingle(s, el)
        await self.end(s, "self", reason, text)

    async def end(self, s, by, reason, text):
        if s.ended:
            return
        s.ended = True
        pc.emit("terminated", sid=s.sid, by=by, reason=reason, text=text)
        await self.close(s)
        if self.args.mode == "call" or self.args.once:
            await asyncio.sleep(0.2)  # let the last IQ (and its result) through
            self.finished.set()

    async def close(self, s):
        """close_notify (DTLS), then the ICE connection."""
        if s.dtls is not None:
            await s.dtls.stop()
        if s.conn is not None:
            await s.conn.close()

    def error(self, message):
        self.failed = True
        pc.log("error:", message)
        pc.emit("error", message=message)

    async def run(self):
        versions = {"slixmpp": slixmpp.__version__, "aioice": aioice.__version__}
        if self.aiortc is not None:
            versions["aiortc"] = self.aiortc.__version__
        pc.emit("hello", impl="jingle-peer", mode=self.args.mode, pid=os.getpid(), **versions)
        worker = asyncio.ensure_future(self.process_inbox())
        try:
            await asyncio.wait_for(self.session(), self.args.timeout)
        except asyncio.TimeoutError:
            self.error("timed out after %g s" % self.args.timeout)
        except RuntimeError as exc:
            self.error("XMPP login failed: %s" % exc)
        worker.cancel()
        for s in self.sessions.values():
            if not s.ended:
                await self.close(s)
        stats = {}
        for s in self.sessions.values():
            for k, v in (s.data.stats.items() if s.data else ()):
                stats[k] = stats.get(k, 0) + v
        pc.emit("bye", failed=self.failed, **stats)
        self.xmpp.disconnect(wait=0.5)
        await asyncio.sleep(0.3)
        return 1 if self.failed else 0

    async def session(self):
        await self.login()
        if self.args.mode == "call":
            await self.call()
        await self.finished.wait()


async def main(args):
    use_host_addresses(args.bind)
    try:
        peer = Peer(args)
    except ImportError as exc:
        pc.emit("error", message=str(exc))
        return 2
    return await peer.run()


if __name__ == "__main__":
    ARGS = parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s %(message)s")
    code = asyncio.run(main(ARGS))
    sys.stderr.flush()
    os._exit(code)
