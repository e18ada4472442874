"""The command line of jingle-peer.py: one switch per habit of the clients in the wild. Options
come before the mode: `jingle-peer.py [options] call <full-jid>` or `... answer [--once]`."""

import argparse


def parse_args():
    p = argparse.ArgumentParser(
        prog="jingle-peer", description="A reference Jingle ICE-UDP peer (slixmpp + aioice)."
    )
    p.add_argument("--service", required=True, help="HOST:PORT of the XMPP server (no TLS)")
    p.add_argument("--jid", required=True, help="our full JID")
    p.add_argument("--password", required=True)
    p.add_argument("--bind", action="append", default=[], help="ICE host address (127.0.0.1)")
    p.add_argument("--timeout", type=float, default=30.0, help="give up after this many seconds")
    wire = p.add_argument_group("what goes on the wire")
    wire.add_argument("--bare-candidates", action="store_true", help="no id, no network")
    wire.add_argument("--hex-foundations", action="store_true", help="aioice's 32-hex ones")
    wire.add_argument("--base64-sid", action="store_true", help="sids with '+' and '/'")
    wire.add_argument("--trickle", action="store_true", help="one candidate per transport-info")
    wire.add_argument("--no-gathering-complete", action="store_true")
    wire.add_argument("--info-without-pwd", action="store_true", help="transport-info: ufrag only")
    wire.add_argument("--no-initiator", action="store_true", help="no initiator attribute")
    wire.add_argument("--content-name", default="datagram")
    wire.add_argument("--app", choices=["datagram", "file-transfer"], default="datagram")
    wire.add_argument("--transport", choices=["ice-udp", "ibb"], default="ice-udp")
    dtls = p.add_argument_group("DTLS (XEP-0320, through aiortc)")
    dtls.add_argument("--dtls", action="store_true", help="fingerprint, DTLS on every datagram")
    dtls.add_argument(
        "--setup",
        choices=["actpass", "active", "passive"],
        help="offer or answer this setup (default: actpass as caller, RFC 5763 as answerer)",
    )
    dtls.add_argument(
        "--wrong-fingerprint", action="store_true", help="announce a fingerprint of no certificate"
    )
    dtls.add_argument(
        "--fingerprint-in-info",
        action="store_true",
        help="answering: the fingerprint in transport-info, not in session-accept",
    )
    dtls.add_argument(
        "--distrust",
        action="store_true",
        help="check the other side's certificate against a fingerprint of no certificate",
    )
    timing = p.add_argument_group("timing")
    timing.add_argument("--late-ack", action="store_true", help="ack an IQ after processing it")
    timing.add_argument(
        "--accept-delay", type=float, metavar="MS", help="answer: transport-info, accept MS later"
    )
    timing.add_argument("--hangup", action="store_true", help="terminate once the traffic is done")
    traffic = p.add_argument_group("datagrams")
    traffic.add_argument("--pings", type=int, default=0, help="send N pings after connecting")
    traffic.add_argument("--send", action="append", default=[], help="send TEXT, expect echo:TEXT")
    sub = p.add_subparsers(dest="mode", required=True)
    sub.add_parser("call").add_argument("peer", help="full JID to call")
    sub.add_parser("answer").add_argument("--once", action="store_true", help="exit after one")
    args = p.parse_args()
    if not args.dtls and (
        args.setup or args.wrong_fingerprint or args.distrust or args.fingerprint_in_info
    ):
        p.error("--setup, --wrong-fingerprint, --fingerprint-in-info and --distrust need --dtls")
    args.echo = True  # pc.Session: echo datagrams that are not pings (never an echo)
    if not args.bind:
        args.bind = ["127.0.0.1"]
    return args
