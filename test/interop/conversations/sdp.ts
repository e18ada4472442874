// Jingle ↔ SDP the way Conversations does it for file transfer over its
// `urn:xmpp:jingle:transports:webrtc-datachannel:1` transport (read in its sources, Snikket fork,
// `eu.siacs.conversations.xmpp.jingle.SessionDescription` / `WebRTCDataChannelTransportInfo`;
// written here from that reading, not copied). Test code for conversations-peer.ts only: it never
// uses our src/jingle, so the peer checks our wire format independently.
//
// What matters for interop, all faithful to Conversations:
// - the SDP for libwebrtc has the session-level `a=group:` taken from the Jingle `<group/>`
//   (XEP-0338), and one `m=application … webrtc-datachannel` section WITHOUT `a=mid`;
// - candidates inside session-initiate / session-accept are ignored (only ufrag, pwd,
//   ice-options, fingerprint and setup become SDP): candidates count only from transport-info;
// - `sctp-port` and `max-message-size` on the outer transport are mandatory;
// - our own offer/answer becomes Jingle from libwebrtc's SDP: content name = `a=mid`,
//   `<group/>` = `a=group:`, ice-options `trickle` as Conversations' own ice-option element.

/** What Conversations reads from a Jingle transport to build the remote SDP. */
export interface RemoteTransport {
  readonly ufrag: string;
  readonly pwd: string;
  readonly iceOptions: readonly string[];
  readonly fingerprint?: { readonly hash: string; readonly value: string; readonly setup?: string };
  readonly sctpPort: number;
  readonly maxMessageSize: number;
}

/** What our libwebrtc's local SDP gives to put into Jingle. */
export interface LocalDescription {
  readonly mid: string;
  readonly ufrag: string;
  readonly pwd: string;
  readonly iceOptions: readonly string[];
  readonly fingerprint: { readonly hash: string; readonly value: string; readonly setup: string };
  readonly sctpPort?: number;
  readonly maxMessageSize?: number;
  /** `a=group:` split on spaces: semantics first, then the mids. */
  readonly group?: readonly string[];
}

const WELL_KNOWN_ICE_OPTIONS = ["trickle", "renomination"];

/** The SDP (offer or answer) Conversations gives libwebrtc for a file-transfer content map. */
export function sdpOf(group: readonly string[] | undefined, transport: RemoteTransport): string {
  const lines = ["v=0", "o=- 8770656990916039506 2 IN IP4 127.0.0.1", "s=-", "t=0 0"];
  if (group !== undefined) lines.push(`a=group:${group.join(" ")}`);
  lines.push("a=msid-semantic: WMS my-media-stream");
  lines.push("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0");
  lines.push(`a=ice-ufrag:${transport.ufrag}`, `a=ice-pwd:${transport.pwd}`);
  const options = transport.iceOptions.length === 0 ? ["trickle"] : transport.iceOptions;
  lines.push(`a=ice-options:${options.join(" ")}`);
  if (transport.fingerprint !== undefined) {
    lines.push(`a=fingerprint:${transport.fingerprint.hash} ${transport.fingerprint.value}`);
    if (transport.fingerprint.setup !== undefined)
      lines.push(`a=setup:${transport.fingerprint.setup}`);
  }
  lines.push(`a=sctp-port:${transport.sctpPort}`);
  lines.push(`a=max-message-size:${transport.maxMessageSize}`);
  return lines.join("\r\n") + "\r\n";
}

/** Reads our libwebrtc's local description (one m= section) as Conversations does. */
export function parseLocalSdp(sdp: string): LocalDescription {
  const sessionPart = sdp.split(/^m=/m)[0] ?? "";
  const media = sdp.slice(sessionPart.length);
  const attr = (text: string, name: string): string | undefined =>
    new RegExp(`^a=${name}:(.*)$`, "m").exec(text)?.[1]?.trim();
  const need = (name: string): string => {
    const value = attr(media, name) ?? attr(sessionPart, name);
    if (value === undefined) throw new Error(`local SDP without a=${name}`);
    return value;
  };
  const [hash, value] = need("fingerprint").split(" ") as [string, string];
  const group = attr(sessionPart, "group");
  const sctpPort = attr(media, "sctp-port");
  const maxMessageSize = attr(media, "max-message-size");
  return {
    mid: need("mid"),
    ufrag: need("ice-ufrag"),
    pwd: need("ice-pwd"),
    iceOptions: (attr(media, "ice-options") ?? "")
      .split(" ")
      .filter((o) => WELL_KNOWN_ICE_OPTIONS.includes(o)),
    fingerprint: { hash, value, setup: need("setup") },
    ...(sctpPort !== undefined && { sctpPort: Number(sctpPort) }),
    ...(maxMessageSize !== undefined && { maxMessageSize: Number(maxMessageSize) }),
    ...(group !== undefined && { group: group.split(" ") }),
  };
}

/** A Jingle `<candidate/>`'s attributes, as Conversations reads and writes them. */
export type CandidateAttrs = Readonly<Record<string, string>>;

/**
 * `candidate:…` from a libwebrtc ICE candidate line, as Conversations turns it into a Jingle
 * `<candidate/>` (foundation, component, protocol, priority, ip, port, type, generation,
 * rel-addr, rel-port, a random id); undefined when it has fewer than six fields.
 */
export function candidateFromSdp(line: string): CandidateAttrs | undefined {
  const value = line.startsWith("candidate:") ? line.slice("candidate:".length) : line;
  const segments = value.split(" ");
  if (segments.length < 6) return undefined;
  const [foundation, component, transport, priority, ip, port] = segments as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const extra = new Map<string, string>();
  for (let i = 6; i < segments.length - 1; i += 2) extra.set(segments[i]!, segments[i + 1]!);
  const out: Record<string, string> = {
    component,
    foundation,
    id: Math.random().toString(36).slice(2, 12),
    ip,
    port,
    priority,
    protocol: transport.toLowerCase(),
  };
  const optional: [string, string][] = [
    ["generation", "generation"],
    ["raddr", "rel-addr"],
    ["rport", "rel-port"],
    ["typ", "type"],
  ];
  for (const [sdpName, jingleName] of optional) {
    const v = extra.get(sdpName);
    if (v !== undefined) out[jingleName] = v;
  }
  return out;
}

/**
 * The `candidate:…` line Conversations gives libwebrtc for a Jingle `<candidate/>`; undefined
 * (skipped, as Conversations does) for a candidate lacking a field or not over UDP.
 */
export function candidateToSdp(
  attrs: CandidateAttrs,
  ufrag: string | undefined,
): string | undefined {
  const required = ["foundation", "component", "protocol", "priority", "ip", "port"] as const;
  for (const name of required) {
    const v = attrs[name];
    if (v === undefined || v === "" || /\s/.test(v)) return undefined;
  }
  if (attrs["protocol"]!.toLowerCase() !== "udp") return undefined;
  const extra: string[] = [];
  if (attrs["type"] !== undefined) extra.push(`typ ${attrs["type"]}`);
  if (attrs["rel-addr"] !== undefined) extra.push(`raddr ${attrs["rel-addr"]}`);
  if (attrs["rel-port"] !== undefined) extra.push(`rport ${attrs["rel-port"]}`);
  if (attrs["generation"] !== undefined) extra.push(`generation ${attrs["generation"]}`);
  if (ufrag !== undefined) extra.push(`ufrag ${ufrag}`);
  return (
    `candidate:${attrs["foundation"]} ${attrs["component"]} udp ${attrs["priority"]} ` +
    `${attrs["ip"]} ${attrs["port"]} ${extra.join(" ")}`
  );
}
