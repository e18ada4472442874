import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dispatch, type SessionView } from "../../src/jingle/dispatch.js";
import type { Jingle, JingleAction } from "../../src/jingle/model.js";
import { el } from "../../src/jingle/xml.js";

const BOB = "bob@example.org/bot";
const jingle = (action: JingleAction, sid: string, extra: Partial<Jingle> = {}): Jingle => ({
  action,
  sid,
  contents: [],
  ...extra,
});
const session = (
  sid: string,
  initiator: boolean,
  state: SessionView["state"] = "pending",
  peer = BOB,
): SessionView => ({ peer, sid, initiator, state });

describe("dispatching incoming Jingle actions (XEP-0166 §6–7)", () => {
  it("starts a new session for a session-initiate and refuses a duplicate with out-of-order", () => {
    assert.deepEqual(dispatch([], BOB, jingle("session-initiate", "s1")), {
      kind: "new-session",
      abandon: undefined,
    });
    assert.deepEqual(dispatch([session("s1", false)], BOB, jingle("session-initiate", "s1")), {
      kind: "error",
      error: { type: "cancel", condition: "unexpected-request", jingleCondition: "out-of-order" },
    });
  });

  it("resolves glare by sid: ours wins when lower (tie-break error), theirs wins when lower (ours abandoned)", () => {
    const ours = session("m", true);
    assert.equal(dispatch([ours], BOB, jingle("session-initiate", "z")).kind, "error");
    assert.deepEqual(dispatch([ours], BOB, jingle("session-initiate", "a")), {
      kind: "new-session",
      abandon: ours,
    });
  });

  it("answers a sid known only from another JID with item-not-found and unknown-session", () => {
    const other = session("s1", true, "active", "carol@example.org/x");
    const decision = dispatch([other], BOB, jingle("transport-info", "s1"));
    assert.deepEqual(decision, {
      kind: "error",
      error: { type: "cancel", condition: "item-not-found", jingleCondition: "unknown-session" },
    });
  });

  it("takes one session-accept, for a session we initiated, while it is pending", () => {
    const ours = session("s1", true);
    assert.deepEqual(dispatch([ours], BOB, jingle("session-accept", "s1")), {
      kind: "handle",
      session: ours,
    });
    assert.equal(
      dispatch([session("s1", true, "active")], BOB, jingle("session-accept", "s1")).kind,
      "error",
    );
    assert.equal(
      dispatch([session("s1", false)], BOB, jingle("session-accept", "s1")).kind,
      "error",
    );
  });

  it("acks an empty session-info (a ping) and refuses payloads and description/security-info", () => {
    const s = session("s1", false, "active");
    assert.deepEqual(dispatch([s], BOB, jingle("session-info", "s1")), { kind: "ack" });
    const ringing = dispatch(
      [s],
      BOB,
      jingle("session-info", "s1", {
        info: [el("ringing", { xmlns: "urn:xmpp:jingle:apps:rtp:info:1" })],
      }),
    );
    assert.deepEqual(ringing, {
      kind: "error",
      error: {
        type: "cancel",
        condition: "feature-not-implemented",
        jingleCondition: "unsupported-info",
      },
    });
    assert.equal(dispatch([s], BOB, jingle("security-info", "s1")).kind, "error");
  });

  it("refuses content-add politely, hands transport-replace/accept/reject to the session, and acks the other content changes", () => {
    const s = session("s1", false, "active");
    assert.deepEqual(dispatch([s], BOB, jingle("content-add", "s1")), {
      kind: "refuse",
      session: s,
    });
    for (const action of ["transport-replace", "transport-accept", "transport-reject"] as const) {
      assert.deepEqual(dispatch([s], BOB, jingle(action, "s1")), { kind: "handle", session: s });
    }
    assert.deepEqual(dispatch([s], BOB, jingle("content-remove", "s1")), { kind: "ack" });
  });
});
