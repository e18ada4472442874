// What the Conversations-shaped peer records of a session (peer-session.ts) for the test to
// assert on: the shape of our session-initiate / session-accept as it read them, our
// transport-infos, session-info payloads, terminate, errors to its requests, bytes and hashes.
import type { Element } from "ltx";
import * as wire from "./wire.js";

/** What the peer saw of one content in a session-initiate or session-accept. */
export interface ContentSummary {
  readonly jingleAttrs: string[];
  readonly content: { creator?: string; senders?: string; name: string };
  readonly descriptionNs?: string;
  readonly fileChildren?: string[];
  readonly transportNs?: string;
  readonly outerAttrs?: Record<string, string>;
  readonly inner?: { ufrag: boolean; pwd: boolean; children: string[]; setup?: string };
  readonly group?: string[];
}

export interface PeerReport {
  ok: boolean;
  error?: string;
  role: "sender" | "receiver";
  sid?: string;
  offer?: ContentSummary;
  accept?: ContentSummary;
  transportInfos: { outerNs?: string; outerAttrs: string[]; candidates: number }[];
  candidatesAdded: number;
  candidatesRejected: string[];
  candidatesSent: number;
  candidatesNotSent: number;
  channel?: { label: string; protocol: string };
  messages: number;
  maxMessage: number;
  bytes: number;
  /** From the first byte sent or received to the last one received (receiver) or the outcome (sender). */
  transferMs?: number;
  /** Sender: from the first byte to the last one handed to libwebrtc (buffered, maybe not yet delivered). */
  writtenMs?: number;
  sha256?: string;
  sessionInfo: { kind: string; attrs: Record<string, string>; hashes: string[] }[];
  checksumSent?: { algo: string; value: string }[];
  terminate?: { by: "peer" | "us"; reason: string };
  iqErrors: { action: string; condition: string }[];
  lateIqs: string[];
}

export function summarize(jingle: Element, content: wire.ReadContent): ContentSummary {
  const inner = content.transport?.getChild("transport", wire.NS.iceUdp);
  const setup = inner?.getChild("fingerprint", wire.NS.dtls)?.attrs["setup"] as string | undefined;
  const group = wire.readGroup(jingle);
  const descriptionNs = content.description?.attrs["xmlns"] as string | undefined;
  let fileChildren: string[] | undefined;
  try {
    fileChildren = wire.readFile(content.description).children;
  } catch {
    fileChildren = undefined;
  }
  return {
    jingleAttrs: Object.keys(jingle.attrs).sort(),
    content: {
      name: content.name,
      ...(content.creator !== undefined && { creator: content.creator }),
      ...(content.senders !== undefined && { senders: content.senders }),
    },
    ...(descriptionNs !== undefined && { descriptionNs }),
    ...(fileChildren !== undefined && { fileChildren }),
    ...(content.transportNs !== undefined && { transportNs: content.transportNs }),
    ...(content.transport !== undefined && {
      outerAttrs: Object.fromEntries(
        Object.entries(content.transport.attrs).filter(([k]) => k !== "xmlns"),
      ) as Record<string, string>,
    }),
    ...(inner !== undefined && {
      inner: {
        ufrag: inner.attrs["ufrag"] !== undefined,
        pwd: inner.attrs["pwd"] !== undefined,
        children: inner
          .getChildElements()
          .map((c) => `${c.name}@${String(c.attrs["xmlns"] ?? "")}`),
        ...(setup !== undefined && { setup }),
      },
    }),
    ...(group !== undefined && { group }),
  };
}
