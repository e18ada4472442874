/**
 * The disco#info features of a peer (XEP-0030 §3.1), asked of its full JID before we offer it
 * data channels, to pick the signalling variant it speaks (docs/plugin.md, "Data channels").
 */
import { children, el } from "../jingle/xml.js";
import { iqRequest, type XmppClient } from "./xmpp.js";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
/** More features than this in one answer are ignored (real clients list under 100). */
export const MAX_PEER_FEATURES = 1000;

/**
 * The peer's features, or undefined when it does not answer within `timeout` ms, answers with
 * an error, or the answer comes from someone else.
 */
export async function peerFeatures(
  xmpp: XmppClient,
  peer: string,
  timeout: number,
): Promise<string[] | undefined> {
  try {
    const reply = await iqRequest(
      xmpp,
      peer,
      el("query", { xmlns: NS_DISCO_INFO }),
      timeout,
      "get",
    );
    const query = children(reply, "query", NS_DISCO_INFO)[0];
    if (query === undefined) return undefined;
    const features: string[] = [];
    for (const feature of children(query, "feature", NS_DISCO_INFO)) {
      const name = feature.attrs["var"];
      if (name !== undefined) features.push(name);
      if (features.length >= MAX_PEER_FEATURES) break;
    }
    return features;
  } catch {
    return undefined;
  }
}
