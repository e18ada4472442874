// The part of @roamhq/wrtc (libwebrtc, the stack Conversations uses on Android) the
// Conversations-shaped peer uses, typed once.
import { createRequire } from "node:module";

export interface WrtcChannel {
  readonly label: string;
  readonly protocol: string;
  readonly readyState: string;
  readonly bufferedAmount: number;
  binaryType: string;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  send(data: string | Uint8Array): void;
  close(): void;
}

export interface WrtcCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

export interface WrtcPeerConnection {
  createDataChannel(label: string, init?: { protocol?: string }): WrtcChannel;
  createOffer(): Promise<{ type: string; sdp: string }>;
  createAnswer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  addIceCandidate(c: { candidate: string; sdpMid: string; sdpMLineIndex: number }): Promise<void>;
  readonly localDescription: { sdp: string } | null;
  readonly connectionState: string;
  onconnectionstatechange: (() => void) | null;
  onicecandidate: ((event: { candidate: WrtcCandidate | null }) => void) | null;
  ondatachannel: ((event: { channel: WrtcChannel }) => void) | null;
  close(): void;
}

const wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: new (config: object) => WrtcPeerConnection;
};

/**
 * A peer connection as Conversations' WebRTCDataChannelTransport creates it: no ICE servers
 * (none are configured here), and at once its own "sending" channel `test` / `xmpp-jingle`.
 */
export function createPeerConnection(): { pc: WrtcPeerConnection; channel: WrtcChannel } {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel("test", { protocol: "xmpp-jingle" });
  channel.binaryType = "arraybuffer";
  return { pc, channel };
}
