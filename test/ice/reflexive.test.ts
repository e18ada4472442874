// Server-reflexive gathering on its own (src/ice/reflexive.ts): one query per host socket and
// STUN server of its family, answers and failures as events, a deadline per query.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TransportAddress } from "../../src/common/address.js";
import { seededRng } from "../../src/common/rng.js";
import type { LocalCandidate } from "../../src/ice/candidate.js";
import { StunServerError } from "../../src/ice/errors.js";
import { ReflexiveGatherer, type ReflexiveEvent } from "../../src/ice/reflexive.js";
import type { Transmit } from "../../src/ice/types.js";
import { v4 } from "./parts.js";
import {
  attr,
  decodeStunMessage,
  encodeStunMessage,
  type StunAttribute,
} from "../../src/stun/index.js";

const host = (address: TransportAddress): LocalCandidate => ({
  candidate: {
    foundation: "1",
    component: 1,
    transport: "udp",
    priority: 1,
    address,
    type: "host",
  },
  base: address,
});
const HOST = host(v4("192.0.2.1", 5000));
const HOST6 = host({ family: "IPv6", address: "2001:db8::1", port: 5000 });
const STUN = v4("198.51.100.1", 3478);
const STUN2 = v4("198.51.100.2", 3478);

function drain(g: ReflexiveGatherer): { transmits: Transmit[]; events: ReflexiveEvent[] } {
  const transmits: Transmit[] = [];
  const events: ReflexiveEvent[] = [];
  for (let t; (t = g.pollTransmit());) transmits.push(t);
  for (let e; (e = g.pollEvent());) events.push(e);
  return { transmits, events };
}

function answer(request: Transmit, cls: "success" | "error", attributes: StunAttribute[]) {
  assert.ok(request.type === "datagram");
  const { transactionId, method } = decodeStunMessage(request.data);
  return decodeStunMessage(
    encodeStunMessage({ class: cls, method, transactionId, attributes }, { fingerprint: true }),
  );
}

describe("ReflexiveGatherer", () => {
  it("asks every STUN server of the socket's family at once, and only those", () => {
    const g = new ReflexiveGatherer(seededRng(1), 500, 3000);
    g.start(0, [HOST, HOST6], [STUN, STUN2]);
    const { transmits } = drain(g);
    assert.deepEqual(
      transmits.map((t) => t.type === "datagram" && [t.local, t.remote]),
      [
        [HOST.base, STUN],
        [HOST.base, STUN2],
      ],
    );
    assert.equal(g.requestsSent, 2);
    assert.equal(g.gathering, true);
  });

  it("reports the mapped address of a success and the code of an error, each once", () => {
    const g = new ReflexiveGatherer(seededRng(1), 500, 3000);
    g.start(0, [HOST], [STUN, STUN2]);
    const [first, second] = drain(g).transmits;
    const mapped = v4("203.0.113.5", 40000);
    assert.equal(
      g.handleResponse(20, answer(first!, "success", [attr("XOR-MAPPED-ADDRESS", mapped)])),
      true,
    );
    assert.equal(
      g.handleResponse(
        20,
        answer(second!, "error", [attr("ERROR-CODE", { code: 400, reason: "Bad Request" })]),
      ),
      true,
    );
    assert.equal(
      g.handleResponse(21, answer(first!, "success", [attr("XOR-MAPPED-ADDRESS", mapped)])),
      false,
    );
    const { events } = drain(g);
    assert.deepEqual(events[0], { type: "mapped", host: HOST, mapped, server: STUN });
    const error = events[1];
    assert.ok(error?.type === "error" && error.error instanceof StunServerError);
    assert.deepEqual(
      [error.server, error.error.code, error.error.message],
      [STUN2, 400, "STUN Binding failed: 400 Bad Request"],
    );
    assert.equal(g.gathering, false);
    assert.equal(g.pollTimeout(), undefined);
  });

  it("retransmits until the query's deadline, then gives the server up as a timeout", () => {
    const g = new ReflexiveGatherer(seededRng(1), 500, 3000);
    g.start(0, [HOST], [STUN]);
    for (let now = g.pollTimeout(); now !== undefined; now = g.pollTimeout()) g.handleTimeout(now);
    const { transmits, events } = drain(g);
    assert.equal(transmits.length, 3, "at 0, 500 and 1500 ms; the next would be at 3500");
    assert.equal(g.requestsSent, 3);
    assert.equal(events.length, 1);
    const [timeout] = events;
    assert.ok(timeout?.type === "error");
    assert.equal(timeout.error.message, "STUN Binding failed: timeout");
    assert.equal(g.gathering, false);
  });
});
