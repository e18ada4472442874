#!/usr/bin/python3
"""aiortc DTLS peer for test/interop/dtls-aiortc.test.ts: aiortc's RTCDtlsTransport over its
own RTCIceTransport (aioice), on 127.0.0.1 only, driven through JSON lines.

Run with the system interpreter, which has python3-aiortc (aiortc 1.4 on Debian 12):
    /usr/bin/python3 test/interop/aiortc-dtls-peer.py --ice-role controlled --dtls-role server

stdout (one JSON object per line):
    {"ev": "local", "ufrag", "pwd", "candidates": [...], "fingerprints": [{"algorithm", "value"}]}
    {"ev": "ice-connected"}
    {"ev": "dtls-state", "state": "connected" | "failed" | ...}
    {"ev": "data", "text": "..."}             each datagram our peer sent (answered "echo:<text>")
    {"ev": "error", "message": "..."}
stdin: one line {"ufrag", "pwd", "candidates": [...], "fingerprint": {"algorithm", "value"}},
    then anything or EOF to quit. Candidates are {foundation, component, transport, priority,
    address, port, type}.

Application data: aiortc 1.4 has no public raw-datagram API on RTCDtlsTransport (data channels
go through SCTP), so this peer uses the transport's internal data path, which SCTP itself uses:
`_register_data_receiver` (its `_handle_data` gets every decrypted application record) and
`_send_data` (one record per call). That keeps SCTP out of a DTLS test.
"""

import argparse
import asyncio
import json
import os
import sys

sys.dont_write_bytecode = True


def emit(ev, **fields):
    sys.stdout.write(json.dumps({"ev": ev, **fields}) + "\n")
    sys.stdout.flush()


try:
    import aioice.ice
    from aiortc import (
        RTCCertificate,
        RTCDtlsFingerprint,
        RTCDtlsParameters,
        RTCDtlsTransport,
        RTCIceCandidate,
        RTCIceGatherer,
        RTCIceParameters,
        RTCIceTransport,
    )
except ImportError as exc:
    emit("error", message="aiortc is not available (%s): apt-get install python3-aiortc, "
         "and run with /usr/bin/python3" % exc)
    sys.exit(2)

# aioice skips 127.0.0.1 and would gather on every interface: only loopback here.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []


class Receiver:
    def __init__(self, dtls):
        self.dtls = dtls

    async def _handle_data(self, data):
        text = data.decode("utf-8", "replace")
        emit("data", text=text)
        await self.dtls._send_data(("echo:" + text).encode())


async def read_line():
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, sys.stdin.readline)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ice-role", choices=["controlling", "controlled"], required=True)
    parser.add_argument("--dtls-role", choices=["client", "server"], required=True)
    args = parser.parse_args()

    gatherer = RTCIceGatherer(iceServers=[])  # no default STUN server
    gatherer._connection.ice_controlling = args.ice_role == "controlling"
    await gatherer.gather()
    ice = RTCIceTransport(gatherer)
    certificate = RTCCertificate.generateCertificate()
    dtls = RTCDtlsTransport(ice, [certificate])
    dtls._set_role(args.dtls_role)
    dtls._register_data_receiver(Receiver(dtls))
    params = gatherer.getLocalParameters()
    emit(
        "local",
        ufrag=params.usernameFragment,
        pwd=params.password,
        candidates=[
            {
                "foundation": c.foundation,
                "component": c.component,
                "transport": c.protocol,
                "priority": c.priority,
                "address": c.ip,
                "port": c.port,
                "type": c.type,
            }
            for c in gatherer.getLocalCandidates()
        ],
        fingerprints=[{"algorithm": f.algorithm, "value": f.value} for f in dtls.getLocalParameters().fingerprints],
    )

    remote = json.loads(await read_line())
    for c in remote["candidates"]:
        await ice.addRemoteCandidate(
            RTCIceCandidate(
                component=c["component"],
                foundation=c["foundation"],
                ip=c["address"],
                port=c["port"],
                priority=c["priority"],
                protocol=c["transport"],
                type=c["type"],
            )
        )
    await ice.addRemoteCandidate(None)
    await ice.start(RTCIceParameters(usernameFragment=remote["ufrag"], password=remote["pwd"]))
    emit("ice-connected")
    fp = remote["fingerprint"]
    await dtls.start(RTCDtlsParameters(fingerprints=[RTCDtlsFingerprint(algorithm=fp["algorithm"], value=fp["value"])]))
    emit("dtls-state", state=dtls.state)
    if dtls.state == "connected":
        await dtls._send_data(b"hello from aiortc")
    await read_line()  # anything (or EOF): quit
    await dtls.stop()
    await ice.stop()


asyncio.run(main())
