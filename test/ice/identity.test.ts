import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { Outbox } from "../../src/common/sans-io.js";
import { CheckList } from "../../src/ice/checklist.js";
import { createPassword, createTieBreaker, createUfrag } from "../../src/ice/credentials.js";
import { Identity } from "../../src/ice/identity.js";
import type { AgentEvent } from "../../src/ice/types.js";
import { HOST, PEER, remoteHost } from "./fixtures.js";

function identity(options: { ufrag?: string; pwd?: string } = {}) {
  const checklist = new CheckList(10);
  const events = new Outbox<AgentEvent>();
  return {
    identity: new Identity({ role: "controlling", ...options }, seededRng(5), checklist, events),
    checklist,
    events,
  };
}

describe("Identity", () => {
  it("draws the tie-breaker, then the ufrag, then the password from the rng", () => {
    const rng = seededRng(5);
    const expected = {
      tieBreaker: createTieBreaker(rng),
      ufrag: createUfrag(rng),
      pwd: createPassword(rng),
    };
    const { identity: id } = identity();
    assert.equal(id.tieBreaker, expected.tieBreaker);
    assert.deepEqual(id.localCredentials, { ufrag: expected.ufrag, pwd: expected.pwd });
  });

  it("sees a peer restart only when credentials change after the first ones", () => {
    const { identity: id } = identity({ ufrag: "ours", pwd: "ours-password-0123456789" });
    assert.equal(id.peerRestarted("theirs", "p1-0123456789012345678"), false, "first credentials");
    id.setRemote("theirs", "p1-0123456789012345678");
    assert.equal(id.checkUsername, "theirs:ours");
    assert.notEqual(id.remoteKey, undefined);
    assert.equal(id.peerRestarted("theirs", "p1-0123456789012345678"), false, "the same again");
    assert.equal(id.peerRestarted("theirs", "p2-0123456789012345678"), true, "a new password");
    assert.equal(id.peerRestarted("other", "p1-0123456789012345678"), true, "a new ufrag");
    id.clearRemote();
    assert.equal(id.remoteKey, undefined);
    assert.equal(id.peerRestarted("other", "p3-0123456789012345678"), false);
  });

  it("re-prioritises every pair for a new role and tells the application", () => {
    const { identity: id, checklist, events } = identity();
    const local = { candidate: remoteHost(HOST, 1, 100), base: HOST };
    const added = checklist.add(local, remoteHost(PEER, 1, 200), "controlling");
    assert.equal(added.kind, "added");
    const before = checklist.pairs[0]!.priority;
    id.switchRole("controlled");
    assert.equal(id.role, "controlled");
    assert.notEqual(checklist.pairs[0]!.priority, before);
    assert.deepEqual(events.shift(), { type: "role", role: "controlled" });
  });

  it("renews the local credentials without telling anyone (the agent signals them after its reset)", () => {
    const { identity: id, events } = identity();
    const before = id.localCredentials;
    const key = id.localKey;
    id.renewLocal();
    assert.notDeepEqual(id.localCredentials, before);
    assert.notDeepEqual(id.localKey, key);
    assert.equal(events.size, 0);
  });
});
