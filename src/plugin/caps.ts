/**
 * Entity capabilities (XEP-0115): the verification string of our disco#info identity and
 * features, so that real clients (which read `<c/>` in presence before they look further) see
 * that we do Jingle ICE-UDP.
 */
import { createHash } from "node:crypto";
import { el, type XmlElement } from "../jingle/xml.js";

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
