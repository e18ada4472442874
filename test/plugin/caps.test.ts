import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { capsVer } from "../../src/plugin/caps.js";
import { jingleIceUdp } from "../../src/plugin/index.js";
import { FakeNetwork } from "./fake-xmpp.js";

describe("entity capabilities (XEP-0115)", () => {
  it("computes the verification string of XEP-0115 §5.2's simple example", () => {
    // XEP-0115 §5.2: Exodus 0.9.1 with caps, disco#info, disco#items and muc.
    const ver = capsVer(
      [{ category: "client", type: "pc", name: "Exodus 0.9.1" }],
      [
        "http://jabber.org/protocol/caps",
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items",
        "http://jabber.org/protocol/muc",
      ],
    );
    assert.equal(ver, "QgayPKawpkPSDYmwT/WM94uAlu0=");
  });

  it("advertises a ver that matches what disco#info answers, node echoed", async () => {
    const network = new FakeNetwork();
    const jingle = jingleIceUdp(network.client("bot@jingle.test/x"), {
      ice: { addresses: ["127.0.0.1"] },
    });
    const c = jingle.caps() as { attrs: Record<string, string> };
    const asker = network.client("carol@jingle.test/y");
    const reply = (await asker.iqCaller.request(
      xml(
        "iq",
        { type: "get", to: "bot@jingle.test/x" },
        xml("query", {
          xmlns: "http://jabber.org/protocol/disco#info",
          node: `${c.attrs["node"]}#${c.attrs["ver"]}`,
        }),
      ),
    )) as {
      getChildElements(): {
        attrs: Record<string, string>;
        getChildElements(): { name: string; attrs: Record<string, string> }[];
      }[];
    };
    const [query] = reply.getChildElements();
    assert.equal(query?.attrs["node"], `${c.attrs["node"]}#${c.attrs["ver"]}`);
    const items = query!.getChildElements();
    const identity = items.find((i) => i.name === "identity")!;
    const features = items.filter((i) => i.name === "feature").map((f) => f.attrs["var"]!);
    assert.equal(
      capsVer(
        [
          {
            category: identity.attrs["category"]!,
            type: identity.attrs["type"]!,
            name: identity.attrs["name"]!,
          },
        ],
        features,
      ),
      c.attrs["ver"],
    );
    assert.ok(features.includes("urn:xmpp:jingle:transports:ice-udp:1"));
  });
});
