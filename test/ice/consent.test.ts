import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { Consent } from "../../src/ice/consent.js";

const timing = { consentIntervalMs: 5000, disconnectedTimeoutMs: 8000, consentTimeoutMs: 30000 };

describe("Consent", () => {
  it("schedules nothing before a pair is selected", () => {
    const consent = new Consent(seededRng(1), timing);
    assert.equal(consent.takeDue(1_000_000), false);
  });

  it("spaces checks between 0.8 and 1.2 times the mean interval", () => {
    const consent = new Consent(seededRng(7), timing);
    consent.start(0);
    let now = 0;
    for (let i = 0; i < 200; i++) {
      const next = consent.deadline(false);
      const gap = next - now;
      assert.ok(gap >= 4000 && gap <= 6000, `gap ${gap}`);
      assert.equal(consent.takeDue(next - 1), false);
      assert.equal(consent.takeDue(next), true);
      consent.granted(next);
      now = next;
    }
  });

  it("goes stale after the disconnected timeout and expires after the consent timeout", () => {
    const consent = new Consent(seededRng(3), timing);
    consent.start(100);
    assert.equal(consent.status(8099), "fresh");
    assert.equal(consent.status(8100), "stale");
    assert.equal(consent.status(30099), "stale");
    assert.equal(consent.status(30100), "expired");
    consent.granted(30000);
    assert.equal(consent.status(30100), "fresh");
  });

  it("reports the expiry as the deadline once stale and no check is pending", () => {
    const consent = new Consent(seededRng(3), timing);
    consent.start(0);
    consent.stop();
    assert.equal(consent.deadline(false), 8000);
    assert.equal(consent.deadline(true), 30000);
    assert.equal(consent.takeDue(29_999), false);
  });
});
