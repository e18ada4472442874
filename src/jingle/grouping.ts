/**
 * XEP-0338 (Jingle Grouping Framework): `<group xmlns='urn:xmpp:jingle:apps:grouping:0'
 * semantics='BUNDLE'><content name='…'/></group>` in a `<jingle/>`, as Conversations sends it in
 * session-initiate and session-accept for its data-channel transport. Read leniently and capped.
 */
import { NS_JINGLE_GROUPING, type ContentGroup } from "./model.js";
import { children, el, type XmlElement } from "./xml.js";

/** More `<group/>` elements than this in one `<jingle/>` are ignored. */
export const MAX_GROUPS = 4;
/** More `<content/>` names than this in one group are ignored. */
export const MAX_GROUP_CONTENTS = 16;

/**
 * The `<group/>` children of a `<jingle/>`: at most {@link MAX_GROUPS}, each with at most
 * {@link MAX_GROUP_CONTENTS} names; a group without `semantics`, and `<content/>` without a
 * name, are skipped.
 */
export function parseGroups(jingle: XmlElement): ContentGroup[] {
  const out: ContentGroup[] = [];
  for (const group of children(jingle, "group", NS_JINGLE_GROUPING)) {
    if (out.length >= MAX_GROUPS) break;
    const semantics = group.attrs["semantics"];
    if (semantics === undefined || semantics === "") continue;
    const contents: string[] = [];
    for (const content of children(group, "content", NS_JINGLE_GROUPING)) {
      const name = content.attrs["name"];
      if (name === undefined || name === "") continue;
      if (contents.length >= MAX_GROUP_CONTENTS) break;
      contents.push(name);
    }
    out.push({ semantics, contents });
  }
  return out;
}

/** Whether `element` is a XEP-0338 `<group/>` (kept out of a jingle's `info` payloads). */
export function isGroup(element: XmlElement): boolean {
  return element.name === "group" && element.attrs["xmlns"] === NS_JINGLE_GROUPING;
}

/** A `<group/>` (XEP-0338 §3). */
export function buildGroup(group: ContentGroup): XmlElement {
  return el(
    "group",
    { xmlns: NS_JINGLE_GROUPING, semantics: group.semantics },
    group.contents.map((name) => el("content", { name })),
  );
}

/** The BUNDLE group of one content (RFC 8843 semantics), as Conversations sends it. */
export function bundleOf(contentName: string): ContentGroup {
  return { semantics: "BUNDLE", contents: [contentName] };
}
