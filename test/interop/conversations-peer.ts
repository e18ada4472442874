// A test peer that speaks exactly Conversations' wire format for XEP-0234 file transfer over its
// `urn:xmpp:jingle:transports:webrtc-datachannel:1` transport, on libwebrtc (@roamhq/wrtc, the
// stack Conversations uses) and @xmpp/client. Written from scratch from a reading of
// Conversations' sources (docs/file-transfer.md "Conversations (tested)", FIELD-NOTES): it uses
// neither our plugin nor src/jingle, so it checks our wire format independently. One session
// per run; libwebrtc gathers on every interface, so run it inside a network namespace (the test
// does: test/interop/conversations/run.ts).
//
// usage: node --import tsx test/interop/conversations-peer.ts
//          --service xmpp://127.0.0.1:PORT --domain D --user U --password P [--resource R]
//          (--send PATH --to FULL-JID [--media-type TYPE] | --receive DIR)
//          [--transport webrtc-datachannel|ibb] [--fallback none|ibb]
//          [--checksum good|corrupt|none] [--timeout MS]
//
//   --send        offer PATH to FULL-JID (Conversations as initiator and sender)
//   --receive     wait for one offer, accept it, write the bytes to DIR/received.bin
//   --transport   the transport Conversations would use: `webrtc-datachannel` (default; what it
//                 picks when the peer advertises it) or `ibb` — reserved for its XEP-0261
//                 In-Band Bytestreams mode (its initial transport when the peer lacks
//                 webrtc-datachannel and S5B, and its `transport-replace` fallback when ICE
//                 fails); not implemented yet: the run ends with `error`
//   --fallback    when ICE fails before connecting: `none` (default: terminate
//                 `connectivity-error`) or `ibb` (Conversations' real behaviour: its initiator
//                 sends `transport-replace` to IBB, its responder waits for one) — reserved, the
//                 run ends with an error saying the fallback is not implemented. To exercise it,
//                 block UDP inside the namespace (the test owns it) and add the IBB transport to
//                 peer-session.ts (XEP-0047 open/data/close over the same @xmpp/client)
//   --checksum    what the sender's `<checksum/>` carries: `good` (sha-1 + sha-256 of the bytes
//                 sent), `corrupt` (both digests with their first byte flipped) or `none`
//   --timeout     give up after MS milliseconds without an outcome (default 120000)
//
// Prints JSON lines on stdout: {"event":"online","jid":…} once logged in, then
// {"event":"done","report":PeerReport} (conversations/report.ts) when the session is over.
import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { client } from "@xmpp/client";
import type { Element } from "ltx";
import {
  ConversationsSession,
  type ChecksumMode,
  type FallbackMode,
} from "./conversations/peer-session.js";
import type { PeerReport } from "./conversations/report.js";
import { FEATURES, NS, xml } from "./conversations/wire.js";

const { values: args } = parseArgs({
  options: {
    service: { type: "string" },
    domain: { type: "string" },
    user: { type: "string" },
    password: { type: "string" },
    resource: { type: "string", default: "Conversations.peer" },
    send: { type: "string" },
    to: { type: "string" },
    "media-type": { type: "string" },
    receive: { type: "string" },
    transport: { type: "string", default: "webrtc-datachannel" },
    checksum: { type: "string", default: "good" },
    fallback: { type: "string", default: "none" },
    timeout: { type: "string", default: "120000" },
  },
});

function print(line: object): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}
function usage(message: string): never {
  process.stderr.write(`conversations-peer: ${message}\n`);
  process.exit(64);
}
if (!args.service || !args.domain || !args.user || !args.password) usage("login options missing");
if ((args.send === undefined) === (args.receive === undefined)) usage("--send or --receive");
if (args.send !== undefined && args.to === undefined) usage("--send needs --to");
if (!["good", "corrupt", "none"].includes(args.checksum!)) usage("--checksum good|corrupt|none");
if (!["webrtc-datachannel", "ibb"].includes(args.transport!)) usage("--transport");
if (!["none", "ibb"].includes(args.fallback!)) usage("--fallback none|ibb");
const fallback = args.fallback as FallbackMode;
const timeoutMs = Number(args.timeout);

interface XmppClient {
  start(): Promise<{ toString(): string }>;
  stop(): Promise<void>;
  on(event: string, listener: (...a: never[]) => void): void;
  readonly reconnect: { stop(): void };
  readonly iqCaller: { request(iq: Element, timeoutMs?: number): Promise<Element> };
  readonly iqCallee: {
    get(ns: string, name: string, h: (ctx: { stanza: Element; element: Element }) => unknown): void;
    set(ns: string, name: string, h: (ctx: { stanza: Element; element: Element }) => unknown): void;
  };
}
const password = args.password;
const xmpp = (client as unknown as (o: object) => XmppClient)({
  service: args.service,
  domain: args.domain,
  resource: args.resource,
  // PLAIN on loopback (xmpp.js's SCRAM costs a second per login here).
  credentials: (authenticate: (c: object, m: string) => Promise<void>, mechanisms: string[]) =>
    authenticate(
      { username: args.user, password },
      mechanisms.includes("PLAIN") ? "PLAIN" : mechanisms[0]!,
    ),
});
xmpp.reconnect.stop();
xmpp.on("error", () => undefined);

let session: ConversationsSession | undefined;
const sessionStarted = new Promise<ConversationsSession>((resolve) => {
  xmpp.iqCallee.get("http://jabber.org/protocol/disco#info", "query", ({ element }) =>
    xml(
      "query",
      {
        xmlns: "http://jabber.org/protocol/disco#info",
        ...(typeof element.attrs["node"] === "string" && { node: element.attrs["node"] }),
      },
      xml("identity", { category: "client", type: "phone", name: "Conversations" }),
      ...FEATURES.map((v) => xml("feature", { var: v })),
    ),
  );
  xmpp.iqCallee.set(NS.jingle, "jingle", ({ stanza, element }) => {
    const action = String(element.attrs["action"]);
    const sid = String(element.attrs["sid"]);
    const from = String(stanza.attrs["from"]);
    if (session === undefined && action === "session-initiate" && args.receive !== undefined) {
      session = new ConversationsSession(request, from, sid, "receiver", "good", fallback);
      session.expire(timeoutMs);
      resolve(session);
      const s = session;
      setImmediate(() => void s.initiated(element, args.receive!));
      return true;
    }
    if (session === undefined || session.sid !== sid || session.peer !== from || session.isEnded) {
      // JingleConnectionManager: no such session (any more).
      session?.report.lateIqs.push(`${action}:${element.getChildElements()[0]?.name ?? ""}`);
      return xml(
        "error",
        { type: "cancel" },
        xml("item-not-found", { xmlns: NS.stanzas }),
        xml("unknown-session", { xmlns: NS.jingleErrors }),
      );
    }
    const s = session;
    setImmediate(() => void s.handle(action, element));
    return true;
  });
});

async function request(iq: Element): Promise<Element> {
  return xmpp.iqCaller.request(iq, 30_000);
}

async function main(): Promise<PeerReport> {
  const jid = await xmpp.start();
  print({ event: "online", jid: jid.toString() });
  if (args.transport === "ibb") throw new Error("--transport ibb is not implemented yet");
  if (args.send !== undefined) {
    const to = args.to!;
    // Conversations picks webrtc-datachannel only when the peer advertises it.
    const info = await request(
      xml(
        "iq",
        { type: "get", to },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
    );
    const features = (info.getChild("query")?.getChildren("feature") ?? []).map((f) =>
      String(f.attrs["var"]),
    );
    if (!features.includes(NS.webrtcDc))
      throw new Error(`${to} does not advertise ${NS.webrtcDc} (Conversations would use S5B/IBB)`);
    session = new ConversationsSession(
      request,
      to,
      randomBytes(12).toString("base64url"),
      "sender",
      args.checksum as ChecksumMode,
      fallback,
    );
    session.expire(timeoutMs);
    const { size } = await stat(args.send);
    await session.offer(args.send, {
      name: basename(args.send),
      size,
      ...(args["media-type"] !== undefined && { mediaType: args["media-type"] }),
    });
  } else {
    await sessionStarted;
  }
  await session!.done;
  // Stanzas still in flight (its checksum, our late answers) are recorded for a moment.
  await new Promise((r) => setTimeout(r, 500));
  return session!.report;
}

main()
  .then((report) => print({ event: "done", report }))
  .catch((error: unknown) =>
    print({
      event: "done",
      report: { ...(session?.report ?? {}), ok: false, error: String(error) },
    }),
  )
  .finally(() => {
    void xmpp
      .stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
