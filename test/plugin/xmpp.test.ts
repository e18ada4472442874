import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { el, type XmlElement } from "../../src/jingle/xml.js";
import { toXmpp } from "../../src/plugin/xmpp.js";

describe("toXmpp", () => {
  it("converts attributes, text and children in order, leaving out undefined attributes", () => {
    const element = toXmpp(
      el("a", { x: "1", y: undefined }, [el("b", {}, ["text"]), "tail", el("c")]),
    ) as { toString(): string };
    assert.equal(element.toString(), `<a x="1"><b>text</b>tail<c/></a>`);
  });

  it("converts an element nested 100 000 deep without overflowing the stack", () => {
    let deep: XmlElement = el("x");
    for (let i = 0; i < 100_000; i++) deep = el("x", {}, [deep]);
    let node = toXmpp(deep) as { children: unknown[] };
    let depth = 1;
    while (node.children.length > 0) {
      node = node.children[0] as { children: unknown[] };
      depth++;
    }
    assert.equal(depth, 100_001);
  });
});
