import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  StunMethod,
  shortTermKey,
  type StunAttribute,
} from "../../src/stun/index.js";
import { answerCheck, type CheckContext } from "../../src/ice/requests.js";

const key = shortTermKey("local-password-12345678", "none");
const source = { family: "IPv4" as const, address: "192.0.2.9", port: 4000 };
const context = (role: CheckContext["role"], tieBreaker = 10n): CheckContext => ({
  ufrag: "LOCL",
  localKey: key,
  role,
  tieBreaker,
});

function request(attributes: StunAttribute[], signWith: Uint8Array | undefined = key) {
  const bytes = encodeStunMessage(
    {
      class: "request",
      method: StunMethod.Binding,
      transactionId: new Uint8Array(12).fill(7),
      attributes,
    },
    signWith === undefined
      ? { fingerprint: true }
      : { messageIntegrity: signWith, fingerprint: true },
  );
  return decodeStunMessage(bytes);
}

const errorCode = (reply: Uint8Array) => getAttribute(decodeStunMessage(reply), "ERROR-CODE")?.code;
const base = [attr("USERNAME", "LOCL:REMT"), attr("PRIORITY", 1000)];

describe("answering connectivity checks (RFC 8445 §7.3)", () => {
  it("accepts a signed check and answers with our address as seen (XOR-MAPPED-ADDRESS)", () => {
    const decision = answerCheck(
      request([...base, attr("ICE-CONTROLLING", 5n)]),
      source,
      context("controlled"),
    );
    assert.equal(decision.kind, "accepted");
    assert.deepEqual(getAttribute(decodeStunMessage(decision.reply), "XOR-MAPPED-ADDRESS"), source);
    assert.ok(
      decision.kind === "accepted" &&
        decision.priority === 1000 &&
        decision.switchRole === undefined,
    );
  });

  it("honours USE-CANDIDATE only when we are controlled", () => {
    const nominated = [
      ...base,
      attr("ICE-CONTROLLING", 5n),
      attr("USE-CANDIDATE", true),
    ] as StunAttribute[];
    const asControlled = answerCheck(request(nominated), source, context("controlled"));
    assert.ok(asControlled.kind === "accepted" && asControlled.useCandidate);
  });

  it("refuses a missing PRIORITY with 400, a wrong ufrag or password with 401, an unknown required attribute with 420", () => {
    assert.equal(
      errorCode(
        answerCheck(request([attr("USERNAME", "LOCL:REMT")]), source, context("controlled")).reply,
      ),
      400,
    );
    assert.equal(
      errorCode(
        answerCheck(
          request([attr("USERNAME", "OTHR:REMT"), attr("PRIORITY", 1)]),
          source,
          context("controlled"),
        ).reply,
      ),
      401,
    );
    assert.equal(
      errorCode(
        answerCheck(request(base, shortTermKey("wrong")), source, context("controlled")).reply,
      ),
      401,
    );
    const unknown = request([...base, { type: "unknown", code: 0x7777, value: new Uint8Array(4) }]);
    assert.equal(errorCode(answerCheck(unknown, source, context("controlled")).reply), 420);
  });

  it("resolves two controlling agents by tie-breaker: 487 from the larger, a switch for the smaller (§7.3.1.1)", () => {
    const theirs = [...base, attr("ICE-CONTROLLING", 20n)];
    assert.equal(
      answerCheck(request(theirs), source, context("controlling", 30n)).kind,
      "role-conflict",
    );
    const smaller = answerCheck(request(theirs), source, context("controlling", 10n));
    assert.ok(
      smaller.kind === "accepted" && smaller.switchRole === "controlled" && smaller.conflict,
    );
  });

  it("resolves two controlled agents by tie-breaker: the larger switches to controlling, the smaller answers 487", () => {
    const theirs = [...base, attr("ICE-CONTROLLED", 20n)];
    const larger = answerCheck(request(theirs), source, context("controlled", 30n));
    assert.ok(larger.kind === "accepted" && larger.switchRole === "controlling");
    assert.equal(
      errorCode(answerCheck(request(theirs), source, context("controlled", 10n)).reply),
      487,
    );
  });
});
