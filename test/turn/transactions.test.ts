// The request table of a TURN client (src/turn/transactions.ts): signing, retransmission,
// timeouts and response matching, without a server.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { seededRng } from "../../src/common/rng.js";
import { Outbox } from "../../src/common/sans-io.js";
import {
  attr,
  decodeStunMessage,
  encodeStunMessage,
  longTermKey,
  type DecodedStunMessage,
} from "../../src/stun/index.js";
import { LongTermCredentials } from "../../src/turn/auth.js";
import { allocateRequest } from "../../src/turn/messages.js";
import { zeroTurnClientStats } from "../../src/turn/stats.js";
import { TurnTransactions, type TurnRequest } from "../../src/turn/transactions.js";

function table(reliable = false) {
  const counters = zeroTurnClientStats();
  const outbox = new Outbox<Uint8Array>();
  const requests = new TurnTransactions(seededRng(3), { rtoMs: 100, reliable }, counters, outbox);
  const credentials = new LongTermCredentials("alice", "alice-pw");
  const sent = (): DecodedStunMessage[] => {
    const out: DecodedStunMessage[] = [];
    for (let b; (b = outbox.shift());) out.push(decodeStunMessage(b));
    return out;
  };
  return { counters, requests, credentials, sent };
}

function reply(
  request: DecodedStunMessage,
  cls: "success" | "error",
  attributes: Parameters<typeof encodeStunMessage>[0]["attributes"],
  key?: Uint8Array,
): DecodedStunMessage {
  return decodeStunMessage(
    encodeStunMessage(
      { class: cls, method: request.method, transactionId: request.transactionId, attributes },
      key === undefined ? { fingerprint: true } : { messageIntegrity: key, fingerprint: true },
    ),
  );
}

describe("TurnTransactions", () => {
  it("sends a request unsigned before the first 401, then signed, counting each by kind", () => {
    const t = table();
    t.requests.add(0, t.credentials, "allocate", allocateRequest(600), 0, {});
    t.requests.pump(0, () => assert.fail("no timeout"));
    const [first] = t.sent();
    assert.equal(first?.messageIntegrity, undefined);
    assert.ok(
      t.credentials.learn(
        reply(first!, "error", [
          attr("ERROR-CODE", { code: 401, reason: "Unauthorized" }),
          attr("REALM", "example.org"),
          attr("NONCE", "n1"),
        ]),
      ),
    );
    t.requests.add(20, t.credentials, "allocate", allocateRequest(600), 0, {});
    t.requests.pump(20, () => assert.fail("no timeout"));
    const [second] = t.sent();
    assert.notEqual(second?.messageIntegrity, undefined);
    assert.equal(t.counters.allocateRequests, 2);
  });

  it("retransmits on the RTO schedule over UDP and counts the retransmissions", () => {
    const t = table();
    t.requests.add(0, t.credentials, "refresh", allocateRequest(600), 0, { lifetimeS: 600 });
    for (const now of [0, 50, 100, 299, 300]) t.requests.pump(now, () => assert.fail());
    assert.equal(t.sent().length, 3, "at 0, 100 and 300");
    assert.equal(t.counters.retransmissions, 2);
    assert.equal(t.requests.deadline(), 700);
  });

  it("hands a request that timed out to onTimeout once and forgets it", () => {
    const t = table(true);
    t.requests.add(0, t.credentials, "allocate", allocateRequest(600), 0, {});
    const timedOut: TurnRequest[] = [];
    t.requests.pump(0, (r) => timedOut.push(r));
    assert.equal(t.requests.deadline(), 39_500, "sent once over TCP, Ti later it gives up");
    t.requests.pump(39_500, (r) => timedOut.push(r));
    t.requests.pump(40_000, (r) => timedOut.push(r));
    assert.deepEqual(
      timedOut.map((r) => r.kind),
      ["allocate"],
    );
    assert.equal(t.requests.deadline(), undefined);
    assert.equal(t.sent().length, 1);
  });

  it("matches a response by transaction id, refuses an unsigned success to a signed request, and completes the match", () => {
    const t = table();
    t.credentials.learn(
      reply(
        decodeStunMessage(
          encodeStunMessage({ ...allocateRequest(1), transactionId: new Uint8Array(12) }),
        ),
        "error",
        [attr("REALM", "example.org"), attr("NONCE", "n1")],
      ),
    );
    t.requests.add(0, t.credentials, "allocate", allocateRequest(600), 0, {});
    t.requests.pump(0, () => assert.fail());
    const [request] = t.sent();
    const stranger = { ...request!, transactionId: new Uint8Array(12).fill(7) };
    assert.equal(t.requests.match(reply(stranger, "success", []), t.credentials), "unknown");
    assert.equal(t.requests.match(reply(request!, "success", []), t.credentials), "unverified");
    const key = longTermKey("alice", "example.org", "alice-pw");
    const matched = t.requests.match(reply(request!, "success", [], key), t.credentials);
    assert.equal(typeof matched === "object" && matched.kind, "allocate");
    assert.equal(typeof matched === "object" && matched.transaction.state, "completed");
    assert.equal(t.requests.match(reply(request!, "success", [], key), t.credentials), "unknown");
  });

  it("cancels every request at once", () => {
    const t = table();
    t.requests.add(0, t.credentials, "allocate", allocateRequest(600), 0, {});
    t.requests.add(0, t.credentials, "refresh", allocateRequest(600), 0, {});
    t.requests.cancelAll();
    t.requests.pump(0, () => assert.fail());
    assert.equal(t.sent().length, 0);
    assert.equal(t.requests.deadline(), undefined);
  });
});
