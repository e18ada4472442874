// Seeded mutation of real Jingle stanzas for the Jingle fuzzer (test/fuzz/jingle.fuzz.ts) and
// its CI slice: seeds are what real peers send (session-initiate/accept with ICE-UDP candidates,
// XEP-0320 fingerprints and descriptions, transport-info with remote-candidate and
// end-of-candidates, session-terminate with reasons, session-info, content and transport
// changes); mutations delete, duplicate, garble and blow up attributes, duplicate, remove, move
// and nest elements, swap namespaces and names, set numbers out of range and insert unicode.
import { parse as parseXmlText } from "ltx";
import {
  JINGLE_ACTIONS,
  NS_JINGLE,
  NS_JINGLE_DTLS,
  NS_JINGLE_ICE_UDP,
} from "../../src/jingle/model.js";
import type { XmlElement } from "../../src/jingle/xml.js";
import { NS_DATAGRAM } from "../../src/jingle/application.js";
import { toXmpp } from "../../src/plugin/xmpp.js";

const NS_RTP = "urn:xmpp:jingle:apps:rtp:1";
const NS_INFO = "urn:xmpp:jingle:apps:rtp:info:1";

/** A mutable element tree, the shape both parse and `toXmpp` accept. */
export interface Tree {
  name: string;
  attrs: Record<string, string>;
  children: (Tree | string)[];
}

/** A small seeded generator (mulberry32): the same seed, the same stanzas. */
export class FuzzRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A deep, mutable copy (iterative: mutated trees can be very deep). */
export function clone(element: XmlElement): Tree {
  const root: Tree = { name: element.name, attrs: copyAttrs(element.attrs), children: [] };
  const stack: [XmlElement, Tree][] = [[element, root]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [source, target] = top;
    for (const c of source.children) {
      if (typeof c === "string") target.children.push(c);
      else {
        const copy: Tree = { name: c.name, attrs: copyAttrs(c.attrs), children: [] };
        target.children.push(copy);
        stack.push([c, copy]);
      }
    }
  }
  return root;
}

function copyAttrs(attrs: XmlElement["attrs"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

/** Mutations stop once a stanza has this many elements (duplication could grow it without end). */
const MAX_ELEMENTS = 25_000;

/** How many elements `tree` has, counting up to MAX_ELEMENTS. */
function size(tree: Tree): number {
  let n = 0;
  const stack: Tree[] = [tree];
  for (let top = stack.pop(); top !== undefined && n < MAX_ELEMENTS; top = stack.pop()) {
    n++;
    for (const c of top.children) if (typeof c !== "string") stack.push(c);
  }
  return n;
}

/** Every element of `tree` with its parent (the root's parent is undefined); iterative. */
function elements(tree: Tree): [Tree, Tree | undefined][] {
  const out: [Tree, Tree | undefined][] = [];
  const stack: [Tree, Tree | undefined][] = [[tree, undefined]];
  for (let top = stack.pop(); top !== undefined && out.length < 5000; top = stack.pop()) {
    out.push(top);
    for (const c of top[0].children) if (typeof c !== "string") stack.push([c, top[0]]);
  }
  return out;
}

const NUMBERS = [
  "0",
  "-1",
  "1",
  "+1",
  "01",
  " 1",
  "1 ",
  "1.5",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "256",
  "257",
  "65535",
  "65536",
  "4294967295",
  "4294967296",
  "99999999999",
  "9".repeat(400),
  "-0",
  "",
];
const UNICODE = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\uffff",
  "\ufeff",
  "\u202e",
  "\u0301",
  "😀",
  "é",
  "İ",
  "\n",
  "\t",
  "<",
  "&amp;",
  "]]>",
  "'\"",
];
const NAMESPACES = [
  NS_JINGLE,
  NS_JINGLE_ICE_UDP,
  NS_JINGLE_DTLS,
  NS_DATAGRAM,
  NS_RTP,
  NS_INFO,
  "urn:xmpp:jingle:transports:raw-udp:1",
  "urn:xmpp:jingle:errors:1",
  "",
  "jabber:client",
];
const NAMES = [
  "jingle",
  "content",
  "description",
  "transport",
  "candidate",
  "remote-candidate",
  "fingerprint",
  "gathering-complete",
  "reason",
  "text",
  "sid",
  "success",
  "busy",
  "alternative-session",
  "x",
];
const ATTRS = [
  "action",
  "sid",
  "initiator",
  "responder",
  "name",
  "creator",
  "senders",
  "disposition",
  "xmlns",
  "ufrag",
  "pwd",
  "component",
  "foundation",
  "generation",
  "id",
  "ip",
  "network",
  "port",
  "priority",
  "protocol",
  "type",
  "rel-addr",
  "rel-port",
  "hash",
  "setup",
];

/** A hostile value: a number out of range, unicode, markup, or a huge string. */
function garbage(rng: FuzzRng): string {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(NUMBERS);
    case 1:
      return rng.pick(UNICODE).repeat(1 + rng.int(4));
    case 2:
      return rng.pick(["x", "9", "A:", " ", "é"]).repeat(1 << rng.int(rng.chance(0.05) ? 21 : 12));
    case 3:
      return rng.pick([
        ...JINGLE_ACTIONS,
        "host",
        "srflx",
        "relay",
        "tcp",
        "UDP",
        "HOST",
        "actpass",
      ]);
    default:
      return String.fromCharCode(...Array.from({ length: rng.int(12) }, () => rng.int(0x10000)));
  }
}

/** Applies one random mutation to `tree` in place (the root may be replaced: returns it). */
function mutateOnce(tree: Tree, rng: FuzzRng, sids: readonly string[]): Tree {
  const all = elements(tree);
  const [node, parent] = rng.pick(all);
  const keys = Object.keys(node.attrs);
  switch (rng.int(14)) {
    case 0: // attribute deletion
      if (keys.length > 0) delete node.attrs[rng.pick(keys)];
      return tree;
    case 1: // garbage or huge value
      node.attrs[keys.length > 0 && rng.chance(0.7) ? rng.pick(keys) : rng.pick(ATTRS)] =
        garbage(rng);
      return tree;
    case 2: // number out of range
      node.attrs[rng.pick(["component", "port", "priority", "generation", "network", "rel-port"])] =
        rng.pick(NUMBERS);
      return tree;
    case 3: // a value copied to another attribute (XML has no duplicate attributes)
      if (keys.length > 0) node.attrs[rng.pick(ATTRS)] = node.attrs[rng.pick(keys)]!;
      return tree;
    case 4: // element duplication, sometimes many times
      if (parent !== undefined) {
        const room = Math.floor((MAX_ELEMENTS - size(tree)) / size(node));
        const copies = Math.min(room, rng.chance(0.1) ? 1 + rng.int(600) : 1);
        for (let i = 0; i < copies; i++) parent.children.push(clone(node));
      }
      return tree;
    case 5: // element removal
      if (parent !== undefined) parent.children.splice(parent.children.indexOf(node), 1);
      return tree;
    case 6: {
      // nesting depth
      const depth = rng.chance(0.05) ? 1 + rng.int(20_000) : 1 + rng.int(40);
      let inner: Tree = { name: rng.pick(NAMES), attrs: {}, children: [] };
      const innermost = inner;
      for (let i = 1; i < depth; i++)
        inner = { name: rng.pick(NAMES), attrs: {}, children: [inner] };
      innermost.children.push(
        rng.chance(0.5) && size(node) + depth < MAX_ELEMENTS - size(tree)
          ? clone(node)
          : garbage(rng),
      );
      node.children.push(inner);
      return tree;
    }
    case 7: // namespace swap (or removal)
      if (rng.chance(0.2)) delete node.attrs["xmlns"];
      else node.attrs["xmlns"] = rng.pick(NAMESPACES);
      return tree;
    case 8: // element renamed
      node.name = rng.chance(0.9) ? rng.pick(NAMES) : garbage(rng);
      return tree;
    case 9: // unicode in a value or text
      if (keys.length > 0 && rng.chance(0.6)) {
        const key = rng.pick(keys);
        const value = node.attrs[key]!;
        const at = rng.int(value.length + 1);
        node.attrs[key] = value.slice(0, at) + rng.pick(UNICODE) + value.slice(at);
      } else node.children.push(rng.pick(UNICODE));
      return tree;
    case 10: // an element moved under another
      if (parent !== undefined) {
        parent.children.splice(parent.children.indexOf(node), 1);
        const [target] = rng.pick(elements(tree));
        target.children.push(node);
      }
      return tree;
    case 11: // another action or a sid from the pool (reaches other branches of dispatch)
      if (rng.chance(0.5)) tree.attrs["action"] = rng.pick(JINGLE_ACTIONS);
      else tree.attrs["sid"] = rng.pick(sids);
      return tree;
    case 12: // the text of an element replaced
      node.children = node.children.filter((c) => typeof c !== "string");
      node.children.push(garbage(rng));
      return tree;
    default: // an attribute from nowhere
      node.attrs[rng.chance(0.5) ? rng.pick(ATTRS) : garbage(rng).slice(0, 40) || "a"] =
        garbage(rng);
      return tree;
  }
}

/**
 * A mutated stanza: a seed (`seeds`, with its sid from `sids`) and 1–6 mutations. The seeds are
 * never changed.
 */
export function mutatedStanza(rng: FuzzRng, seeds: readonly Tree[], sids: readonly string[]): Tree {
  let tree = clone(rng.pick(seeds));
  tree.attrs["sid"] = rng.pick(sids);
  const count = 1 + rng.int(6);
  for (let i = 0; i < count && size(tree) < MAX_ELEMENTS; i++) tree = mutateOnce(tree, rng, sids);
  return tree;
}

/**
 * A stanza mutated as text: serialized, then characters deleted, inserted (markup, entities,
 * a duplicate attribute) or replaced, and read back as xmpp.js would (ltx). Undefined when the
 * text is no longer well-formed XML (the XMPP stream would refuse it before any handler).
 */
export function textMutatedStanza(rng: FuzzRng, seeds: readonly Tree[]): Tree | undefined {
  let source = String(toXmpp(rng.pick(seeds)));
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const at = rng.int(source.length + 1);
    const insert = rng.pick([
      "",
      " sid='dup'",
      " port='1' port='2'",
      "&#0;",
      "&#x1F600;",
      "&lt;",
      "&bogus;",
      "<x/>",
      "<![CDATA[x]]>",
      "<!-- c -->",
      "<?pi x?>",
      rng.pick(UNICODE),
      garbage(rng).slice(0, 64),
    ]);
    source = source.slice(0, at) + insert + source.slice(at + rng.int(3));
  }
  try {
    const parsed = parseXmlText(source) as XmlElement | null;
    return parsed === null ? undefined : clone(parsed);
  } catch {
    return undefined;
  }
}
