// The example stanzas of XEP-0166 (facts reproduced as data), parsed into the model.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NS_JINGLE, parseJingle, type XmlElement } from "../../src/jingle/index.js";
import { JULIET, ROMEO, SID, iq, jingleOf, x } from "./support.js";

describe("XEP-0166 examples", () => {
  function terminate(...reason: XmlElement[]): XmlElement {
    return jingleOf(
      iq(
        JULIET,
        "bv81gs75",
        ROMEO,
        x("jingle", { xmlns: NS_JINGLE, action: "session-terminate", sid: SID }, ...reason),
      ),
    );
  }

  it("reads a session-terminate with <success/> (§6.7)", () => {
    assert.deepEqual(parseJingle(terminate(x("reason", {}, x("success")))), {
      action: "session-terminate",
      sid: SID,
      contents: [],
      reason: { condition: "success" },
    });
  });

  it("reads a session-terminate with a reason and its text (§6.7)", () => {
    const jingle = parseJingle(
      terminate(x("reason", {}, x("success"), x("text", {}, "Sorry, gotta go!"))),
    );
    assert.deepEqual(jingle.reason, { condition: "success", text: "Sorry, gotta go!" });
  });

  it("reads the alternative session's sid of an alternative-session reason (§6.7)", () => {
    const jingle = parseJingle(
      terminate(x("reason", {}, x("alternative-session", {}, x("sid", {}, "b84tkkwlmb48kgfb")))),
    );
    assert.deepEqual(jingle.reason, { condition: "alternative-session", sid: "b84tkkwlmb48kgfb" });
  });

  it("reads an empty session-info as a ping: no contents, no info (§6.8)", () => {
    const ping = iq(
      JULIET,
      "ug37vb25",
      ROMEO,
      x("jingle", { xmlns: NS_JINGLE, action: "session-info", sid: SID }),
    );
    assert.deepEqual(parseJingle(jingleOf(ping)), {
      action: "session-info",
      sid: SID,
      contents: [],
    });
  });

  it("hands a session-info payload over in info, untouched (§6.8, ringing)", () => {
    const ringing = x("ringing", { xmlns: "urn:xmpp:jingle:apps:rtp:1:info" });
    const jingle = parseJingle(
      x("jingle", { xmlns: NS_JINGLE, action: "session-info", sid: SID }, ringing),
    );
    assert.deepEqual(jingle.info, [ringing]);
    assert.equal(jingle.info?.[0], ringing);
  });
});
