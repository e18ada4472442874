// One Jingle file-transfer session played the way Conversations plays it (its
// JingleFileTransferConnection + WebRTCDataChannelTransport, read in the Snikket fork's sources):
// - sender (initiator): libwebrtc offer → session-initiate (content named after `a=mid`, BUNDLE
//   group), one transport-info per trickled candidate sent right after the session-initiate,
//   session-accept → remote SDP; once connected, the file in ≤ 4096-byte binary messages on its own
//   channel `test` (waiting 50 ms while more than 256 KiB are buffered), then `<checksum/>`
//   (sha-1 + sha-256) and it waits for the receiver's session-terminate; `<received/>` is acked
//   and otherwise ignored;
// - receiver (responder): acks the session-initiate at once, accepts automatically, reads
//   whichever channel the peer opened, and once `size` bytes are in sends `<received/>`, closes
//   the peer connection and terminates with `success` itself — without waiting for, or checking,
//   a `<checksum/>` (Conversations does not verify: the test compares the bytes);
// - an IQ error to any of its requests ends the session locally, without a session-terminate;
//   stanzas for an ended session get item-not-found + unknown-session (its connection manager).
// Everything seen and sent is recorded in a PeerReport for the test to assert on.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Element } from "ltx";
import { candidateFromSdp, candidateToSdp, parseLocalSdp, sdpOf } from "./sdp.js";
import type { LocalDescription } from "./sdp.js";
import { summarize, type PeerReport } from "./report.js";
import * as wire from "./wire.js";
import { createPeerConnection, type WrtcChannel, type WrtcPeerConnection } from "./wrtc.js";

export const CHUNK = 4096;
export const MAX_SENT_BUFFER = 256 * 1024;

export type ChecksumMode = "good" | "corrupt" | "none";
/**
 * What happens when ICE fails before it ever connected: Conversations' initiator replaces the
 * transport with XEP-0261 IBB (`transport-replace`) and its responder waits for that (`ibb`,
 * its real behaviour — not implemented here yet: the session ends with an error saying so), or
 * the session ends with `connectivity-error` (`none`).
 */
export type FallbackMode = "none" | "ibb";

/** Sends an IQ; resolves with the result, rejects with the error (its `condition`). */
export type Request = (iq: Element) => Promise<Element>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ConversationsSession {
  readonly report: PeerReport;
  private pc: WrtcPeerConnection | undefined;
  private own: WrtcChannel | undefined;
  private local: LocalDescription | undefined;
  private contentName = "";
  private senders: string | undefined;
  private readyToSend = false;
  private readonly pendingOut: { candidate: string; sdpMid: string | null }[] = [];
  private remoteUfrag: string | undefined;
  private ended = false;
  private finish!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));
  private connected!: () => void;
  private readonly connectedP = new Promise<void>((resolve) => (this.connected = resolve));
  private expected = 0;
  private firstByteAt: number | undefined;
  private receivedAll: (() => void) | undefined;

  constructor(
    private readonly request: Request,
    readonly peer: string,
    readonly sid: string,
    role: "sender" | "receiver",
    private readonly checksum: ChecksumMode = "good",
    private readonly fallback: FallbackMode = "none",
  ) {
    this.report = {
      ok: false,
      role,
      sid,
      transportInfos: [],
      candidatesAdded: 0,
      candidatesRejected: [],
      candidatesSent: 0,
      candidatesNotSent: 0,
      messages: 0,
      maxMessage: 0,
      bytes: 0,
      sessionInfo: [],
      iqErrors: [],
      lateIqs: [],
    };
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private setUp(): WrtcPeerConnection {
    const { pc, channel } = createPeerConnection();
    this.pc = pc;
    this.own = channel;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate === null || candidate.candidate === "") return;
      if (this.readyToSend) this.sendCandidate(candidate);
      else this.pendingOut.push(candidate);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "connected") this.connected();
      if (pc.connectionState !== "failed" || this.ended) return;
      if (this.fallback === "ibb") this.end("ICE failed: the IBB fallback is not implemented yet");
      else void this.fail("ICE failed", "connectivity-error");
    };
    return pc;
  }

  private sendCandidate(c: { candidate: string; sdpMid: string | null }): void {
    // FileTransferContentMap.transportInfo(mid, candidate): no content of that name → not sent.
    const attrs = candidateFromSdp(c.candidate);
    if (c.sdpMid !== this.contentName || attrs === undefined || this.local === undefined) {
      this.report.candidatesNotSent++;
      return;
    }
    this.report.candidatesSent++;
    const iq = wire.transportInfo(
      this.peer,
      this.sid,
      this.contentName,
      this.senders,
      this.local,
      attrs,
    );
    this.send("transport-info", iq);
  }

  private startSendingCandidates(): void {
    this.readyToSend = true;
    for (const c of this.pendingOut.splice(0)) this.sendCandidate(c);
  }

  /** Sends a request; an error answer ends the session locally (AbstractJingleConnection). */
  private send(action: string, iq: Element): void {
    this.request(iq).catch((error: unknown) => {
      const condition = (error as { condition?: string }).condition ?? String(error);
      this.report.iqErrors.push({ action, condition });
      if (!this.ended) this.end(`IQ error to ${action}: ${condition}`);
    });
  }

  private end(error?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined && this.report.error === undefined) this.report.error = error;
    this.pc?.close();
    this.receivedAll?.();
    this.finish();
  }

  private async fail(error: string, reason = "failed-application"): Promise<void> {
    if (this.ended) return;
    this.report.terminate = { by: "us", reason };
    this.send("session-terminate", wire.sessionTerminate(this.peer, this.sid, reason));
    this.end(error);
    await Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Sender (initiator)

  async offer(path: string, file: wire.OfferedFile): Promise<void> {
    const pc = this.setUp();
    this.senders = "initiator";
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.local = parseLocalSdp(pc.localDescription!.sdp);
    this.contentName = this.local.mid;
    this.send("session-initiate", wire.sessionInitiate(this.peer, this.sid, file, this.local));
    this.startSendingCandidates();
    void this.transmit(path, file.size);
  }

  private async transmit(path: string, size: number): Promise<void> {
    await this.connectedP;
    if (this.ended) return;
    const sha1 = createHash("sha1");
    const sha256 = createHash("sha256");
    const handle = await open(path, "r");
    try {
      const channel = this.own!;
      if (size > 0 && channel.readyState !== "open")
        await new Promise<void>((resolve) => (channel.onopen = () => resolve()));
      this.firstByteAt = performance.now();
      while (this.report.bytes < size && !this.ended) {
        if (channel.bufferedAmount > MAX_SENT_BUFFER) {
          await sleep(50);
          continue;
        }
        const buffer = Buffer.alloc(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) throw new Error(`EOF after ${this.report.bytes}/${size}`);
        const chunk = buffer.subarray(0, bytesRead);
        channel.send(chunk);
        sha1.update(chunk);
        sha256.update(chunk);
        this.report.bytes += bytesRead;
        this.report.messages++;
        this.report.maxMessage = Math.max(this.report.maxMessage, bytesRead);
      }
    } finally {
      await handle.close();
    }
    if (this.ended) return;
    if (this.firstByteAt !== undefined)
      this.report.writtenMs = performance.now() - this.firstByteAt;
    const hashes = [
      { algo: "sha-1", value: sha1.digest() },
      { algo: "sha-256", value: sha256.digest() },
    ];
    if (this.checksum === "corrupt") for (const h of hashes) h.value[0] = h.value[0]! ^ 0xff;
    this.report.checksumSent = hashes.map((h) => ({
      algo: h.algo,
      value: h.value.toString("base64"),
    }));
    if (this.checksum !== "none")
      this.send("session-info", wire.checksumInfo(this.peer, this.sid, this.contentName, hashes));
  }

  // -------------------------------------------------------------------------------------------
  // Receiver (responder)

  /** A session-initiate (already acked): read it as Conversations does, then accept it. */
  async initiated(jingle: Element, dir: string): Promise<void> {
    const contents = wire.readContents(jingle);
    const first = contents[0];
    if (first !== undefined) this.report.offer = summarize(jingle, first);
    if (contents.length !== 1 || first === undefined)
      return this.fail("Only one file at a time is supported");
    if (first.transportNs !== wire.NS.webrtcDc) {
      const known = first.transportNs === wire.NS.ibb || first.transportNs === wire.NS.s5b;
      return this.fail(
        `transport ${first.transportNs}`,
        known ? "failed-application" : "unsupported-transports",
      );
    }
    let file: wire.OfferedFile;
    let sdp: string;
    try {
      file = wire.readFile(first.description);
      sdp = sdpOf(wire.readGroup(jingle), wire.readRemoteTransport(first.transport!));
    } catch (error) {
      return this.fail(String(error));
    }
    this.contentName = first.name;
    this.senders = first.senders;
    this.expected = file.size;
    const pc = this.setUp();
    const out = createWriteStream(`${dir}/received.bin`);
    const sha256 = createHash("sha256");
    pc.ondatachannel = ({ channel }) => {
      // WebRTCDataChannelTransport.setDataChannel: whichever channel the peer opened is read.
      this.report.channel = { label: channel.label, protocol: channel.protocol };
      channel.binaryType = "arraybuffer";
      channel.onmessage = ({ data }) => {
        const bytes =
          typeof data === "string" ? Buffer.from(data) : Buffer.from(new Uint8Array(data));
        this.firstByteAt ??= performance.now();
        out.write(bytes);
        sha256.update(bytes);
        this.report.bytes += bytes.length;
        this.report.messages++;
        this.report.maxMessage = Math.max(this.report.maxMessage, bytes.length);
        if (this.report.bytes >= this.expected) {
          this.report.transferMs = performance.now() - this.firstByteAt;
          this.receivedAll?.();
        }
      };
    };
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      this.local = parseLocalSdp(pc.localDescription!.sdp);
    } catch (error) {
      out.destroy();
      return this.fail(`session-accept: ${String(error)}`);
    }
    this.send("session-accept", wire.sessionAccept(this.peer, this.sid, first, this.local));
    this.startSendingCandidates();
    for (const c of this.pendingIn.splice(0)) this.addCandidate(c);
    await this.connectedP;
    if (this.report.bytes < this.expected && !this.ended)
      await new Promise<void>((resolve) => (this.receivedAll = resolve));
    await new Promise<void>((resolve) => out.end(resolve));
    if (this.ended) return;
    this.report.sha256 = sha256.digest("hex");
    // onFileTransmissionComplete (receiving): received, terminate the transport, success.
    this.send("session-info", wire.receivedInfo(this.peer, this.sid, this.contentName));
    this.report.terminate = { by: "us", reason: "success" };
    this.send("session-terminate", wire.sessionTerminate(this.peer, this.sid, "success"));
    this.report.ok = true;
    this.end();
  }

  // -------------------------------------------------------------------------------------------
  // Stanzas from the peer (already acked)

  private readonly pendingIn: string[] = [];

  private addCandidate(line: string): void {
    this.pc!.addIceCandidate({ candidate: line, sdpMid: this.contentName, sdpMLineIndex: 0 })
      .then(() => this.report.candidatesAdded++)
      .catch((error: unknown) => this.report.candidatesRejected.push(String(error)));
  }

  async handle(action: string, jingle: Element): Promise<void> {
    if (action === "session-accept") return this.accepted(jingle);
    if (action === "transport-info") {
      for (const content of wire.readContents(jingle)) {
        if (content.transport === undefined) continue;
        const { ufrag, candidates } = wire.readCandidates(content.transport);
        this.remoteUfrag = ufrag ?? this.remoteUfrag;
        this.report.transportInfos.push({
          ...(content.transportNs !== undefined && { outerNs: content.transportNs }),
          outerAttrs: Object.keys(content.transport.attrs).sort(),
          candidates: candidates.length,
        });
        for (const attrs of candidates) {
          const line = candidateToSdp(attrs, this.remoteUfrag);
          if (line === undefined) continue;
          // Its initiator adds at once; its responder holds them until its session-accept.
          if (this.report.role === "receiver" && this.local === undefined)
            this.pendingIn.push(line);
          else this.addCandidate(line);
        }
      }
      return;
    }
    if (action === "session-info") {
      for (const payload of jingle.getChildElements()) {
        const file = payload.getChild("file", wire.NS.ft);
        this.report.sessionInfo.push({
          kind: payload.name,
          attrs: Object.fromEntries(Object.entries(payload.attrs).map(([k, v]) => [k, String(v)])),
          hashes: (file?.getChildren("hash", wire.NS.hashes) ?? []).map((h) =>
            String(h.attrs["algo"]),
          ),
        });
      }
      return;
    }
    if (action === "session-terminate") {
      this.report.terminate = { by: "peer", reason: wire.readReason(jingle) ?? "" };
      if (this.report.role === "sender" && this.firstByteAt !== undefined)
        this.report.transferMs = performance.now() - this.firstByteAt;
      this.report.ok = this.report.role === "sender" && this.report.terminate.reason === "success";
      this.end();
    }
  }

  private async accepted(jingle: Element): Promise<void> {
    const content = wire.readContents(jingle)[0];
    if (content === undefined) return this.fail("session-accept without content");
    this.report.accept = summarize(jingle, content);
    if (content.transportNs !== wire.NS.webrtcDc)
      return this.fail("Transport in session accept did not match our session-initialize");
    try {
      const sdp = sdpOf(wire.readGroup(jingle), wire.readRemoteTransport(content.transport!));
      await this.pc!.setRemoteDescription({ type: "answer", sdp });
    } catch (error) {
      return this.fail(`session-accept: ${String(error)}`);
    }
  }

  /** Ends the session after `ms` without an outcome (the peer's overall deadline). */
  expire(ms: number): void {
    setTimeout(() => this.end(`no outcome within ${ms} ms`), ms).unref();
  }
}
