/**
 * A minimal, structural view of an XML element, so the Jingle core can read and write stanzas
 * without importing xmpp.js (docs/architecture.md, docs/plugin.md).
 *
 * `ltx` elements — what `@xmpp/client` hands to an IQ handler — satisfy {@link XmlElement} as
 * they are: a `name`, an `attrs` record where `xmlns` is an ordinary attribute, and `children`
 * holding elements and text strings. Parse functions take this type and never test classes
 * (`instanceof Element` is banned, docs/plugin.md); build functions return plain objects of this
 * type, which the plugin turns into real elements with `xml()` from `@xmpp/xml`.
 *
 * Namespaces follow XML Namespaces 1.0 §6.2 (default namespace scoping): an element without an
 * `xmlns` attribute is in its parent's namespace. Since an element does not point at its parent
 * here, the functions below take the namespace in scope as an argument where it matters.
 * Prefixed names (`foo:bar`) are not resolved: Jingle peers do not use them, and an element that
 * does simply matches nothing, i.e. it is ignored.
 */

/** An XML element as a plain structure (compatible with ltx's `Element`). */
export interface XmlElement {
  /** The element's (local) name, e.g. `jingle`. */
  readonly name: string;
  /** Attributes; `xmlns` is one of them. Absent attributes may be missing or `undefined`. */
  readonly attrs: Readonly<Record<string, string | undefined>>;
  /** Child elements and text, in document order. */
  readonly children: readonly (XmlElement | string)[];
}

/** Attributes for {@link el}: `undefined` values are left out. */
export type XmlAttrs = Readonly<Record<string, string | number | undefined>>;

/**
 * The namespace of `element`: its own `xmlns` attribute, else `inherited` (the namespace in
 * scope at its parent).
 */
export function namespaceOf(element: XmlElement, inherited?: string): string | undefined {
  return element.attrs["xmlns"] ?? inherited;
}

/**
 * The child elements of `parent`, optionally only those called `name` and in namespace `xmlns`.
 * A child without an `xmlns` attribute is in the parent's namespace, which is `parentNs` when
 * given (the parent's own namespace may be inherited too), else the parent's `xmlns` attribute.
 */
export function children(
  parent: XmlElement,
  name?: string,
  xmlns?: string,
  parentNs: string | undefined = parent.attrs["xmlns"],
): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of parent.children) {
    if (typeof node === "string") continue;
    if (name !== undefined && node.name !== name) continue;
    if (xmlns !== undefined && namespaceOf(node, parentNs) !== xmlns) continue;
    out.push(node);
  }
  return out;
}

/** The first child element matching `name` (and `xmlns`, if given); see {@link children}. */
export function child(
  parent: XmlElement,
  name: string,
  xmlns?: string,
  parentNs: string | undefined = parent.attrs["xmlns"],
): XmlElement | undefined {
  return children(parent, name, xmlns, parentNs)[0];
}

/** The element's text: its direct text children joined (like ltx's `getText()`), untrimmed. */
export function text(element: XmlElement): string {
  let out = "";
  for (const node of element.children) if (typeof node === "string") out += node;
  return out;
}

/**
 * Builds a plain {@link XmlElement}. Attributes whose value is `undefined` are left out and
 * numbers are written in decimal, so the result holds strings only.
 */
export function el(
  name: string,
  attrs: XmlAttrs = {},
  content: readonly (XmlElement | string)[] = [],
): XmlElement {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) out[key] = typeof value === "number" ? String(value) : value;
  }
  return { name, attrs: out, children: [...content] };
}

/** How large an element tree is; see {@link measure}. */
export interface ElementSize {
  /** Elements, the root included. */
  readonly elements: number;
  /** Nesting depth (the root alone is 1). */
  readonly depth: number;
  /** Characters of text and attribute values. */
  readonly characters: number;
}

/**
 * Measures `element` iteratively (no nesting can overflow the stack), stopping as soon as one of
 * `limits` is passed; then the result exceeds that limit and the other figures are partial.
 */
export function measure(element: XmlElement, limits: ElementSize): ElementSize {
  let elements = 0;
  let depth = 0;
  let characters = 0;
  const stack: [XmlElement, number][] = [[element, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, level] = top;
    elements++;
    depth = Math.max(depth, level);
    for (const value of Object.values(node.attrs)) characters += value?.length ?? 0;
    for (const c of node.children) {
      if (typeof c === "string") characters += c.length;
      else stack.push([c, level + 1]);
    }
    if (elements > limits.elements || depth > limits.depth || characters > limits.characters) break;
  }
  return { elements, depth, characters };
}
