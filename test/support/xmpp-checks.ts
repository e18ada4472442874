// Checks the XMPP server harness tests share (prosody.test.ts, ejabberd.test.ts).
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { xml } from "@xmpp/xml";
import type { XmppTestClient } from "./xmpp-server.js";

const NS_ECHO = "urn:jingle-ice:test:echo";

/** Median, min and max of `samples`, in ms with two decimals. */
export function summary(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const f = (ms: number): string => ms.toFixed(2);
  return `median ${f(median)} ms, min ${f(sorted[0]!)} ms, max ${f(sorted.at(-1)!)} ms`;
}

/**
 * Sends `count + 1` IQ-gets from `caller` to `callee`'s full JID, which answers them itself;
 * asserts every answer and that every request arrived from `callerJid`. Resolves with the
 * {@link summary} of the round trips (the first one, which warms both ends up, left out).
 */
export async function iqRoundTrips(
  caller: XmppTestClient,
  callee: XmppTestClient,
  callerJid: string,
  count = 20,
): Promise<string> {
  const calleeJid = callee.jid!.toString();
  const seen: string[] = [];
  callee.iqCallee.get(NS_ECHO, "echo", ({ stanza, element }) => {
    seen.push(stanza.attrs["from"] ?? "");
    return xml("echo", { xmlns: NS_ECHO, by: "callee", nonce: element.attrs["nonce"] ?? "" });
  });
  const samples: number[] = [];
  for (let i = 0; i <= count; i++) {
    const t0 = performance.now();
    const reply = await caller.iqCaller.request(
      xml("iq", { type: "get", to: calleeJid }, xml("echo", { xmlns: NS_ECHO, nonce: `n${i}` })),
      5_000,
    );
    const elapsed = performance.now() - t0;
    if (i > 0) samples.push(elapsed);
    assert.equal(reply.attrs["type"], "result");
    assert.equal(reply.attrs["from"], calleeJid);
    const echo = reply.getChild("echo", NS_ECHO);
    assert.ok(echo !== undefined, reply.toString());
    assert.deepEqual(
      { by: echo.attrs["by"], nonce: echo.attrs["nonce"] },
      { by: "callee", nonce: `n${i}` },
    );
  }
  assert.deepEqual(new Set(seen), new Set([callerJid]));
  assert.equal(seen.length, count + 1);
  return summary(samples);
}

/** Whether a TCP connection to host:port is refused (the server is gone). */
export function portRefuses(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = netConnect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
