import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  answerSetup,
  answererRole,
  offererRole,
  pickFingerprint,
  securityMismatch,
} from "../../src/jingle/dtls-setup.js";
import type { IceUdpTransport } from "../../src/jingle/model.js";

const value = "AB:".repeat(31) + "AB";
const transport = (fingerprints?: IceUdpTransport["fingerprints"]): IceUdpTransport => ({
  kind: "ice-udp",
  candidates: [],
  gatheringComplete: false,
  skipped: [],
  ...(fingerprints !== undefined && { fingerprints }),
});

describe("DTLS setup in Jingle (XEP-0320)", () => {
  it("answers as the DTLS client unless the offerer insists on being active", () => {
    assert.equal(answerSetup("actpass"), "active");
    assert.equal(answerSetup(undefined), "active");
    assert.equal(answerSetup("passive"), "active");
    assert.equal(answerSetup("active"), "passive");
    assert.equal(answererRole("active"), "client");
    assert.equal(answererRole("passive"), "server");
  });

  it("as offerer, is the server when the peer answered active and the client otherwise", () => {
    assert.equal(offererRole("active"), "server");
    assert.equal(offererRole("passive"), "client");
    assert.equal(offererRole("actpass"), "client");
    assert.equal(offererRole(undefined), "client");
  });

  it("verifies the strongest hash offered and ignores hashes it does not know", () => {
    const picked = pickFingerprint([
      { hash: "sha-1", value: value.slice(0, 59) },
      { hash: "md5", value },
      { hash: "sha-256", value },
    ]);
    assert.equal(picked?.hash, "sha-256");
    assert.equal(pickFingerprint([{ hash: "md5", value }]), undefined);
  });

  it("requires a usable fingerprint with DTLS on and none with DTLS off", () => {
    assert.equal(securityMismatch(true, transport([{ hash: "sha-256", value }])), undefined);
    assert.equal(securityMismatch(false, transport()), undefined);
    assert.equal(securityMismatch(true, transport())?.condition, "security-error");
    assert.equal(
      securityMismatch(true, transport([{ hash: "md5", value }]))?.condition,
      "security-error",
    );
    assert.equal(
      securityMismatch(false, transport([{ hash: "sha-256", value }]))?.condition,
      "security-error",
    );
  });
});
