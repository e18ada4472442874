"""Shared pieces of the interop test peers (libnice-peer.py, aioice-peer.py).

Both peers speak the line-oriented JSON protocol that `jingle-ice peer` speaks (see
test/interop/harness.ts): one JSON object per line on stdout (events, each with "ev" and "t"),
one JSON object per line on stdin (commands, each with "cmd"). Nothing else may reach stdout, so
`take_stdout()` must run before any library is imported: it moves the real stdout to a private
file descriptor for the protocol and points fd 1 (and sys.stdout) at stderr, where every log goes.

This module only uses the Python standard library; the event loop (GLib or asyncio) is supplied
by each peer through two callbacks: `send(component, data) -> bool` and
`call_later(seconds, fn)`.
"""

import argparse
import base64
import json
import os
import re
import secrets
import sys
import time

# Protocol version announced in `hello`.
PROTO_VERSION = 1

# Reference point for every event's "t" (milliseconds since the peer started).
_T0 = time.monotonic()

# File descriptor of the protocol stream (set by take_stdout()).
_proto_fd = None


def now_ms():
    """Milliseconds since this process started (float)."""
    return (time.monotonic() - _T0) * 1000.0


def take_stdout():
    """Keep a private copy of fd 1 for the protocol; send fd 1 and sys.stdout to stderr.

    libnice/GLib may print debug output on stdout; after this call it lands on stderr.
    """
    global _proto_fd
    if _proto_fd is None:
        _proto_fd = os.dup(1)
        os.set_inheritable(_proto_fd, False)
        os.dup2(2, 1)
        sys.stdout = sys.stderr


def log(*args):
    """Log a line to stderr (never stdout)."""
    try:
        print("[%8.1f]" % now_ms(), *args, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # stderr is gone along with whoever started us; logs are best effort


def emit(ev, **fields):
    """Write one protocol event as a JSON line on the protocol stream."""
    obj = {"ev": ev, "t": round(now_ms(), 3)}
    obj.update(fields)
    data = (json.dumps(obj, separators=(",", ":")) + "\n").encode("utf-8")
    fd = _proto_fd if _proto_fd is not None else 1
    try:
        while data:
            n = os.write(fd, data)
            data = data[n:]
    except OSError as exc:
        # Whoever reads our protocol is gone (EPIPE): there is nobody left to talk to.
        log("protocol stream closed (%s): exiting" % exc)
        os._exit(3)


def parse_args(impl, argv=None):
    """Parse the peer's command line (the options are the same for every implementation)."""
    p = argparse.ArgumentParser(prog="%s-peer" % impl, description="%s ICE interop peer" % impl)
    p.add_argument("--role", choices=["controlling", "controlled"], required=True)
    p.add_argument(
        "--bind", action="append", default=[], metavar="IP", help="host candidates only here"
    )
    p.add_argument("--stun", metavar="IP:PORT")
    p.add_argument("--turn", metavar="IP:PORT")
    p.add_argument("--turn-user", default="")
    p.add_argument("--turn-pass", default="")
    p.add_argument("--turn-transport", choices=["udp", "tcp"], default="udp")
    p.add_argument("--relay-only", action="store_true")
    p.add_argument("--components", type=int, default=1)
    p.add_argument("--echo", action="store_true", help='answer datagrams with "echo:<data>"')
    p.add_argument("--verbose", action="store_true")
    if impl == "libnice":
        p.add_argument("--nomination", choices=["regular", "aggressive"], default="regular")
    args = p.parse_args(argv)
    if args.components < 1 or args.components > 256:
        p.error("--components must be 1..256")
    return args


def split_hostport(value):
    """'1.2.3.4:3478' or '[::1]:3478' -> ('1.2.3.4', 3478)."""
    if value.startswith("["):
        host, _, port = value[1:].partition("]:")
    else:
        host, _, port = value.rpartition(":")
    return host, int(port)


# --- candidates -------------------------------------------------------------------------------

_cand_prefix = secrets.token_hex(3)
_cand_counter = [0]


def new_candidate_id():
    """A fresh XEP-0176 candidate id, unique within this process."""
    _cand_counter[0] += 1
    return "%s%d" % (_cand_prefix, _cand_counter[0])


def candidate_obj(
    component,
    foundation,
    ip,
    port,
    priority,
    typ,
    protocol="udp",
    rel_addr=None,
    rel_port=None,
    generation=0,
    cid=None,
):
    """A candidate object with XEP-0176 attribute names, as the protocol carries it."""
    obj = {
        "component": int(component),
        "foundation": str(foundation),
        "generation": int(generation or 0),
        "id": cid or new_candidate_id(),
        "ip": ip,
        "network": 0,
        "port": int(port),
        "priority": int(priority),
        "protocol": protocol.lower(),
        "type": typ,
    }
    if rel_addr is not None:
        obj["rel-addr"] = rel_addr
    if rel_port is not None:
        obj["rel-port"] = int(rel_port)
    return obj


def candidate_from_sdp(sdp):
    """Parse an SDP candidate line ('a=candidate:1 1 UDP 2015364095 127.0.0.1 37233 typ host
    [raddr A rport P] ...') into a candidate object (without a stable id)."""
    line = sdp.strip()
    if line.startswith("a="):
        line = line[2:]
    if line.startswith("candidate:"):
        line = line[len("candidate:") :]
    bits = line.split()
    if len(bits) < 8 or bits[6] != "typ":
        raise ValueError("bad SDP candidate: %r" % sdp)
    extra = {}
    for i in range(8, len(bits) - 1, 2):
        extra[bits[i]] = bits[i + 1]
    return candidate_obj(
        component=int(bits[1]),
        foundation=bits[0],
        protocol=bits[2],
        priority=int(bits[3]),
        ip=bits[4],
        port=int(bits[5]),
        typ=bits[7],
        rel_addr=extra.get("raddr"),
        rel_port=int(extra["rport"]) if "rport" in extra else None,
        generation=int(extra.get("generation", 0)),
    )


def candidate_to_sdp(c):
    """A candidate object -> SDP candidate line ('a=candidate:...')."""
    sdp = "a=candidate:%s %d %s %d %s %d typ %s" % (
        c["foundation"],
        int(c["component"]),
        str(c.get("protocol", "udp")).upper(),
        int(c["priority"]),
        c["ip"],
        int(c["port"]),
        c["type"],
    )
    if c.get("rel-addr") is not None:
        sdp += " raddr %s rport %d" % (c["rel-addr"], int(c.get("rel-port", 0)))
    return sdp


def check_candidate(c):
    """Validate a candidate object received on stdin; raises ValueError."""
    if not isinstance(c, dict):
        raise ValueError("candidate must be an object")
    for key in ("component", "foundation", "ip", "port", "priority", "type"):
        if key not in c:
            raise ValueError("candidate lacks %r" % key)
    if str(c.get("protocol", "udp")).lower() != "udp":
        raise ValueError("only udp candidates are supported")
    return c


# --- datagrams: ping/pong/echo/data -----------------------------------------------------------

# "ping <seq>" / "pong <seq>", optionally followed by padding (a space and dots).
_PINGPONG = re.compile(rb"^(ping|pong) (\d+)(?![0-9])")


def data_fields(data):
    """The `text` or `b64` field of a `data` event for a received payload."""
    try:
        text = data.decode("utf-8")
        if all(ch.isprintable() or ch in "\t\r\n" for ch in text):
            return {"text": text}
    except UnicodeDecodeError:
        pass
    return {"b64": base64.b64encode(data).decode("ascii")}


def payload_from_command(cmd):
    """The bytes of a `send` command ({text} or {b64})."""
    if "text" in cmd:
        return str(cmd["text"]).encode("utf-8")
    if "b64" in cmd:
        return base64.b64decode(cmd["b64"], validate=True)
    raise ValueError("send needs text or b64")


def _percentile(sorted_values, q):
    if not sorted_values:
        return None
    idx = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[idx]


class Session:
    """Transport-independent peer logic: counters, connect timing, datagram handling, pings.

    send(component, data) -> bool sends a datagram; call_later(seconds, fn) schedules fn once.
    """

    def __init__(self, args, send, call_later):
        self.args = args
        self._send = send
        self._call_later = call_later
        self.stats = {
            "datagrams_sent": 0,
            "bytes_sent": 0,
            "datagrams_received": 0,
            "bytes_received": 0,
            "send_errors": 0,
            "pings_sent": 0,
            "pongs_received": 0,
            "pings_answered": 0,
            "echoes_sent": 0,
            "data_events": 0,
            "local_candidates": 0,
            "remote_candidates": 0,
            "commands": 0,
            "errors": 0,
        }
        self.have_remote_credentials = False
        self.remote_candidate_count = 0
        self.remote_ready_at = None  # now_ms() when creds and >= 1 candidate were known
        self.connected = set()  # components that reported `connected`
        self.connect_ms = {}
        self._ping = None  # the ping run in progress

    # connect timing ------------------------------------------------------------------------
    def _check_remote_ready(self):
        if (
            self.remote_ready_at is None
            and self.have_remote_credentials
            and self.remote_candidate_count > 0
        ):
            self.remote_ready_at = now_ms()

    def on_remote_credentials(self):
        self.have_remote_credentials = True
        self._check_remote_ready()

    def on_remote_candidate(self):
        self.remote_candidate_count += 1
        self.stats["remote_candidates"] += 1
        self._check_remote_ready()

    def report_connected(self, component):
        """Emit `connected` for a component (once)."""
        if component in self.connected:
            return
        self.connected.add(component)
        start = self.remote_ready_at if self.remote_ready_at is not None else now_ms()
        ms = max(0.0, now_ms() - start)
        self.connect_ms[component] = round(ms, 3)
        emit("connected", component=component, connect_ms=round(ms, 3))

    def reset_for_restart(self):
        self.have_remote_credentials = False
        self.remote_candidate_count = 0
        self.remote_ready_at = None
        self.connected.clear()

    def error(self, message):
        self.stats["errors"] += 1
        log("error:", message)
        emit("error", message=message)

    # sending -------------------------------------------------------------------------------
    def send(self, component, data):
        try:
            ok = self._send(component, data)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, the peer goes on
            ok = False
            log("send failed:", repr(exc))
        if ok:
            self.stats["datagrams_sent"] += 1
            self.stats["bytes_sent"] += len(data)
        else:
            self.stats["send_errors"] += 1
        return ok

    # receiving -----------------------------------------------------------------------------
    def on_datagram(self, component, data):
        """Handle one received application datagram."""
        self.stats["datagrams_received"] += 1
        self.stats["bytes_received"] += len(data)
        m = _PINGPONG.match(data)
        if m and m.group(1) == b"ping":
            # Answer with the same length: "pong <n>" plus the same padding.
            self.stats["pings_answered"] += 1
            self.send(component, b"pong" + data[4:])
            return
        if m and m.group(1) == b"pong":
            self._on_pong(int(m.group(2)))
            return
        self.stats["data_events"] += 1
        emit("data", component=component, len=len(data), **data_fields(data))
        # Never echo an echo: two --echo peers would bounce a datagram forever.
        if self.args.echo and not data.startswith(b"echo:"):
            if self.send(component, b"echo:" + data):
                self.stats["echoes_sent"] += 1

    # ping ----------------------------------------------------------------------------------
    def start_ping(self, count=5, interval_ms=100, size=0, wait_ms=2000):
        if self._ping is not None:
            raise ValueError("a ping run is already in progress")
        count = int(count)
        if count < 1:
            raise ValueError("count must be >= 1")
        run = {
            "count": count,
            "interval": max(0.0, float(interval_ms)) / 1000.0,
            "size": int(size),
            "wait": max(0.0, float(wait_ms)) / 1000.0,
            "sent": 0,
            "sent_at": {},
            "rtts": [],
            "done": False,
        }
        self._ping = run
        self._send_next_ping(run)

    def _send_next_ping(self, run):
        if run["done"]:
            return
        seq = run["sent"] + 1
        payload = b"ping %d" % seq
        if run["size"] > len(payload):
            payload += b" " + b"." * (run["size"] - len(payload) - 1)
        run["sent_at"][seq] = time.monotonic()
        run["sent"] = seq
        self.stats["pings_sent"] += 1
        self.send(1, payload)
        if seq < run["count"]:
            self._call_later(run["interval"], lambda: self._send_next_ping(run))
        else:
            self._call_later(run["wait"], lambda: self._finish_ping(run))

    def _on_pong(self, seq):
        self.stats["pongs_received"] += 1
        run = self._ping
        if run is None or run["done"]:
            return
        sent_at = run["sent_at"].pop(seq, None)
        if sent_at is None:
            return  # duplicate or unknown
        run["rtts"].append((time.monotonic() - sent_at) * 1000.0)
        if run["sent"] == run["count"] and len(run["rtts"]) == run["count"]:
            self._finish_ping(run)

    def _finish_ping(self, run):
        if run["done"]:
            return
        run["done"] = True
        if self._ping is run:
            self._ping = None
        rtts = sorted(run["rtts"])

        def r(v):
            return None if v is None else round(v, 3)

        emit(
            "ping-done",
            sent=run["sent"],
            received=len(rtts),
            rtt_avg_ms=r(sum(rtts) / len(rtts)) if rtts else None,
            rtt_min_ms=r(rtts[0]) if rtts else None,
            rtt_max_ms=r(rtts[-1]) if rtts else None,
            rtt_p50_ms=r(_percentile(rtts, 0.5)),
        )


class LineReader:
    """Splits bytes read from stdin into JSON commands."""

    def __init__(self, on_command, on_bad_line):
        self._buf = b""
        self._on_command = on_command
        self._on_bad_line = on_bad_line

    def feed(self, chunk):
        self._buf += chunk
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            line = line.strip()
            if not line:
                continue
            try:
                cmd = json.loads(line)
                if not isinstance(cmd, dict) or not isinstance(cmd.get("cmd"), str):
                    raise ValueError("not an object with a string 'cmd'")
            except ValueError as exc:
                self._on_bad_line("bad command line %r: %s" % (line[:200], exc))
                continue
            self._on_command(cmd)
