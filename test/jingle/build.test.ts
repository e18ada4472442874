// Building: the exact elements docs/plugin.md describes, the error payloads of XEP-0166 §10, and the
// structural XML helpers (namespace inheritance, text).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  JingleBuildError,
  NS_JINGLE,
  NS_JINGLE_ERRORS,
  NS_JINGLE_ICE_UDP,
  NS_XMPP_STANZAS,
  buildCandidate,
  buildJingle,
  buildJingleError,
  buildReason,
  buildStanzaError,
  child,
  children,
  el,
  text,
  type JingleCandidate,
} from "../../src/jingle/index.js";
import { x } from "./support.js";

const srflx: JingleCandidate = {
  component: 1,
  foundation: "2",
  ip: "192.0.2.3",
  port: 45664,
  priority: 1694498815,
  protocol: "udp",
  type: "srflx",
  relAddr: "10.0.1.1",
  relPort: 8998,
};

describe("buildJingle", () => {
  it("builds a session-initiate exactly: credentials on the transport, every candidate attribute", () => {
    const description = x("description", { xmlns: "urn:example:app" });
    const built = buildJingle({
      action: "session-initiate",
      sid: "a+b/c",
      initiator: "romeo@montague.lit/orchard",
      contents: [
        {
          creator: "initiator",
          name: "data",
          senders: "both",
          description,
          transport: {
            kind: "ice-udp",
            ufrag: "8hhy",
            pwd: "asd88fgpdd777uzjYhagZg",
            candidates: [{ ...srflx, id: "y3s2b30v3r", generation: 0, network: 1 }],
            gatheringComplete: false,
            skipped: [],
          },
        },
      ],
    });
    assert.deepEqual(
      built,
      x(
        "jingle",
        {
          xmlns: NS_JINGLE,
          action: "session-initiate",
          initiator: "romeo@montague.lit/orchard",
          sid: "a+b/c",
        },
        x(
          "content",
          { creator: "initiator", name: "data", senders: "both" },
          description,
          x(
            "transport",
            { xmlns: NS_JINGLE_ICE_UDP, pwd: "asd88fgpdd777uzjYhagZg", ufrag: "8hhy" },
            x("candidate", {
              component: "1",
              foundation: "2",
              generation: "0",
              id: "y3s2b30v3r",
              ip: "192.0.2.3",
              network: "1",
              port: "45664",
              priority: "1694498815",
              protocol: "udp",
              type: "srflx",
              "rel-addr": "10.0.1.1",
              "rel-port": "8998",
            }),
          ),
        ),
      ),
    );
  });

  it("writes generation 0, network 0 and a stable id when the model has none", () => {
    const built = buildCandidate({
      component: 1,
      foundation: "1",
      ip: "192.0.2.1",
      port: 3478,
      priority: 2130706431,
      protocol: "udp",
      type: "host",
    });
    assert.deepEqual(built.attrs, {
      component: "1",
      foundation: "1",
      generation: "0",
      id: "1-1-192.0.2.1-3478",
      ip: "192.0.2.1",
      network: "0",
      port: "3478",
      priority: "2130706431",
      protocol: "udp",
      type: "host",
    });
  });

  it("writes no rel-addr for a host candidate, and a hidden one for a non-host one without it", () => {
    const hostWithRel = buildCandidate({ ...srflx, type: "host" });
    assert.equal("rel-addr" in hostWithRel.attrs || "rel-port" in hostWithRel.attrs, false);
    const { relAddr: _a, relPort: _p, ...bare } = srflx;
    assert.equal(buildCandidate(bare).attrs["rel-addr"], "0.0.0.0");
    assert.equal(buildCandidate(bare).attrs["rel-port"], "0");
    assert.equal(buildCandidate({ ...bare, ip: "2001:db8::1" }).attrs["rel-addr"], "::");
  });

  it("writes the end-of-candidates indication and the remote candidate in the transport", () => {
    const built = buildJingle({
      action: "transport-info",
      sid: "s",
      contents: [
        {
          creator: "responder",
          name: "data",
          transport: {
            kind: "ice-udp",
            candidates: [],
            remoteCandidate: { component: 1, ip: "10.0.1.2", port: 9001 },
            gatheringComplete: true,
            skipped: [{ candidate: { protocol: "tcp" }, reason: "unsupported-protocol" }],
          },
        },
      ],
    });
    const transport = built.children[0];
    assert.ok(transport && typeof transport !== "string");
    assert.deepEqual(
      transport.children[0],
      x(
        "transport",
        { xmlns: NS_JINGLE_ICE_UDP },
        x("remote-candidate", { component: "1", ip: "10.0.1.2", port: "9001" }),
        x("gathering-complete"),
      ),
    );
  });

  it("refuses a transport with candidates but without ufrag or pwd", () => {
    const build = (creds: { ufrag?: string; pwd?: string }) =>
      buildJingle({
        action: "transport-info",
        sid: "s",
        contents: [
          {
            creator: "initiator",
            name: "data",
            transport: {
              kind: "ice-udp",
              ...creds,
              candidates: [srflx],
              gatheringComplete: false,
              skipped: [],
            },
          },
        ],
      });
    assert.throws(() => build({ ufrag: "u" }), JingleBuildError);
    assert.throws(() => build({ pwd: "p" }), JingleBuildError);
    assert.throws(() => build({ ufrag: "", pwd: "p" }), JingleBuildError);
    assert.doesNotThrow(() => build({ ufrag: "u", pwd: "p" }));
  });

  it("refuses a candidate that the peer would skip, and an empty sid", () => {
    for (const bad of [
      { priority: 0 },
      { priority: 2 ** 32 },
      { port: 0 },
      { component: 1.5 },
      { foundation: "" },
      { generation: -1 },
      { network: 0.5 },
      { relPort: 70000 },
    ]) {
      assert.throws(
        () => buildCandidate({ ...srflx, ...bad }),
        JingleBuildError,
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => buildJingle({ action: "session-terminate", sid: "", contents: [] }),
      JingleBuildError,
    );
  });

  it("builds a reason with its condition, the alternative sid, and text", () => {
    assert.deepEqual(
      buildReason({ condition: "success", text: "Sorry, gotta go!" }),
      x("reason", {}, x("success"), x("text", {}, "Sorry, gotta go!")),
    );
    assert.deepEqual(
      buildReason({ condition: "alternative-session", sid: "b84tkkwlmb48kgfb" }),
      x("reason", {}, x("alternative-session", {}, x("sid", {}, "b84tkkwlmb48kgfb"))),
    );
    assert.deepEqual(
      buildReason({ condition: "busy", sid: "ignored" }),
      x("reason", {}, x("busy")),
    );
  });
});

describe("Jingle error payloads", () => {
  it("builds the Jingle conditions in urn:xmpp:jingle:errors:1", () => {
    for (const condition of [
      "unknown-session",
      "out-of-order",
      "tie-break",
      "unsupported-info",
    ] as const) {
      assert.deepEqual(buildJingleError(condition), x(condition, { xmlns: NS_JINGLE_ERRORS }));
    }
  });

  it("builds a whole stanza error with both conditions (XEP-0166 §6.7 unknown-session)", () => {
    assert.deepEqual(
      buildStanzaError("cancel", "item-not-found", "unknown-session"),
      x(
        "error",
        { type: "cancel" },
        x("item-not-found", { xmlns: NS_XMPP_STANZAS }),
        x("unknown-session", { xmlns: NS_JINGLE_ERRORS }),
      ),
    );
    assert.deepEqual(
      buildStanzaError("modify", "bad-request"),
      x("error", { type: "modify" }, x("bad-request", { xmlns: NS_XMPP_STANZAS })),
    );
  });
});

describe("structural XML helpers", () => {
  const tree = x(
    "jingle",
    { xmlns: NS_JINGLE },
    x("content", { name: "a" }, x("transport", { xmlns: NS_JINGLE_ICE_UDP }, x("candidate"))),
    x("content", { xmlns: "urn:example:other", name: "b" }),
    "text",
  );

  it("gives a child without xmlns its parent's namespace", () => {
    assert.deepEqual(
      children(tree, "content", NS_JINGLE).map((c) => c.attrs["name"]),
      ["a"],
    );
    const content = child(tree, "content", NS_JINGLE);
    assert.ok(content);
    assert.ok(child(content, "transport", NS_JINGLE_ICE_UDP, NS_JINGLE));
    assert.equal(child(content, "transport", NS_JINGLE), undefined);
    const transport = child(content, "transport");
    assert.ok(transport);
    assert.ok(child(transport, "candidate", NS_JINGLE_ICE_UDP));
  });

  it("uses the namespace in scope when the parent inherits its own", () => {
    const content = x("content", { name: "a" }, x("reason"));
    assert.equal(child(content, "reason", NS_JINGLE), undefined);
    assert.ok(child(content, "reason", NS_JINGLE, NS_JINGLE));
  });

  it("joins direct text children, untrimmed, and skips elements", () => {
    assert.equal(
      text(x("text", {}, " Sorry, ", x("b", {}, "no"), "gotta go! ")),
      " Sorry, gotta go! ",
    );
    assert.equal(text(tree), "text");
  });

  it("builds plain elements without undefined attributes and with decimal numbers", () => {
    assert.deepEqual(
      el("candidate", { port: 5, id: undefined, ip: "::1" }),
      x("candidate", { port: "5", ip: "::1" }),
    );
  });
});
