"""The per-session state of jingle-peer.py: its Jingle session (one content, its aioice
connection, its DTLS side when --dtls) and the datagram logic on top (peer_common.Session)."""

import asyncio

import aioice.ice
import peer_common as pc


def use_host_addresses(addresses):
    """aioice never offers 127.0.0.1: gather host candidates on exactly these addresses."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [
        a for a in addresses if (":" in a and use_ipv6) or (":" not in a and use_ipv4)
    ]


class Datagrams(pc.Session):
    """pc.Session (pings, pongs, echoes, counters) that also tells when pings and echoes are in."""

    def __init__(self, args, send, call_later):
        super().__init__(args, send, call_later)
        self.ping_done = asyncio.Event()
        self.echoes = set()
        self.echo_seen = asyncio.Event()

    def on_datagram(self, component, data):
        if data.startswith(b"echo:"):
            self.echoes.add(data[5:].decode("utf-8", "replace"))
            self.echo_seen.set()
        super().on_datagram(component, data)

    def _finish_ping(self, run):
        super()._finish_ping(run)
        self.ping_done.set()


class Session:
    """One Jingle session with one content and its aioice connection."""

    def __init__(self, peer, sid, initiator_jid, we_initiated, content_name):
        self.peer, self.sid, self.initiator_jid = peer, sid, initiator_jid
        self.we_initiated, self.content_name = we_initiated, content_name
        self.conn = None
        self.dtls = None  # jingle_dtls.SessionDtls with --dtls
        self.gathered = False
        self.remote_candidates = 0
        self.remote_end = False
        self.connect_task = None
        self.ended = False
        self.data = None
        self.accepted = asyncio.Event()  # session-accept sent or received (XEP-0166 §6.3)

    async def receive(self):
        """Plaintext datagrams from the ICE connection (with DTLS, aiortc reads them)."""
        while not self.ended:
            try:
                data, component = await self.conn.recvfrom()
            except ConnectionError:
                return
            self.data.on_datagram(component, data)

    async def exchange(self, texts, pings):
        """Sends `texts` (the other side echoes them) and `pings`; returns the texts whose echo
        did not come within 2 s after the pings, and whether a ping went unanswered."""
        for text in texts:
            self.data.send(1, text.encode("utf-8"))
        if pings > 0:
            self.data.start_ping(count=pings, interval_ms=20, wait_ms=2000)
            await self.data.ping_done.wait()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while not set(texts) <= self.data.echoes and loop.time() < deadline:
            self.data.echo_seen.clear()
            try:
                await asyncio.wait_for(self.data.echo_seen.wait(), deadline - loop.time())
            except asyncio.TimeoutError:
                break
        missing = sorted(set(texts) - self.data.echoes)
        return missing, self.data.stats["pongs_received"] < pings
