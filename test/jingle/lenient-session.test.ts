// Lenient session parsing (docs/plugin.md): only a stanza that is unusable as a whole throws
// JingleParseError (bad-request); everything else odd is ignored or defaulted.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NS_JINGLE, NS_JINGLE_ICE_UDP, parseJingle } from "../../src/jingle/index.js";
import { assertBadRequest, jingle, transportInfo, x } from "./support.js";

describe("lenient session parsing", () => {
  it("keeps a sid with + and / as it is", () => {
    assert.equal(parseJingle(transportInfo()).sid, "s1");
    const sid = "Zm9v+YmFy/YmF6==";
    assert.equal(parseJingle(jingle({ sid, action: "session-terminate" })).sid, sid);
  });

  it("defaults a missing or unknown creator to initiator, and keeps responder", () => {
    const creators = parseJingle(
      jingle(
        { action: "content-add" },
        x("content", { name: "a" }),
        x("content", { name: "b", creator: "responder" }),
        x("content", { name: "c", creator: "someone" }),
      ),
    ).contents.map((c) => c.creator);
    assert.deepEqual(creators, ["initiator", "responder", "initiator"]);
  });

  it("drops an unknown senders value and keeps disposition", () => {
    const [content] = parseJingle(
      jingle(
        { action: "content-modify" },
        x("content", { name: "a", senders: "everyone", disposition: "early-session" }),
      ),
    ).contents;
    assert.deepEqual(content, { creator: "initiator", name: "a", disposition: "early-session" });
  });

  it("keeps a transport it does not implement as an element, preferring ICE-UDP when offered", () => {
    const rawUdp = x("transport", { xmlns: "urn:xmpp:jingle:transports:raw-udp:1" });
    const [other, both] = parseJingle(
      jingle(
        { action: "transport-replace" },
        x("content", { name: "a" }, rawUdp),
        x("content", { name: "b" }, rawUdp, x("transport", { xmlns: NS_JINGLE_ICE_UDP })),
      ),
    ).contents;
    assert.deepEqual(other?.transport, { kind: "other", element: rawUdp });
    assert.equal(both?.transport?.kind, "ice-udp");
  });

  it("puts payloads outside the Jingle namespace in info (XEP-0338 groups apart) and ignores unknown Jingle children", () => {
    const group = x("group", { xmlns: "urn:xmpp:jingle:apps:grouping:0", semantics: "BUNDLE" });
    const ringing = x("ringing", { xmlns: "urn:xmpp:jingle:apps:rtp:1:info" });
    const parsed = parseJingle(
      jingle(
        { action: "session-initiate", initiator: "a@b/c", "x-extra": "1" },
        x("content", { name: "a" }),
        x("thread", {}, "t1"),
        group,
        ringing,
      ),
    );
    assert.deepEqual(parsed.info, [ringing]);
    assert.deepEqual(parsed.groups, [{ semantics: "BUNDLE", contents: [] }]);
    assert.equal(parsed.initiator, "a@b/c");
  });

  it("drops a reason without a known condition", () => {
    const parsed = parseJingle(
      jingle({ action: "session-terminate" }, x("reason", {}, x("bored"), x("text", {}, "bye"))),
    );
    assert.equal("reason" in parsed, false);
  });

  it("refuses a jingle without a sid, or with an empty one, with bad-request", () => {
    const noSid = x("jingle", { xmlns: NS_JINGLE, action: "session-terminate" });
    assertBadRequest(noSid, /sid/);
    assertBadRequest(jingle({ action: "session-terminate", sid: "" }), /sid/);
  });

  it("refuses an unknown or missing action with bad-request", () => {
    assertBadRequest(jingle({ action: "session-redirect" }), /unknown jingle action/);
    assertBadRequest(x("jingle", { xmlns: NS_JINGLE, sid: "s1" }), /action/);
  });

  it("refuses a content without a name, and content actions without contents", () => {
    assertBadRequest(jingle({}, x("content", { creator: "initiator" })), /name/);
    assertBadRequest(jingle({}), /transport-info without any content/);
    assertBadRequest(jingle({ action: "session-initiate" }), /session-initiate/);
  });

  it("refuses an element that is not <jingle xmlns='urn:xmpp:jingle:1'/>", () => {
    assertBadRequest(x("jingle", { action: "session-info", sid: "s1" }), /expected <jingle/);
    assertBadRequest(x("query", { xmlns: NS_JINGLE }), /expected <jingle/);
  });
});
