// The SDP a WebRTC peer needs from our Jingle transport (RFC 8839 ICE attributes, RFC 8122
// fingerprint, RFC 8841 SCTP attributes): how a browser-side client (Conversations, StanzaJS,
// Jitsi) turns the Jingle it receives into `setRemoteDescription`. For the libwebrtc interop
// tests only: it reads the parsed model of a transport we built.
import type { IceUdpTransport } from "../../src/jingle/model.js";

/** An SDP answer (or offer) with one m=application section for data channels. */
export function sdpFromJingle(transport: IceUdpTransport, setup: string): string {
  const fingerprint = transport.fingerprints?.[0];
  if (transport.ufrag === undefined || transport.pwd === undefined || fingerprint === undefined)
    throw new Error("the transport lacks credentials or a fingerprint");
  const sctp = transport.sctp;
  if (sctp === undefined) throw new Error("the transport carries no SCTP");
  return [
    "v=0",
    "o=- 1 1 IN IP4 0.0.0.0",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    `a=ice-ufrag:${transport.ufrag}`,
    `a=ice-pwd:${transport.pwd}`,
    `a=fingerprint:${fingerprint.hash} ${fingerprint.value}`,
    `a=setup:${setup}`,
    "a=mid:0",
    `a=sctp-port:${sctp.port ?? 5000}`,
    ...(sctp.maxMessageSize === undefined ? [] : [`a=max-message-size:${sctp.maxMessageSize}`]),
    ...transport.candidates.map(
      (c) =>
        `a=candidate:${c.foundation} ${c.component} udp ${c.priority} ${c.ip} ${c.port} typ ${c.type}`,
    ),
    ...(transport.gatheringComplete ? ["a=end-of-candidates"] : []),
    "",
  ].join("\r\n");
}
