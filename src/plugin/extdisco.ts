/**
 * XEP-0215 External Service Discovery: asks the user's server for STUN and TURN services
 * (`urn:xmpp:extdisco:2`, falling back to `:1`), fetches credentials for restricted ones, and
 * turns them into ICE options. Results are cached until the earliest `expires` (less a minute).
 */
import { bareJid } from "../jingle/dispatch.js";
import { children, el, type XmlElement } from "../jingle/xml.js";
import type { IceConnectionOptions } from "../node/ice-connection.js";
import type { StunServerConfig } from "../stun/server.js";
import { defaultTurnPort, type TurnServerConfig } from "../turn/server.js";
import { iqRequest, type XmppClient } from "./xmpp.js";

export const NS_EXTDISCO_2 = "urn:xmpp:extdisco:2";
export const NS_EXTDISCO_1 = "urn:xmpp:extdisco:1";

/** One `<service/>` (XEP-0215 §3). */
export interface ExternalService {
  readonly type: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly transport: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `restricted='1'` or `'true'`: credentials must be fetched (XEP-0215 §3.2). */
  readonly restricted: boolean;
  /** Absolute expiry in ms since the epoch, if given. */
  readonly expires: number | undefined;
}

/** The ICE servers found. */
export interface DiscoveredServers {
  readonly stunServers: StunServerConfig[];
  readonly turnServers: TurnServerConfig[];
  /** When to ask again (ms since the epoch). */
  readonly refreshAt: number;
}

/** Parses the `<services/>` or `<credentials/>` payload of a reply. */
export function parseServices(payload: XmlElement | undefined): ExternalService[] {
  if (payload === undefined) return [];
  return children(payload, "service").flatMap((service) => {
    const a = service.attrs;
    if (a["type"] === undefined || a["host"] === undefined) return [];
    const port = a["port"] === undefined ? undefined : Number(a["port"]);
    const expires = a["expires"] === undefined ? undefined : Date.parse(a["expires"]);
    return [
      {
        type: a["type"],
        host: a["host"],
        port:
          port !== undefined && Number.isInteger(port) && port > 0 && port < 65536
            ? port
            : undefined,
        transport: a["transport"],
        username: a["username"],
        password: a["password"],
        restricted: a["restricted"] === "1" || a["restricted"] === "true",
        expires: expires !== undefined && Number.isFinite(expires) ? expires : undefined,
      },
    ];
  });
}

/** ICE options from services (only `stun`, `turn` and `turns`; others are ignored). */
export function toIceServers(services: readonly ExternalService[], now: number): DiscoveredServers {
  const stunServers: StunServerConfig[] = [];
  const turnServers: TurnServerConfig[] = [];
  let refreshAt = now + 3_600_000;
  for (const s of services) {
    if (s.expires !== undefined) refreshAt = Math.min(refreshAt, s.expires - 60_000);
    if (s.type === "stun" && (s.transport ?? "udp") === "udp") {
      stunServers.push({ host: s.host, port: s.port ?? 3478 });
    } else if (
      (s.type === "turn" || s.type === "turns") &&
      s.username !== undefined &&
      s.password !== undefined
    ) {
      // XEP-0215 §3: `turns` is TURN over TLS; for `turn`, the transport attribute says UDP or TCP.
      const transport = s.type === "turns" ? "tls" : s.transport === "tcp" ? "tcp" : "udp";
      turnServers.push({
        host: s.host,
        port: s.port ?? defaultTurnPort(transport),
        transport,
        username: s.username,
        password: s.password,
      });
    }
  }
  return { stunServers, turnServers, refreshAt };
}

/**
 * Asks `domain` for its external services (extdisco:2, then :1), and for the credentials of
 * restricted TURN services that came without them. Replies must come from `domain` (and carry
 * our random IQ id, see {@link iqRequest}).
 */
export async function discoverIceServers(
  xmpp: XmppClient,
  domain: string,
  timeout: number,
): Promise<DiscoveredServers> {
  let services: ExternalService[] = [];
  let ns = NS_EXTDISCO_2;
  for (const candidate of [NS_EXTDISCO_2, NS_EXTDISCO_1]) {
    try {
      const reply = await iqRequest(
        xmpp,
        domain,
        el("services", { xmlns: candidate }),
        timeout,
        "get",
      );
      services = parseServices(children(reply, "services")[0]);
      ns = candidate;
      break;
    } catch {
      // not supported in this version of the protocol: try the next, or give up
    }
  }
  const completed: ExternalService[] = [];
  for (const service of services) {
    if (!service.restricted || (service.username !== undefined && service.password !== undefined)) {
      completed.push(service);
      continue;
    }
    try {
      const query = el("credentials", { xmlns: ns }, [
        el("service", { type: service.type, host: service.host }),
      ]);
      const reply = await iqRequest(xmpp, domain, query, timeout, "get");
      // XEP-0215 §3.2 answers with <credentials/>; ejabberd 23.01 with <services/>.
      const payload = children(reply, "credentials")[0] ?? children(reply, "services")[0];
      const [withCredentials] = parseServices(payload);
      completed.push(
        withCredentials === undefined
          ? service
          : { ...service, ...withCredentials, restricted: false },
      );
    } catch {
      completed.push(service); // unusable without credentials; skipped below
    }
  }
  return toIceServers(completed, Date.now());
}

/**
 * `iceServers: "auto"`: the servers our own XMPP server offers, asked when first needed and
 * again once the earliest credentials are about to expire; added to the configured ones. A
 * server that does not answer leaves the configured servers alone.
 */
export class AutoIceServers {
  private discovered: Promise<DiscoveredServers> | undefined;

  constructor(
    private readonly xmpp: XmppClient,
    private readonly timeout: number,
  ) {}

  /** `base` plus the discovered STUN and TURN servers. */
  async add(base: Omit<IceConnectionOptions, "role">): Promise<Omit<IceConnectionOptions, "role">> {
    const cached =
      this.discovered === undefined ? undefined : await this.discovered.catch(() => undefined);
    if (this.discovered === undefined || cached === undefined || Date.now() >= cached.refreshAt) {
      const domain = bareJid(this.xmpp.jid?.toString() ?? "").replace(/^[^@]*@/, "");
      this.discovered = discoverIceServers(this.xmpp, domain, this.timeout);
    }
    const found = await this.discovered.catch(() => ({
      stunServers: [],
      turnServers: [],
      refreshAt: 0,
    }));
    return {
      ...base,
      stunServers: [...(base.stunServers ?? []), ...found.stunServers],
      turnServers: [...(base.turnServers ?? []), ...found.turnServers],
    };
  }
}
