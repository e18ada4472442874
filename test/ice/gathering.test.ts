import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attr, decodeStunMessage, encodeStunMessage } from "../../src/stun/index.js";
import { HOST, testParts, v4 } from "./parts.js";

const STUN = v4("198.51.100.1", 3478);
const MAPPED = v4("203.0.113.1", 40000);

const types = (p: ReturnType<typeof testParts>) => p.takeEvents().map((e) => e.type);

describe("Gathering", () => {
  it("announces the host candidates and completes at once without servers", () => {
    const p = testParts();
    p.registry.addHost(1, HOST);
    assert.equal(p.gathering.started, false);
    p.gathering.start(0);
    p.gathering.checkDone();
    assert.deepEqual(types(p), ["local-candidate", "gathering-complete"]);
    assert.equal(p.gathering.done, true);
    p.gathering.announceDoneAgain();
    assert.deepEqual(types(p), ["gathering-complete"]);
  });

  it("asks each STUN server from each host socket and completes once they answered", () => {
    const p = testParts({ stunServers: [STUN] });
    p.registry.addHost(1, HOST);
    p.gathering.start(0);
    p.gathering.checkDone();
    assert.deepEqual(types(p), ["local-candidate"]);
    const [request] = p.takeTransmits();
    assert.ok(request?.type === "datagram");
    assert.deepEqual([request.local, request.remote], [HOST, STUN]);
    const { transactionId } = decodeStunMessage(request.data);
    const response = decodeStunMessage(
      encodeStunMessage(
        {
          class: "success",
          method: 1,
          transactionId,
          attributes: [attr("XOR-MAPPED-ADDRESS", MAPPED)],
        },
        { fingerprint: true },
      ),
    );
    assert.equal(p.gathering.handleResponse(20, response), true);
    assert.equal(p.gathering.handleResponse(21, response), false, "once");
    const events = p.takeEvents();
    assert.deepEqual(
      events.map((e) => (e.type === "local-candidate" ? e.candidate.type : e.type)),
      ["srflx", "gathering-complete"],
    );
    assert.equal(p.gathering.requestsSent, 1);
  });

  it("gives a silent STUN server up at stunServerTimeoutMs with a stun-server-error, and completes", () => {
    const p = testParts({ stunServers: [STUN], stunServerTimeoutMs: 1000 });
    p.registry.addHost(1, HOST);
    p.gathering.start(0);
    types(p);
    assert.equal(p.gathering.deadline(), 500);
    p.gathering.handleTimeout(500);
    p.gathering.handleTimeout(1000);
    const events = p.takeEvents();
    assert.deepEqual(
      events.map((e) => e.type),
      ["stun-server-error", "gathering-complete"],
    );
    const [error] = events;
    assert.ok(error?.type === "stun-server-error");
    assert.equal(error.error.message, "STUN Binding failed: timeout");
    assert.equal(p.gathering.requestsSent, 2);
  });

  it("asks no STUN server with the relay-only policy", () => {
    const p = testParts({ stunServers: [STUN], relayOnly: true });
    p.registry.addHost(1, HOST);
    p.gathering.start(0);
    assert.deepEqual(p.takeTransmits(), []);
    assert.equal(p.gathering.deadline(), undefined);
  });
});
