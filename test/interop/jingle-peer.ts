// Starts test/interop/jingle-peer.py — the independent Jingle ICE-UDP peer on slixmpp + aioice,
// with DTLS through aiortc — logged in to a test XMPP server, with its switches typed. Its events are JSON lines (see the
// script's docstring); the process is a JsonLinesProcess.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonLinesProcess, type JsonEvent } from "../support/json-lines.js";
import type { XmppServer } from "../support/xmpp-server.js";
import { REPO_ROOT, SYSTEM_PYTHON, pythonCheck } from "./harness.js";

const SCRIPT = join(fileURLToPath(new URL(".", import.meta.url)), "jingle-peer.py");

/** jingle-ice's datagram application (an empty `<description/>` in this namespace). */
export const NS_DATAGRAM = "https://www.npmjs.com/package/jingle-ice#datagram-0";
export const NS_ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1";

/** The peer's habits; every one off by default (what a careful client does). */
export interface JinglePeerSwitches {
  /** Candidates without `id` and `network`. */
  readonly bareCandidates?: boolean;
  /** aioice's own 32-hex-digit foundations (else 1, 2, …). */
  readonly hexFoundations?: boolean;
  /** Standard base64 sids containing `+` and `/`. */
  readonly base64Sid?: boolean;
  /** One candidate per transport-info (else all in session-initiate/accept). */
  readonly trickle?: boolean;
  /** Never send `<gathering-complete/>`. */
  readonly noGatheringComplete?: boolean;
  /** transport-info with `ufrag` but no `pwd`. */
  readonly infoWithoutPwd?: boolean;
  /** No `initiator` attribute on `<jingle/>`. */
  readonly noInitiator?: boolean;
  /** @default "datagram" */
  readonly contentName?: string;
  /** What it offers when calling. @default "datagram" */
  readonly app?: "datagram" | "file-transfer";
  /** The transport it offers when calling. @default "ice-udp" */
  readonly transport?: "ice-udp" | "ibb";
  /**
   * DTLS (XEP-0320) through aiortc: its fingerprint in session-initiate/accept, one required
   * from us, every datagram encrypted. Off: plaintext, and our fingerprint is ignored.
   */
  readonly dtls?: boolean;
  /** The setup it offers (default `actpass`) or answers (default `active`, RFC 5763 §5). */
  readonly setup?: "actpass" | "active" | "passive";
  /** Announce a fingerprint of no certificate (the handshake must then fail). */
  readonly wrongFingerprint?: boolean;
  /** Check our certificate against a fingerprint of no certificate (as if signalling lied). */
  readonly distrust?: boolean;
  /**
   * Answering: its fingerprint in transport-info (sent before session-accept with
   * `acceptDelayMs`, or trickled) and not in session-accept, as XEP-0320 §1 allows.
   */
  readonly fingerprintInInfo?: boolean;
  /** Ack IQs after processing them (its answers overtake its acks). */
  readonly lateAck?: boolean;
  /** Answering: candidates in transport-info first, session-accept this many ms later. */
  readonly acceptDelayMs?: number;
  /** Terminate the session itself once its datagrams are done. */
  readonly hangup?: boolean;
  /** Pings to send after connecting. */
  readonly pings?: number;
  /** Texts to send after connecting (the other side must echo them as `echo:<text>`). */
  readonly send?: readonly string[];
  /** Give up (exit 1) after this many seconds. @default 20 */
  readonly timeoutS?: number;
}

/** What the peer does: call a full JID, or answer (one session, then exit). */
export type JinglePeerMode = { readonly call: string } | { readonly answerOnce: true };

/** The command-line switches for `switches`. */
function switchArgs(s: JinglePeerSwitches): string[] {
  const flags: [boolean | undefined, string][] = [
    [s.bareCandidates, "--bare-candidates"],
    [s.hexFoundations, "--hex-foundations"],
    [s.base64Sid, "--base64-sid"],
    [s.trickle, "--trickle"],
    [s.noGatheringComplete, "--no-gathering-complete"],
    [s.infoWithoutPwd, "--info-without-pwd"],
    [s.noInitiator, "--no-initiator"],
    [s.lateAck, "--late-ack"],
    [s.hangup, "--hangup"],
    [s.dtls, "--dtls"],
    [s.wrongFingerprint, "--wrong-fingerprint"],
    [s.distrust, "--distrust"],
    [s.fingerprintInInfo, "--fingerprint-in-info"],
  ];
  return [
    ...flags.flatMap(([on, flag]) => (on === true ? [flag] : [])),
    ...(s.contentName === undefined ? [] : ["--content-name", s.contentName]),
    ...(s.app === undefined ? [] : ["--app", s.app]),
    ...(s.transport === undefined ? [] : ["--transport", s.transport]),
    ...(s.setup === undefined ? [] : ["--setup", s.setup]),
    ...(s.acceptDelayMs === undefined ? [] : ["--accept-delay", String(s.acceptDelayMs)]),
    ...(s.pings === undefined ? [] : ["--pings", String(s.pings)]),
    ...(s.send ?? []).flatMap((text) => ["--send", text]),
    "--timeout",
    String(s.timeoutS ?? 20),
  ];
}

/** Logs in as `user@domain/peer` and calls or answers. */
export function startJinglePeer(
  server: XmppServer,
  user: string,
  mode: JinglePeerMode,
  switches: JinglePeerSwitches = {},
): JsonLinesProcess {
  const { password } = server.credentials(user);
  const argv = [
    SYSTEM_PYTHON,
    SCRIPT,
    "--service",
    `${server.host}:${server.port}`,
    "--jid",
    `${server.jid(user)}/peer`,
    "--password",
    password,
    "--bind",
    "127.0.0.1",
    ...switchArgs(switches),
    ...("call" in mode ? ["call", mode.call] : ["answer", "--once"]),
  ];
  return new JsonLinesProcess(`jingle-peer (${server.kind})`, argv, {}, REPO_ROOT);
}

/** Throws, saying what to install, when slixmpp or aioice (and aiortc for DTLS) cannot be imported. */
export async function requireJinglePeer(options: { readonly dtls?: boolean } = {}): Promise<void> {
  const dtls = options.dtls === true;
  const problem = await pythonCheck(
    dtls ? "import slixmpp, aioice, aiortc" : "import slixmpp, aioice",
    dtls
      ? "slixmpp, aioice and aiortc (Debian python3-slixmpp, python3-aioice, python3-aiortc)"
      : "slixmpp and aioice (Debian python3-slixmpp, python3-aioice)",
  );
  if (problem !== null) {
    throw new Error(
      `the independent Jingle peer cannot run: ${problem} — run ./scripts/setup as root, or: ` +
        `apt-get install -y python3-slixmpp python3-aioice${dtls ? " python3-aiortc" : ""}`,
    );
  }
}

/** A `<fingerprint/>` (XEP-0320) as the peer read it from one of our transports. */
export interface ReportedFingerprint {
  readonly hash: string;
  readonly setup: string | null;
  readonly value: string;
}

/** A `jingle-in` event's first content, as the peer reports it. */
export interface ReportedContent {
  readonly name: string;
  readonly creator: string;
  readonly description: string | null;
  readonly description_children: readonly string[];
  readonly transport: string | null;
  readonly ufrag: boolean;
  readonly pwd: boolean;
  readonly candidates: number;
  readonly skipped: number;
  readonly gathering_complete: boolean;
  readonly fingerprints: readonly ReportedFingerprint[];
}

/** The first content of a `jingle-in` event. */
export function contentOf(event: JsonEvent): ReportedContent | undefined {
  return (event["contents"] as readonly ReportedContent[] | undefined)?.[0];
}
