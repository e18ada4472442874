#!/usr/bin/python3
"""aioice interop peer: speaks the `jingle-ice peer` line protocol (see harness.ts).

Run with the system interpreter, which has python3-aioice:
    /usr/bin/python3 test/interop/aioice-peer.py --role controlled --bind 127.0.0.1

Needs the Debian package python3-aioice (aioice 0.8.0 on Debian 12).

aioice facts this script works around (docs/field-notes.md and below):
- It never offers 127.0.0.1: aioice.ice.get_host_addresses is replaced so that host candidates
  come from the --bind addresses.
- No local trickle: all local candidates are printed after gather_candidates() returns.
- Remote trickle works: connect() keeps checking while end-of-candidates has not been signalled,
  and candidates added meanwhile are paired. So connect() starts as soon as local gathering is
  done and the remote credentials and at least one remote candidate are known. (But aioice
  declares failure as soon as every pair it has so far failed, even before end-of-candidates.)
- It rejects remote candidates of type prflx (only host/srflx/relay are accepted).
- connect() returns only once every component has a nominated pair, so `connected` comes for
  all components together. There is no ICE restart.
"""

import os
import sys

# No __pycache__ next to the test sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402  (must come after the path fix)

# Before anything else can print: the protocol gets a private copy of stdout.
pc.take_stdout()
ARGS = pc.parse_args("aioice")

import asyncio  # noqa: E402
import logging  # noqa: E402

try:
    import aioice  # noqa: E402
    import aioice.ice  # noqa: E402
except ImportError as exc:
    pc.emit(
        "error",
        message="aioice is not available (%s): apt-get install python3-aioice, "
        "and run with /usr/bin/python3" % exc,
    )
    sys.exit(2)


def install_bind_addresses(addresses):
    """Make aioice gather host candidates on exactly these addresses (it skips 127.0.0.1)."""
    if not addresses:
        return
    original = aioice.ice.get_host_addresses

    def get_host_addresses(use_ipv4, use_ipv6):
        out = []
        for a in addresses:
            v6 = ":" in a
            if (v6 and use_ipv6) or (not v6 and use_ipv4):
                out.append(a)
        return out

    get_host_addresses.original = original
    aioice.ice.get_host_addresses = get_host_addresses


def cand_obj(c):
    """An aioice Candidate -> protocol candidate object."""
    return pc.candidate_obj(
        component=c.component,
        foundation=c.foundation,
        ip=c.host,
        port=c.port,
        priority=c.priority,
        typ=c.type,
        protocol=c.transport,
        rel_addr=c.related_address,
        rel_port=c.related_port,
        generation=c.generation or 0,
    )


class AioicePeer:
    def __init__(self, args):
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.session = pc.Session(args, self._send_datagram, self._call_later)
        kwargs = {
            "ice_controlling": args.role == "controlling",
            "components": args.components,
            "use_ipv4": True,
            "use_ipv6": any(":" in a for a in args.bind) if args.bind else True,
        }
        if args.stun:
            kwargs["stun_server"] = pc.split_hostport(args.stun)
        if args.turn:
            kwargs["turn_server"] = pc.split_hostport(args.turn)
            kwargs["turn_username"] = args.turn_user
            kwargs["turn_password"] = args.turn_pass
            kwargs["turn_transport"] = args.turn_transport
        if args.relay_only:
            kwargs["transport_policy"] = aioice.TransportPolicy.RELAY
        self.conn = aioice.Connection(**kwargs)
        self.gathered = False
        self.connect_task = None
        self.recv_task = None
        self.worker = None
        self.commands = asyncio.Queue()
        self.done = asyncio.Event()
        self.ids = {}  # (component, foundation, host, port) -> candidate id
        self.reader = pc.LineReader(self._on_command, self.session.error)

    # --- helpers ---------------------------------------------------------------------------
    def _call_later(self, seconds, fn):
        self.loop.call_later(seconds, fn)

    def _send_datagram(self, component, data):
        # Connection.sendto() is a coroutine only by signature: it sends synchronously.
        pair = self.conn._nominated.get(component)
        if pair is None:
            return False
        pair.protocol.transport.sendto(data, pair.remote_addr)
        return True

    def _local_obj(self, c):
        obj = cand_obj(c)
        key = (obj["component"], obj["foundation"], obj["ip"], obj["port"])
        obj["id"] = self.ids.setdefault(key, obj["id"])
        return obj

    # --- lifecycle -------------------------------------------------------------------------
    async def run(self):
        pc.emit(
            "hello",
            impl="aioice",
            version=aioice.__version__,
            proto=pc.PROTO_VERSION,
            role=self.args.role,
            components=self.args.components,
            pid=os.getpid(),
        )
        pc.emit("local-credentials", ufrag=self.conn.local_username, pwd=self.conn.local_password)
        self.loop.add_reader(0, self._on_stdin)
        self.worker = asyncio.ensure_future(self._command_worker())
        for comp in range(1, self.args.components + 1):
            pc.emit("state", component=comp, state="gathering")
        try:
            await self.conn.gather_candidates()
        except Exception as exc:  # noqa: BLE001 - reported, the peer keeps running
            self.session.error("gathering failed: %r" % exc)
        for c in self.conn.local_candidates:
            self.session.stats["local_candidates"] += 1
            pc.emit("local-candidate", candidate=self._local_obj(c))
        pc.emit("gathering-done")
        self.gathered = True
        self._maybe_connect()
        await self.done.wait()
        await self._close()

    def _maybe_connect(self):
        """Start connect() once gathering is done and the remote side is known enough."""
        if (
            self.connect_task is None
            and self.gathered
            and self.session.have_remote_credentials
            and self.session.remote_candidate_count > 0
        ):
            self.connect_task = asyncio.ensure_future(self._connect())

    async def _connect(self):
        for comp in range(1, self.args.components + 1):
            pc.emit("state", component=comp, state="checking")
        try:
            await self.conn.connect()
        except Exception as exc:  # noqa: BLE001 - ConnectionError and friends
            for comp in range(1, self.args.components + 1):
                pc.emit("state", component=comp, state="failed")
            self.session.error("connect failed: %s" % exc)
            return
        for comp in sorted(self.conn._nominated):
            pair = self.conn._nominated[comp]
            pc.emit("state", component=comp, state="connected")
            self.session.report_connected(comp)
            pc.emit(
                "selected-pair",
                component=comp,
                local=self._local_obj(pair.local_candidate),
                remote=cand_obj(pair.remote_candidate),
            )
            pc.emit("state", component=comp, state="completed")
        self.recv_task = asyncio.ensure_future(self._recv_loop())

    async def _recv_loop(self):
        while True:
            try:
                data, component = await self.conn.recvfrom()
            except ConnectionError as exc:
                pc.log("receive loop ends:", exc)
                for comp in range(1, self.args.components + 1):
                    pc.emit("state", component=comp, state="disconnected")
                return
            self.session.on_datagram(component, data)

    async def _close(self):
        for task in (self.connect_task, self.recv_task, self.worker):
            if task is not None and not task.done():
                task.cancel()
        try:
            await asyncio.wait_for(self.conn.close(), 1.0)
        except (asyncio.TimeoutError, Exception) as exc:  # noqa: BLE001 - best effort
            pc.log("close:", repr(exc))

    # --- stdin -----------------------------------------------------------------------------
    def _on_stdin(self):
        try:
            chunk = os.read(0, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            self.loop.remove_reader(0)  # first: EOF stays readable forever
            pc.log("stdin closed: quitting")
            self._quit()
            return
        self.reader.feed(chunk)

    def _on_command(self, cmd):
        # Commands run one at a time, in order, in _command_worker().
        self.commands.put_nowait(cmd)

    async def _command_worker(self):
        while True:
            cmd = await self.commands.get()
            self.session.stats["commands"] += 1
            name = cmd["cmd"]
            handler = getattr(self, "_cmd_" + name.replace("-", "_"), None)
            try:
                if handler is None:
                    raise ValueError("unknown command")
                await handler(cmd)
            except (ValueError, KeyError, TypeError, ConnectionError) as exc:
                self.session.error("%s: %s" % (name, exc))

    async def _cmd_remote_credentials(self, cmd):
        self.conn.remote_username = str(cmd["ufrag"])
        self.conn.remote_password = str(cmd["pwd"])
        self.session.on_remote_credentials()
        self._maybe_connect()

    async def _cmd_remote_candidate(self, cmd):
        c = pc.check_candidate(cmd["candidate"])
        if c["type"] not in ("host", "srflx", "relay"):
            raise ValueError("aioice accepts only host/srflx/relay candidates, not %r" % c["type"])
        await self.conn.add_remote_candidate(
            aioice.Candidate(
                foundation=str(c["foundation"]),
                component=int(c["component"]),
                transport="udp",
                priority=int(c["priority"]),
                host=str(c["ip"]),
                port=int(c["port"]),
                type=str(c["type"]),
                related_address=c.get("rel-addr"),
                related_port=int(c["rel-port"]) if c.get("rel-port") is not None else None,
                generation=int(c.get("generation", 0)),
            )
        )
        self.session.on_remote_candidate()
        self._maybe_connect()

    async def _cmd_end_of_candidates(self, cmd):
        await self.conn.add_remote_candidate(None)

    async def _cmd_role(self, cmd):
        role = cmd["role"]
        if role not in ("controlling", "controlled"):
            raise ValueError("role must be controlling or controlled")
        self.conn.switch_role(ice_controlling=role == "controlling")

    async def _cmd_send(self, cmd):
        component = int(cmd.get("component", 1))
        if not self.session.send(component, pc.payload_from_command(cmd)):
            raise ValueError("component %d is not connected" % component)

    async def _cmd_ping(self, cmd):
        self.session.start_ping(
            count=cmd.get("count", 5),
            interval_ms=cmd.get("interval_ms", 100),
            size=cmd.get("size", 0),
            wait_ms=cmd.get("wait_ms", 2000),
        )

    async def _cmd_stats(self, cmd):
        pc.emit("stats", **self._stats())

    async def _cmd_restart(self, cmd):
        raise ValueError("aioice 0.8 has no ICE restart")

    async def _cmd_quit(self, cmd):
        self._quit()

    def _stats(self):
        out = dict(self.session.stats)
        out["connect_ms"] = {str(k): v for k, v in self.session.connect_ms.items()}
        return out

    def _quit(self):
        if not self.done.is_set():
            pc.emit("bye", **self._stats())
            self.done.set()


async def main():
    install_bind_addresses(ARGS.bind)
    await AioicePeer(ARGS).run()


if __name__ == "__main__":
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if ARGS.verbose else logging.WARNING,
        format="%(relativeCreated)9.1f %(name)s %(message)s",
    )
    asyncio.run(main())
    os._exit(0)
