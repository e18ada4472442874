#!/usr/bin/python3
"""libnice interop peer: speaks the `jingle-ice peer` line protocol (see harness.ts).

Run with the system interpreter, which has python3-gi:
    /usr/bin/python3 test/interop/libnice-peer.py --role controlling --bind 127.0.0.1

Needs the Debian packages gir1.2-nice-0.1 and python3-gi (libnice 0.1.21 on Debian 12).

libnice facts this script works around (docs/field-notes.md and below):
- nice_agent_attach_recv() is not introspectable, and without a receive callback libnice never
  reads its sockets (checks go out, answers are never processed): the callback is attached with
  ctypes on the agent's C pointer, and datagrams are sent with the C nice_agent_send() (GI's
  send() takes a str).
- GLib/libnice can print debug output on stdout: the protocol goes to a private copy of fd 1.
- Host candidates on 127.0.0.1 only appear after add_local_address().
- The fields of a NiceCandidate read through GI are garbage (the struct layout around the
  NiceAddress union is misdescribed: component_id reads 0, foundation shows address bytes):
  candidates go in and out as SDP lines (generate_local_candidate_sdp /
  parse_remote_candidate_sdp), which work.
"""

import os
import sys

# No __pycache__ next to the test sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402  (must come after the path fix)

# Before anything else can print: the protocol gets a private copy of stdout.
pc.take_stdout()
ARGS = pc.parse_args("libnice")
if ARGS.verbose:
    # Must be set before GLib initialises; the output lands on stderr (fd 1 now points there).
    os.environ["G_MESSAGES_DEBUG"] = "libnice,libnice-stun"
    os.environ.setdefault("NICE_DEBUG", "all")

import ctypes  # noqa: E402
import subprocess  # noqa: E402

try:
    import gi  # noqa: E402

    gi.require_version("Nice", "0.1")
    from gi.repository import GLib, Nice  # noqa: E402
except (ImportError, ValueError) as exc:
    pc.emit(
        "error",
        message="libnice via python3-gi is not available (%s): apt-get install "
        "gir1.2-nice-0.1 python3-gi, and run with /usr/bin/python3" % exc,
    )
    sys.exit(2)

# --- C entry points that GI does not offer ---------------------------------------------------

_libnice = ctypes.CDLL("libnice.so.10")
_libglib = ctypes.CDLL("libglib-2.0.so.0")

# void (*NiceAgentRecvFunc)(NiceAgent*, guint stream_id, guint component_id, guint len,
#                           gchar *buf, gpointer user_data)
RECV_FUNC = ctypes.CFUNCTYPE(
    None,
    ctypes.c_void_p,
    ctypes.c_uint,
    ctypes.c_uint,
    ctypes.c_uint,
    ctypes.c_void_p,
    ctypes.c_void_p,
)
_libnice.nice_agent_attach_recv.argtypes = [
    ctypes.c_void_p,
    ctypes.c_uint,
    ctypes.c_uint,
    ctypes.c_void_p,
    RECV_FUNC,
    ctypes.c_void_p,
]
_libnice.nice_agent_attach_recv.restype = ctypes.c_int
_libnice.nice_agent_send.argtypes = [
    ctypes.c_void_p,
    ctypes.c_uint,
    ctypes.c_uint,
    ctypes.c_uint,
    ctypes.c_char_p,
]
_libnice.nice_agent_send.restype = ctypes.c_int
_libglib.g_main_context_default.restype = ctypes.c_void_p
ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def gobject_pointer(obj):
    """The C pointer of a PyGObject instance (its __gpointer__ capsule)."""
    return ctypes.pythonapi.PyCapsule_GetPointer(obj.__gpointer__, None)


def libnice_version():
    """libnice's package version ('0.1.21-1'); libnice itself has no version call."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "libnice10"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


STATE_NAMES = {
    Nice.ComponentState.DISCONNECTED: "disconnected",
    Nice.ComponentState.GATHERING: "gathering",
    Nice.ComponentState.CONNECTING: "checking",
    Nice.ComponentState.CONNECTED: "connected",
    Nice.ComponentState.READY: "completed",
    Nice.ComponentState.FAILED: "failed",
}


class LibnicePeer:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.session = pc.Session(args, self._send_datagram, self._call_later)
        self.controlling = args.role == "controlling"

        # --- the agent ---
        options = Nice.AgentOption.ICE_TRICKLE  # wait for end-of-candidates before failing
        if args.nomination == "regular":
            options |= Nice.AgentOption.REGULAR_NOMINATION
        self.agent = Nice.Agent.new_full(
            GLib.MainContext.default(), Nice.Compatibility.RFC5245, options
        )
        self.agent.set_property("controlling-mode", self.controlling)
        self.agent.set_property("ice-tcp", False)  # UDP only, as XEP-0176 ICE-UDP
        self.agent.set_property("upnp", False)
        if args.stun:
            host, port = pc.split_hostport(args.stun)
            self.agent.set_property("stun-server", host)
            self.agent.set_property("stun-server-port", port)
        if args.relay_only:
            self.agent.set_property("force-relay", True)
        for ip in args.bind:
            addr = Nice.Address.new()
            if not addr.set_from_string(ip):
                raise SystemExit("bad --bind address %r" % ip)
            self.agent.add_local_address(addr)

        self.agent.connect("new-candidate-full", self._on_new_candidate)
        self.agent.connect("candidate-gathering-done", self._on_gathering_done)
        self.agent.connect("component-state-changed", self._on_state)
        self.agent.connect("new-selected-pair-full", self._on_selected_pair)
        self.agent.connect("new-remote-candidate-full", self._on_new_remote_candidate)

        self.stream = self.agent.add_stream(args.components)
        if self.stream == 0:
            raise SystemExit("nice_agent_add_stream failed")
        self.agent.set_stream_name(self.stream, "application")

        if args.turn:
            host, port = pc.split_hostport(args.turn)
            relay = (
                Nice.RelayType.TCP if args.turn_transport == "tcp" else Nice.RelayType.UDP
            )
            for comp in range(1, args.components + 1):
                self.agent.set_relay_info(
                    self.stream, comp, host, port, args.turn_user, args.turn_pass, relay
                )

        # Receive callbacks (the part GI cannot do); keep the ctypes callback alive.
        self._agent_ptr = gobject_pointer(self.agent)
        self._recv_cb = RECV_FUNC(self._on_recv)
        ctx = _libglib.g_main_context_default()
        for comp in range(1, args.components + 1):
            if not _libnice.nice_agent_attach_recv(
                self._agent_ptr, self.stream, comp, ctx, self._recv_cb, None
            ):
                raise SystemExit("nice_agent_attach_recv failed for component %d" % comp)

        self.pending_candidates = []  # remote candidates that arrived before the credentials
        self.pending_end_of_candidates = False
        self.remote_credentials = None
        self.local_candidate_ids = {}  # (component, foundation, ip, port) -> id

        self.reader = pc.LineReader(self._on_command, self.session.error)

    # --- startup ---------------------------------------------------------------------------
    def start(self):
        pc.emit(
            "hello",
            impl="libnice",
            version=libnice_version(),
            proto=pc.PROTO_VERSION,
            role=self.args.role,
            components=self.args.components,
            pid=os.getpid(),
            nomination=self.args.nomination,
        )
        self._emit_credentials()
        GLib.unix_fd_add_full(
            GLib.PRIORITY_DEFAULT,
            0,
            GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
            self._on_stdin,
        )
        if not self.agent.gather_candidates(self.stream):
            self.session.error("nice_agent_gather_candidates failed")
        self.loop.run()

    def _emit_credentials(self):
        ok, ufrag, pwd = self.agent.get_local_credentials(self.stream)
        if ok:
            pc.emit("local-credentials", ufrag=ufrag, pwd=pwd)
        else:
            self.session.error("nice_agent_get_local_credentials failed")

    # --- helpers ---------------------------------------------------------------------------
    def _call_later(self, seconds, fn):
        def run():
            fn()
            return False  # one-shot

        GLib.timeout_add(max(0, int(round(seconds * 1000))), run)

    def _send_datagram(self, component, data):
        n = _libnice.nice_agent_send(self._agent_ptr, self.stream, component, len(data), data)
        return n == len(data)

    def _cand_obj(self, cand, local):
        """A NiceCandidate -> protocol candidate object (through its SDP line)."""
        obj = pc.candidate_from_sdp(self.agent.generate_local_candidate_sdp(cand))
        if local:
            key = (obj["component"], obj["foundation"], obj["ip"], obj["port"])
            obj["id"] = self.local_candidate_ids.setdefault(key, obj["id"])
        return obj

    # --- libnice signals -------------------------------------------------------------------
    def _on_new_candidate(self, agent, cand):
        obj = self._cand_obj(cand, local=True)
        if obj["protocol"] != "udp":
            return
        self.session.stats["local_candidates"] += 1
        pc.emit("local-candidate", candidate=obj)

    def _on_gathering_done(self, agent, stream_id):
        pc.emit("gathering-done")

    def _on_state(self, agent, stream_id, component, state):
        name = STATE_NAMES.get(state, str(state))
        pc.emit("state", component=component, state=name)
        # libnice CONNECTED = a working pair exists and data flows; READY = nomination done.
        if name in ("connected", "completed"):
            self.session.report_connected(component)

    def _on_selected_pair(self, agent, stream_id, component, lcand, rcand):
        pc.emit(
            "selected-pair",
            component=component,
            local=self._cand_obj(lcand, local=True),
            remote=self._cand_obj(rcand, local=False),
        )

    def _on_new_remote_candidate(self, agent, cand):
        try:
            pc.log("remote candidate learnt:", agent.generate_local_candidate_sdp(cand))
        except Exception:  # noqa: BLE001 - logging only
            pass

    def _on_recv(self, agent_ptr, stream_id, component, length, buf, user_data):
        # Called from the GLib main loop by libnice for every application datagram.
        try:
            self.session.on_datagram(component, ctypes.string_at(buf, length))
        except Exception as exc:  # noqa: BLE001 - never let an exception cross into C
            pc.log("receive handler failed:", repr(exc))

    # --- stdin -----------------------------------------------------------------------------
    def _on_stdin(self, fd, condition):
        try:
            chunk = os.read(0, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            pc.log("stdin closed: quitting")
            self._quit()
            return False
        self.reader.feed(chunk)
        return True

    def _on_command(self, cmd):
        self.session.stats["commands"] += 1
        name = cmd["cmd"]
        try:
            handler = getattr(self, "_cmd_" + name.replace("-", "_"), None)
            if handler is None:
                raise ValueError("unknown command %r" % name)
            handler(cmd)
        except (ValueError, KeyError, TypeError) as exc:
            self.session.error("%s: %s" % (name, exc))

    def _cmd_remote_credentials(self, cmd):
        self.remote_credentials = (str(cmd["ufrag"]), str(cmd["pwd"]))
        if not self.agent.set_remote_credentials(self.stream, *self.remote_credentials):
            raise ValueError("nice_agent_set_remote_credentials failed")
        self.session.on_remote_credentials()
        pending, self.pending_candidates = self.pending_candidates, []
        for c in pending:
            try:
                self._add_remote_candidate(c)
            except ValueError as exc:
                self.session.error("remote-candidate: %s" % exc)
        if self.pending_end_of_candidates:
            self.pending_end_of_candidates = False
            self.agent.peer_candidate_gathering_done(self.stream)

    def _cmd_remote_candidate(self, cmd):
        c = pc.check_candidate(cmd["candidate"])
        self.session.on_remote_candidate()
        if self.remote_credentials is None:
            # libnice would check these with an empty password: hold them until credentials.
            self.pending_candidates.append(c)
        else:
            self._add_remote_candidate(c)

    def _add_remote_candidate(self, c):
        sdp = pc.candidate_to_sdp(c)
        ncand = self.agent.parse_remote_candidate_sdp(self.stream, sdp)
        if ncand is None:
            raise ValueError("libnice could not parse candidate %r" % sdp)
        if self.agent.set_remote_candidates(self.stream, int(c["component"]), [ncand]) < 1:
            raise ValueError("libnice did not add candidate %r" % sdp)

    def _cmd_end_of_candidates(self, cmd):
        if self.remote_credentials is None:
            self.pending_end_of_candidates = True  # applied after the held candidates
        else:
            self.agent.peer_candidate_gathering_done(self.stream)

    def _cmd_role(self, cmd):
        role = cmd["role"]
        if role not in ("controlling", "controlled"):
            raise ValueError("role must be controlling or controlled")
        self.controlling = role == "controlling"
        self.agent.set_property("controlling-mode", self.controlling)

    def _cmd_send(self, cmd):
        component = int(cmd.get("component", 1))
        if not self.session.send(component, pc.payload_from_command(cmd)):
            raise ValueError("nice_agent_send failed (component %d not connected?)" % component)

    def _cmd_ping(self, cmd):
        self.session.start_ping(
            count=cmd.get("count", 5),
            interval_ms=cmd.get("interval_ms", 100),
            size=cmd.get("size", 0),
            wait_ms=cmd.get("wait_ms", 2000),
        )

    def _cmd_stats(self, cmd):
        pc.emit("stats", **self._stats())

    def _cmd_restart(self, cmd):
        if not self.agent.restart_stream(self.stream):
            raise ValueError("nice_agent_restart_stream failed")
        self.remote_credentials = None
        self.pending_candidates = []
        self.pending_end_of_candidates = False
        self.session.reset_for_restart()
        self._emit_credentials()
        # libnice keeps its local candidates across a restart: offer them again (the other side
        # must re-add them with the new credentials), then end-of-candidates.
        for comp in range(1, self.args.components + 1):
            for cand in self.agent.get_local_candidates(self.stream, comp):
                obj = self._cand_obj(cand, local=True)
                if obj["protocol"] == "udp":
                    pc.emit("local-candidate", candidate=obj)
        pc.emit("gathering-done")

    def _cmd_quit(self, cmd):
        self._quit()

    def _stats(self):
        out = dict(self.session.stats)
        out["connect_ms"] = {str(k): v for k, v in self.session.connect_ms.items()}
        return out

    def _quit(self):
        pc.emit("bye", **self._stats())
        self.loop.quit()


def main():
    peer = LibnicePeer(ARGS)
    peer.start()
    # Leave without waiting for GLib/libnice teardown (sockets close with the process).
    os._exit(0)


if __name__ == "__main__":
    main()
