// The browser globals StanzaJS 12.22's file transfer expects and Node 20 lacks, for the StanzaJS
// runner process only (test/interop/stanza-file-run.ts imports this first; nothing else may):
// - `FileReader`: its Sender (jingle/FileTransferSession.js) reads each 16 KiB slice of the
//   `File` with `new FileReader()`, `addEventListener('load')` and `readAsArrayBuffer(slice)`,
//   then reads `event.target.result`. This one does exactly that over `Blob.arrayBuffer()`.
// - `RTCPeerConnection`, `RTCSessionDescription`, `RTCIceCandidate`: libwebrtc's, from
//   @roamhq/wrtc. StanzaJS's Node platform hard-codes `RTCPeerConnection = undefined`, so the
//   runner also hands wrtc's class to StanzaJS through `jingle.createPeerConnection`; the globals
//   are what browser code around it would see.
// - `bufferedamountlow` on wrtc's RTCDataChannel: node-webrtc never implemented
//   `bufferedAmountLowThreshold` nor the event (W3C WebRTC §6.2), and StanzaJS's Sender stops
//   reading once `bufferedAmount` exceeds 8 × 16 KiB until the event comes — so without it a
//   StanzaJS send stalls after ~300 KB. After each send(), `bufferedAmount` is polled every
//   millisecond and the event fired once it is at or below the threshold.
// `Blob` and `File` are Node 20's own.
import { createRequire } from "node:module";

/** The part of libwebrtc's RTCPeerConnection constructor the runner uses. */
export type WrtcPeerConnectionClass = new (config: object) => object;

/** The part of wrtc's RTCDataChannel the event emulation touches. */
interface WrtcDataChannel {
  readonly bufferedAmount: number;
  readonly readyState: string;
  bufferedAmountLowThreshold?: number;
  dispatchEvent(event: { type: string }): void;
}
const wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as {
  RTCPeerConnection: WrtcPeerConnectionClass;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
  RTCDataChannel: { prototype: WrtcDataChannel & { send(data: unknown): void } };
};

/** libwebrtc's RTCPeerConnection. */
export const RTCPeerConnection = wrtc.RTCPeerConnection;

const POLL_MS = 1;
const polling = new WeakSet<WrtcDataChannel>();
const wrtcSend = wrtc.RTCDataChannel.prototype.send;
wrtc.RTCDataChannel.prototype.send = function send(this: WrtcDataChannel, data: unknown): void {
  wrtcSend.call(this, data);
  // wrtc's bufferedAmount follows libwebrtc's network thread, so two reads in the same tick can
  // disagree: poll after every send (not only when this read is above the threshold), and
  // fire once it is at or below it. A spurious event is harmless to StanzaJS (it reads one
  // slice at a time); a missing one stalls it for good.
  if (polling.has(this)) return;
  polling.add(this);
  const timer = setInterval(() => {
    if (this.readyState !== "open") {
      clearInterval(timer);
      polling.delete(this);
    } else if (this.bufferedAmount <= (this.bufferedAmountLowThreshold ?? 0)) {
      clearInterval(timer);
      polling.delete(this);
      this.dispatchEvent({ type: "bufferedamountlow" });
    }
  }, POLL_MS);
};

/** A FileReader with only what StanzaJS calls: readAsArrayBuffer, `load`/`error` events. */
class FileReaderShim extends EventTarget {
  result: ArrayBuffer | null = null;
  error: Error | null = null;
  readyState = 0;
  onload: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  readAsArrayBuffer(blob: Blob): void {
    this.readyState = 1;
    this.result = null;
    blob.arrayBuffer().then(
      (buffer) => this.settle(buffer, null, "load"),
      (err: unknown) =>
        this.settle(null, err instanceof Error ? err : new Error(String(err)), "error"),
    );
  }

  private settle(result: ArrayBuffer | null, error: Error | null, type: "load" | "error"): void {
    this.readyState = 2;
    this.result = result;
    this.error = error;
    const event = new Event(type);
    this.dispatchEvent(event); // event.target is this reader, as StanzaJS expects
    (type === "load" ? this.onload : this.onerror)?.call(this, event);
    this.dispatchEvent(new Event("loadend"));
  }
}

const globals = globalThis as {
  FileReader?: unknown;
  RTCPeerConnection?: unknown;
  RTCSessionDescription?: unknown;
  RTCIceCandidate?: unknown;
};
globals.FileReader ??= FileReaderShim;
globals.RTCPeerConnection ??= wrtc.RTCPeerConnection;
globals.RTCSessionDescription ??= wrtc.RTCSessionDescription;
globals.RTCIceCandidate ??= wrtc.RTCIceCandidate;
