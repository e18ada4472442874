#!/usr/bin/python3
"""aiortc's SCTP association and data channels (RTCSctpTransport, aiortc 1.4) over plain UDP on
loopback, for test/interop/aiortc-sctp.test.ts. No DTLS: a stand-in for RTCDtlsTransport hands
each UDP datagram to the association as one SCTP packet, as the DTLS transport does with each
decrypted record.

Usage: aiortc-sctp-peer.py ROLE NODE_PORT
  ROLE is aiortc's ICE role: "controlled" makes aiortc the SCTP "server" (it waits for INIT and
  opens even stream ids, as a DTLS client), "controlling" the SCTP "client" (it sends INIT, odd ids).

Prints one JSON object per line on stdout: {"ev": "port", "port": N} first, then "established",
"datachannel" (label, protocol, id), "message" (label, kind, size, text?), "closed" (label),
"state" (state). Opens its own channel "from-aiortc" (protocol "xmpp-jingle") once the
association is up and sends "hello from aiortc", b"\\x01\\x02", "" and b"" on it. Echoes every
message received on a channel the Node side opened. Exits when stdin closes.
"""
import asyncio
import json
import sys

from aiortc.rtcdatachannel import RTCDataChannel, RTCDataChannelParameters
from aiortc.rtcsctptransport import RTCSctpCapabilities, RTCSctpTransport


def emit(**event):
    print(json.dumps(event), flush=True)


class FakeIceTransport:
    def __init__(self, role):
        self.role = role


class UdpDtlsStandIn:
    """What RTCSctpTransport uses of RTCDtlsTransport, over a UDP socket."""

    def __init__(self, role, remote):
        self.state = "connected"
        self.transport = FakeIceTransport(role)
        self.receiver = None
        self.remote = remote
        self.udp = None
        self.queue = asyncio.Queue()

    def _register_data_receiver(self, receiver):
        self.receiver = receiver

    def _unregister_data_receiver(self, receiver):
        self.receiver = None

    async def _send_data(self, data):
        self.udp.sendto(data, self.remote)

    async def pump(self):
        # One packet at a time, in order, as RTCDtlsTransport does.
        while True:
            data = await self.queue.get()
            if self.receiver is not None:
                await self.receiver._handle_data(data)


class Protocol(asyncio.DatagramProtocol):
    def __init__(self, standin):
        self.standin = standin

    def datagram_received(self, data, addr):
        self.standin.queue.put_nowait(data)


def describe(channel, message):
    if isinstance(message, str):
        return dict(kind="text", size=len(message.encode("utf8")), text=message[:80])
    return dict(kind="binary", size=len(message))


async def main():
    role = sys.argv[1]
    node_port = int(sys.argv[2])
    loop = asyncio.get_running_loop()
    standin = UdpDtlsStandIn(role, ("127.0.0.1", node_port))
    udp, _ = await loop.create_datagram_endpoint(
        lambda: Protocol(standin), local_addr=("127.0.0.1", 0)
    )
    standin.udp = udp
    emit(ev="port", port=udp.get_extra_info("sockname")[1])
    asyncio.ensure_future(standin.pump())

    sctp = RTCSctpTransport(standin)

    @sctp.on("datachannel")
    def on_datachannel(channel):
        emit(ev="datachannel", label=channel.label, protocol=channel.protocol, id=channel.id)

        @channel.on("message")
        def on_message(message):
            emit(ev="message", label=channel.label, **describe(channel, message))
            if channel.readyState == "open":
                channel.send(message)

        @channel.on("close")
        def on_close():
            emit(ev="closed", label=channel.label)

    established = asyncio.Event()

    def watch_state():
        # RTCSctpTransport has no public "established" event in 1.4: poll its state.
        async def poll():
            last = None
            while True:
                state = sctp._association_state.name
                if state != last:
                    emit(ev="state", state=state)
                    last = state
                    if state == "ESTABLISHED":
                        established.set()
                await asyncio.sleep(0.01)

        asyncio.ensure_future(poll())

    watch_state()
    await sctp.start(RTCSctpCapabilities(maxMessageSize=65536), 5000)
    await established.wait()
    emit(ev="established")

    own = RTCDataChannel(sctp, RTCDataChannelParameters(label="from-aiortc", protocol="xmpp-jingle"))

    @own.on("open")
    def on_open():
        emit(ev="open", label=own.label, id=own.id)
        for message in ["hello from aiortc", b"\x01\x02", "", b""]:
            own.send(message)

    @own.on("message")
    def on_own_message(message):
        emit(ev="message", label=own.label, **describe(own, message))

    @own.on("close")
    def on_own_close():
        emit(ev="closed", label=own.label)

    # Run until stdin closes.
    await loop.run_in_executor(None, sys.stdin.read)
    await sctp.stop()


asyncio.run(main())
