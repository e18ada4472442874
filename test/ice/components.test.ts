import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { Components } from "../../src/ice/components.js";
import { CandidatePair } from "../../src/ice/pair.js";
import { HOST, PEER, PEER2, remoteHost } from "./fixtures.js";

const credentials = (ufrag: string) => ({
  checkUsername: `peer:${ufrag}`,
  remoteKey: new Uint8Array(16),
  ufrag,
  localKey: new Uint8Array(16),
});
const timing = { consentIntervalMs: 5000, disconnectedTimeoutMs: 10_000, consentTimeoutMs: 30_000 };
const pairTo = (remote = PEER, component = 1) =>
  new CandidatePair(
    { candidate: remoteHost(HOST, component), base: HOST },
    remoteHost(remote, component),
    "controlling",
  );

describe("Components", () => {
  it("keeps one record per component, in order, and none outside 1..n", () => {
    const components = new Components(2, seededRng(1), timing);
    assert.deepEqual(
      [...components].map((r) => r.component),
      [1, 2],
    );
    assert.equal(components.count, 2);
    assert.equal(components.get(0), undefined);
    assert.equal(components.get(3), undefined);
    assert.equal(components.of(pairTo(PEER, 2)), components.get(2));
  });

  it("on an ICE restart keeps the selected pair (or the one kept before) as previous, with its generation's credentials and its consent, and starts nomination over", () => {
    const components = new Components(2, seededRng(1), timing);
    const [one, two] = [components.get(1)!, components.get(2)!];
    const selected = pairTo(PEER);
    const kept = pairTo(PEER2, 2);
    one.selected = selected;
    one.consent.start(0);
    one.firstValidAt = 5;
    one.nominating = selected;
    two.previous = kept;
    two.previousCredentials = credentials("gen1");
    two.consent.start(0);
    assert.deepEqual(components.selectedPairs(), [selected]);
    components.restart(1000, credentials("gen2"));
    assert.equal(one.previous, selected);
    assert.equal(one.previousCredentials?.ufrag, "gen2");
    assert.equal(two.previous, kept);
    assert.equal(two.previousCredentials?.ufrag, "gen1", "the credentials of its own generation");
    assert.deepEqual(components.selectedPairs(), []);
    assert.deepEqual(
      [one.firstValidAt, one.nominating, one.failingSince],
      [undefined, undefined, undefined],
    );
    assert.equal(one.consent.takeDue(1_000_000), true, "consent goes on on the old pair");
  });

  it("on an ICE restart keeps no pair whose consent expired, and no consent without a pair", () => {
    const components = new Components(2, seededRng(1), timing);
    const [one, two] = [components.get(1)!, components.get(2)!];
    one.selected = pairTo(PEER);
    one.consent.start(0);
    two.consent.start(0);
    components.restart(30_000, credentials("gen1"));
    assert.equal(one.previous, undefined, "consent expired at 30 s");
    assert.equal(one.previousCredentials, undefined);
    assert.equal(one.consent.takeDue(1_000_000), false);
    assert.equal(two.consent.takeDue(1_000_000), false);
  });
});
