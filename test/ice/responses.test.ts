import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  attr,
  decodeStunMessage,
  encodeStunMessage,
  type StunAttribute,
} from "../../src/stun/index.js";
import { PEER, PEER2, testParts, v4, withPairs } from "./parts.js";

const MAPPED = v4("203.0.113.7", 41000);

/** A pair with a check in flight, and a way to answer it. */
function checking(role: "controlling" | "controlled" = "controlling") {
  const p = testParts({ role });
  const [pair] = withPairs(p, [PEER]);
  p.identity.setRemote("peer", "remote-password-0123456789");
  p.scheduler.startCheck(0, pair!, false);
  const [t] = p.takeTransmits();
  assert.ok(t?.type === "datagram");
  const { transactionId } = decodeStunMessage(t.data);
  const answer = (cls: "success" | "error", attributes: StunAttribute[]) =>
    decodeStunMessage(
      encodeStunMessage(
        { class: cls, method: 1, transactionId, attributes },
        { messageIntegrity: p.identity.remoteKey!, fingerprint: true },
      ),
    );
  const success = () => answer("success", [attr("XOR-MAPPED-ADDRESS", MAPPED)]);
  return { p, pair: pair!, socket: p.registry.sockets[0]!, answer, success };
}

describe("ResponseHandler", () => {
  it("makes a pair valid on a success, with the local candidate the peer saw, and lets its data in", () => {
    const { p, pair, socket, success } = checking();
    p.takeEvents();
    p.responses.handleResponse(20, socket, PEER, success());
    assert.equal(pair.state, "succeeded");
    assert.equal(pair.validLocal?.candidate.type, "prflx");
    assert.deepEqual(pair.validLocal?.candidate.address, MAPPED);
    assert.equal(p.components.get(1)!.firstValidAt, 20);
    assert.equal(p.dataPlane.receive(socket, PEER, new Uint8Array(1)), true);
    assert.equal(p.counters.values.successResponsesReceived, 1);
  });

  it("fails the pair when the success comes from elsewhere than the request went (RFC 8445 §7.2.5.2.1)", () => {
    const { p, pair, socket, success } = checking();
    p.responses.handleResponse(20, socket, PEER2, success());
    assert.equal(pair.state, "failed");
    assert.equal(p.counters.values.asymmetricResponses, 1);
    assert.equal(pair.valid, false);
  });

  it("refreshes consent only with a response from the address the consent check went to, and counts the others", () => {
    const p = testParts({
      consentIntervalMs: 1000,
      disconnectedTimeoutMs: 3000,
      consentTimeoutMs: 6000,
    });
    const [pair] = withPairs(p, [PEER]);
    p.identity.setRemote("peer", "remote-password-0123456789");
    pair!.state = "succeeded";
    pair!.validLocal = pair!.local;
    p.nomination.select(0, pair!);
    p.scheduler.startConsentCheck(2900, pair!, p.identity.current!);
    const [t] = p.takeTransmits();
    assert.ok(t?.type === "datagram");
    const { transactionId } = decodeStunMessage(t.data);
    const success = decodeStunMessage(
      encodeStunMessage(
        {
          class: "success",
          method: 1,
          transactionId,
          attributes: [attr("XOR-MAPPED-ADDRESS", MAPPED)],
        },
        { messageIntegrity: p.identity.remoteKey!, fingerprint: true },
      ),
    );
    const socket = p.registry.sockets[0]!;
    p.responses.handleResponse(2950, socket, PEER2, success);
    assert.equal(p.counters.values.asymmetricResponses, 1);
    assert.equal(p.components.get(1)!.consent.status(3000), "stale", "not refreshed");
    // The transaction goes on: the genuine response, from where the check went, still counts.
    p.responses.handleResponse(2960, socket, PEER, success);
    assert.equal(p.components.get(1)!.consent.status(3000), "fresh");
    assert.equal(p.counters.values.successResponsesReceived, 1);
    assert.deepEqual(p.counters.snapshot().dropped, {});
  });

  it("switches role once on a 487 and checks the pair again", () => {
    const { p, pair, socket, answer } = checking();
    p.responses.handleResponse(
      20,
      socket,
      PEER,
      answer("error", [attr("ERROR-CODE", { code: 487, reason: "Role Conflict" })]),
    );
    assert.equal(p.identity.role, "controlled");
    assert.equal(pair.state, "waiting");
    assert.equal(p.checklist.next(), pair);
    assert.equal(p.counters.values.roleConflicts, 1);
  });

  it("fails the pair on any other error, and drops answers it cannot match", () => {
    const { p, pair, socket, answer } = checking();
    const error = answer("error", [attr("ERROR-CODE", { code: 400, reason: "Bad Request" })]);
    p.responses.handleResponse(20, socket, PEER, error);
    assert.equal(pair.state, "failed");
    p.responses.handleResponse(21, socket, PEER, error);
    assert.deepEqual(p.counters.snapshot().dropped, { "unknown-transaction": 1 });
    assert.equal(p.counters.values.errorResponsesReceived, 1);
  });
});
