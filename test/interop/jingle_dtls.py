"""DTLS for jingle-peer.py (XEP-0320 §1 in Jingle, RFC 5763 §5 for the roles), on aiortc 1.4
(Debian python3-aiortc): its RTCDtlsTransport over an RTCIceTransport that wraps the aioice
connection the peer already drives, and its self-signed ECDSA certificate.

aiortc has no public API for raw application data over DTLS (its data channels go through SCTP),
so datagrams use the transport's internal data path, the one its SCTP layer uses:
`_register_data_receiver` (the receiver's `_handle_data` gets each decrypted application record)
and `_send_data` (one record per call, sent at once). `_set_role` fixes the DTLS role before
`start()` (aiortc would otherwise derive it from the ICE role, as ORTC does).

What aiortc 1.4 does, and so what this peer shows (docs/dtls.md should say it too):
- it checks the peer's certificate against sha-256 fingerprints only, and only after the
  handshake completed: a mismatch ends its side with state `failed` and sends no alert, so the
  other side sees a finished handshake and learns of the refusal from signalling alone;
- a failed handshake is only logged (at debug level), and its receive path swallows OpenSSL's
  error while the handshake runs, so a fatal alert from the other side (bad_certificate, …)
  ends it with an empty error: "no OpenSSL error left" below;
- it offers only SRTP_AES128_CM_HMAC_SHA1_80 in use_srtp and requires a client certificate.
"""

import asyncio
import logging
import re

import jingle_wire as jw

SETUPS = ("actpass", "active", "passive")
# How long a handshake may take once ICE is connected and the roles are known.
HANDSHAKE_TIMEOUT_S = 10.0
# Datagrams waiting to be encrypted and sent (the pings and texts of a test are a handful).
MAX_QUEUED = 256


class DtlsFailure(Exception):
    """The DTLS set-up failed; `kind` is no-fingerprint, setup-conflict, fingerprint-mismatch,
    handshake-failed or timeout."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def load_aiortc():
    """aiortc, or ImportError with what to install."""
    try:
        import aiortc
    except ImportError as exc:
        raise ImportError(
            "aiortc is not available (%s): apt-get install python3-aiortc, and run with "
            "/usr/bin/python3" % exc
        ) from exc
    return aiortc


def answer_setup(offered):
    """RFC 5763 §5: the answerer is active (the DTLS client) unless the offer is active; an offer
    without setup counts as active (RFC 4145 §4's default in an offer)."""
    return "passive" if (offered or "active") == "active" else "active"


def dtls_role(we_offered, local, remote):
    """Our DTLS role ('client' sends the ClientHello) from both setups (RFC 4145 §4, RFC 5763
    §5). As offerer with actpass the answer decides; an answer that does not (actpass, or the
    same role as ours) is a DtlsFailure. As answerer our answer decides; an answer of actpass,
    which RFC 4145 §4 does not allow, makes us wait for the ClientHello, as jingle-ice (the
    offerer) then takes the client side."""
    if not we_offered:
        return "client" if local == "active" else "server"
    answered = remote or "passive"  # RFC 4145 §4: the default in an answer
    if local == "actpass" and answered in ("active", "passive"):
        return "server" if answered == "active" else "client"
    if local in ("active", "passive") and answered != local:
        return "client" if local == "active" else "server"
    raise DtlsFailure(
        "setup-conflict", "we offered setup=%s and the answer says setup=%s" % (local, answered)
    )


def pick_sha256(fingerprints):
    """The first sha-256 fingerprint ({hash, setup, value}) of a transport, or None: aiortc
    verifies no other hash."""
    return next((f for f in fingerprints if f["hash"] == "sha-256" and f["value"]), None)


def refusal(args, content):
    """Why the peer's offer (answering) or answer (calling) does not meet --dtls: it carries no
    sha-256 fingerprint. None when all is well; without --dtls a fingerprint is ignored, as
    clients without XEP-0320 do."""
    if not args.dtls or pick_sha256(content["fingerprints"]) is not None:
        return None
    where = "session-accept" if args.mode == "call" else "session-initiate"
    return "DTLS is required (XEP-0320): no sha-256 fingerprint in the %s" % where


class _FailureLog(logging.Handler):
    """Keeps the reason of aiortc's debug line about a failed handshake (its only report)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.reasons = []

    def emit(self, record):
        found = re.search(r"handshake failed \((.*)\)$", record.getMessage())
        if found is not None and len(self.reasons) < 8:
            # "error " and nothing more: OpenSSL's error queue was already empty (see above).
            reason = found.group(1).strip()
            self.reasons.append("no OpenSSL error left" if reason == "error" else reason)


class SessionDtls:
    """The DTLS side of one session: our fingerprint and setup for the opening stanza, the peer's
    as they arrive, and the handshake once ICE is connected and both setups are known."""

    def __init__(self, aiortc, conn, certificate, args, offered=None):
        """`args`: the peer's switches (mode, setup, wrong_fingerprint, distrust); `offered`:
        the setup of the offer we answer."""
        self.aiortc = aiortc
        self.we_offered = args.mode == "call"
        self.setup = args.setup or ("actpass" if self.we_offered else answer_setup(offered))
        self.local_value = certificate.getFingerprints()[0].value  # sha-256, `AB:CD:…`
        # What we put in signalling: our certificate's fingerprint, or one of none (a liar).
        self.announced = jw.random_fingerprint() if args.wrong_fingerprint else self.local_value
        # What the peer's certificate is checked against: its signalled fingerprint, or not.
        self.expect = jw.random_fingerprint() if args.distrust else None
        self.remote = None  # the peer's sha-256 fingerprint {hash, setup, value}
        self.remote_setup = None
        gatherer = aiortc.RTCIceGatherer(iceServers=[])
        gatherer._connection = conn  # the transport wraps the connection the peer drives
        self.transport = aiortc.RTCDtlsTransport(aiortc.RTCIceTransport(gatherer), [certificate])
        self.outbox = asyncio.Queue(MAX_QUEUED)
        self.pump = None
        self.failures = _FailureLog()

    def element(self):
        """Our <fingerprint/> (XEP-0320 §1) for session-initiate or session-accept."""
        return jw.fingerprint("sha-256", self.setup, self.announced)

    def learn(self, fingerprints):
        """Takes the peer's sha-256 fingerprint and setup from a transport that carries them."""
        picked = pick_sha256(fingerprints)
        if picked is not None:
            self.remote = picked
            self.remote_setup = picked["setup"] if picked["setup"] in SETUPS else None

    def role(self):
        return dtls_role(self.we_offered, self.setup, self.remote_setup)

    async def open(self, on_data):
        """Runs the handshake; returns what was negotiated, raises DtlsFailure."""
        if self.remote is None:
            raise DtlsFailure("no-fingerprint", "the peer sent no sha-256 fingerprint")
        role = self.role()
        dtls = self.transport
        dtls._set_role(role)
        dtls._register_data_receiver(_Receiver(on_data))
        expected = self.expect or self.remote["value"]
        params = self.aiortc.RTCDtlsParameters(
            fingerprints=[self.aiortc.RTCDtlsFingerprint("sha-256", expected)]
        )
        # Records may come (and be answered) as soon as the handshake is done, before start()
        # returns: the sender must be ready first.
        self.pump = asyncio.ensure_future(self._pump())
        log = logging.getLogger("aiortc.rtcdtlstransport")
        level = log.level
        log.addHandler(self.failures)
        log.setLevel(logging.DEBUG)
        try:
            await asyncio.wait_for(dtls.start(params), HANDSHAKE_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise DtlsFailure(
                "timeout", "no DTLS handshake within %g s (%s)" % (HANDSHAKE_TIMEOUT_S, role)
            ) from None
        finally:
            log.removeHandler(self.failures)
            log.setLevel(level)
        peer_cert = dtls.ssl.get_peer_certificate()
        received = None if peer_cert is None else peer_cert.digest("SHA256").decode("ascii")
        if dtls.state != "connected":
            mismatch = received is not None and received.upper() != expected.upper()
            if dtls.encrypted and mismatch:
                raise DtlsFailure(
                    "fingerprint-mismatch",
                    "the peer's certificate is sha-256 %s, not the expected %s"
                    % (received, expected),
                )
            why = "; ".join(self.failures.reasons) or "state %s" % dtls.state
            raise DtlsFailure("handshake-failed", "DTLS handshake failed as %s: %s" % (role, why))
        return {
            "role": role,
            "setup": self.setup,
            "remote_setup": self.remote_setup,
            "cipher_suite": dtls.ssl.get_cipher_name(),
            "protocol": dtls.ssl.get_protocol_version_name(),
            "local_fingerprint": "sha-256 " + self.local_value,
            # The certificate the handshake brought, which aiortc matched with the signalled one.
            "remote_fingerprint": "sha-256 " + received,
        }

    def send(self, data):
        """Queues one datagram for encryption; False before the handshake or when full."""
        if self.transport.state != "connected":
            return False
        try:
            self.outbox.put_nowait(data)
        except asyncio.QueueFull:
            return False
        return True

    async def _pump(self):
        # One task sends in queue order (each _send_data encrypts one record and sends it).
        while True:
            data = await self.outbox.get()
            try:
                await self.transport._send_data(data)
            except ConnectionError:
                return

    async def stop(self):
        """Stops the sender, then sends close_notify (when connected); the ICE connection
        stays open."""
        if self.pump is not None:
            self.pump.cancel()
        await self.transport.stop()


class _Receiver:
    """What RTCDtlsTransport calls with each decrypted application record."""

    def __init__(self, on_data):
        self.on_data = on_data

    async def _handle_data(self, data):
        self.on_data(data)
