/**
 * Entity capabilities (XEP-0115): the verification string of our disco#info identity and
 * features, so that real clients (which read `<c/>` in presence before they look further) see
 * that we do Jingle ICE-UDP.
 */
import { createHash } from "node:crypto";
import type { JingleApplication } from "../jingle/application.js";
import { NS_JINGLE, NS_JINGLE_DTLS, NS_JINGLE_ICE_UDP } from "../jingle/model.js";
import { dataChannelFeatures } from "./data-channels.js";
import { el, type XmlElement } from "../jingle/xml.js";
import { toXmpp, type XmppClient } from "./xmpp.js";

export const NS_CAPS = "http://jabber.org/protocol/caps";

/** A disco#info identity (XEP-0030). */
export interface Identity {
  readonly category: string;
  readonly type: string;
  readonly name?: string;
  readonly lang?: string;
}

/**
 * The XEP-0115 §5.1 verification string: identities (`category/type/lang/name<`) and features
 * (`feature<`), each sorted, hashed with SHA-1 and base64-encoded. Extended info (forms) is not
 * used here.
 */
export function capsVer(identities: readonly Identity[], features: readonly string[]): string {
  const ids = identities
    .map((i) => `${i.category}/${i.type}/${i.lang ?? ""}/${i.name ?? ""}`)
    .sort()
    .map((s) => `${s}<`)
    .join("");
  const feats = [...new Set(features)]
    .sort()
    .map((f) => `${f}<`)
    .join("");
  return createHash("sha1")
    .update(ids + feats, "utf8")
    .digest("base64");
}

/** The `<c/>` element to put in presence (XEP-0115 §4). */
export function capsElement(node: string, ver: string): XmlElement {
  return el("c", { xmlns: NS_CAPS, hash: "sha-1", node, ver });
}

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
/** The `node` of our caps (XEP-0115 §4): where the software is described. */
export const CAPS_NODE = "https://www.npmjs.com/package/jingle-ice";
/** Our disco#info identity (XEP-0030): a bot. */
export const IDENTITY: Identity = { category: "client", type: "bot", name: "jingle-ice" };

/**
 * Answers disco#info queries with our identity and exactly `features` (XEP-0030; XEP-0166 §11:
 * clients decide from it whether to call us). A query for `node#ver` gets the same answer with
 * the node echoed (XEP-0115 §6.2).
 */
export function serveDiscoInfo(xmpp: XmppClient, features: readonly string[]): void {
  xmpp.iqCallee.get(NS_DISCO_INFO, "query", (context) =>
    toXmpp(
      el("query", { xmlns: NS_DISCO_INFO, node: context.element.attrs["node"] }, [
        el("identity", { category: IDENTITY.category, type: IDENTITY.type, name: IDENTITY.name }),
        ...features.map((feature) => el("feature", { var: feature })),
      ]),
    ),
  );
}

/** The features disco#info always lists, before those of DTLS and of each application. */
export const BASE_FEATURES: readonly string[] = [
  NS_CAPS,
  NS_DISCO_INFO,
  NS_JINGLE,
  NS_JINGLE_ICE_UDP,
];

/**
 * Everything disco#info lists for a plugin with `applications`: the base features, DTLS
 * (XEP-0320) when on, the data-channel transports when an application needs them, and each
 * application's own (e.g. file-transfer:5 and the hash features only when it is registered).
 */
export function pluginFeatures(
  applications: readonly JingleApplication[],
  dtls: boolean,
): string[] {
  return [
    ...new Set([
      ...BASE_FEATURES,
      ...(dtls ? [NS_JINGLE_DTLS] : []),
      ...dataChannelFeatures(applications, dtls),
      ...applications.flatMap((a) => a.features),
    ]),
  ];
}
