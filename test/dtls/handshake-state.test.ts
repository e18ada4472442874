// The state table (src/dtls/handshake-state.ts), one test per refusal: each state is reached
// with a real peer, records delivered one at a time, then a message of every type the state
// does not accept arrives with the next message_seq and must end the handshake with a fatal
// unexpected_message.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContentType, DTLS_1_2, HandshakeType, handshakeName } from "../../src/dtls/constants.js";
import { encodeHandshakeMessage } from "../../src/dtls/handshake-header.js";
import { ACCEPTED_MESSAGES, type HandshakeStateName } from "../../src/dtls/handshake-state.js";
import { decodeRecords, encodeRecord } from "../../src/dtls/record.js";
import { Pair, type Side } from "./support.js";

/** A pair whose `side` has just reached `state`, records delivered one by one; or undefined. */
function reach(side: Side, state: HandshakeStateName): Pair | undefined {
  const pair = new Pair().start();
  const queue: { to: Side; bytes: Uint8Array }[] = [];
  const enqueue = (): void => {
    for (const from of ["client", "server"] as const) {
      for (let d; (d = pair.endpoint(from).pollTransmit());) {
        decodeRecords(d, (r) =>
          queue.push({
            to: from === "client" ? "server" : "client",
            bytes: encodeRecord(r.type, r.version, r.epoch, r.sequence, r.fragment),
          }),
        );
      }
    }
  };
  for (;;) {
    if (pair.endpoint(side).handshakeState === state) return pair;
    enqueue();
    const next = queue.shift();
    if (next === undefined) return undefined;
    pair.endpoint(next.to).handleDatagram(0, next.bytes);
  }
}

/** A plaintext record with a `msgType` message (empty body) for each message_seq 0–7. */
function intruder(msgType: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let seq = 0; seq < 8; seq++)
    parts.push(encodeHandshakeMessage(msgType, seq, new Uint8Array(0)));
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    body.set(p, o);
    o += p.length;
  }
  return encodeRecord(ContentType.handshake, DTLS_1_2, 0, 5000, body);
}

const allTypes = Object.values(HandshakeType);
const states = Object.keys(ACCEPTED_MESSAGES).filter(
  (s) => s !== "client-start" && s !== "established" && s !== "closed",
) as HandshakeStateName[];

describe("the handshake state table", () => {
  for (const state of states) {
    const side: Side = state.startsWith("client") ? "client" : "server";
    for (const type of allTypes) {
      if (ACCEPTED_MESSAGES[state].includes(type)) continue;
      if (side === "client" && type === HandshakeType.helloRequest) continue; // ignored, below
      it(`${state} refuses ${handshakeName(type)} with unexpected_message`, () => {
        const pair = reach(side, state);
        assert.ok(pair, `${side} never reached ${state}`);
        pair.endpoint(side).handleDatagram(0, intruder(type));
        pair.collect();
        const error = pair.error(side);
        assert.equal(error.alertName, "unexpected_message");
        assert.match(error.message, new RegExp(`${handshakeName(type)} in state ${state}`));
      });
    }
  }

  it("a client in the middle of a handshake ignores a HelloRequest (RFC 5246 §7.4.1.1)", () => {
    const pair = reach("client", "client-wait-certificate")!;
    pair.client.handleDatagram(0, intruder(HandshakeType.helloRequest));
    pair.collect();
    assert.equal(pair.client.state, "handshaking");
    assert.equal(pair.events.client.length, 0);
  });

  it("a plaintext handshake message after the handshake is ignored, not fatal", () => {
    const pair = new Pair().start().pump();
    pair.server.handleDatagram(0, intruder(HandshakeType.certificate));
    pair.collect();
    assert.equal(pair.server.state, "connected");
    // The server expects message_seq 5 next (ClientHello, Certificate, ClientKeyExchange,
    // CertificateVerify and Finished took 0–4): seqs 5, 6 and 7 are new, 0–4 old.
    assert.equal(pair.server.stats().dropped["unprotected-handshake"], 3);
    assert.equal(pair.server.stats().dropped["retransmitted-handshake"], 5);
  });

  it("every state of the table but the start and the ends is reachable", () => {
    for (const state of states) {
      const side: Side = state.startsWith("client") ? "client" : "server";
      assert.ok(reach(side, state), state);
    }
  });
});
