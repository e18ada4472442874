// Pairs two peers of any kinds, connects them through the harness and pings both ways.
import assert from "node:assert/strict";
import type { Peer, PeerKind, PeerOptions, Role } from "./harness.js";
import { connectPair, ping, requirePeers, startPeer, withPeers } from "./harness.js";

const CONNECT_TIMEOUT_MS = 10_000;

export function other(role: Role): Role {
  return role === "controlling" ? "controlled" : "controlling";
}

/** Starts a pair, connects it and exchanges `pings` pings from each side. */
export async function pairAndPing(
  kindA: PeerKind,
  roleA: Role,
  kindB: PeerKind,
  optsA: PeerOptions = {},
  optsB: PeerOptions = {},
  pings = 5,
): Promise<{ a: Peer; b: Peer; connectMs: [number, number] }> {
  await requirePeers([kindA, kindB]);
  const a = startPeer(kindA, roleA, optsA);
  const b = startPeer(kindB, other(roleA), optsB);
  return withPeers([a, b], async () => {
    const pair = await connectPair(a, b, { timeoutMs: CONNECT_TIMEOUT_MS });
    const connectMs: [number, number] = [pair.a.connectMs[1] ?? -1, pair.b.connectMs[1] ?? -1];
    console.error(
      `${a.name} ↔ ${b.name}: connect_ms ${connectMs[0].toFixed(1)} / ${connectMs[1].toFixed(1)}, ` +
        `harness wall ${pair.wallMs.toFixed(1)} ms`,
    );
    for (const [p, q] of [
      [a, b],
      [b, a],
    ] as const) {
      const done = await ping(p, pings);
      assert.equal(done.sent, pings, `${p.name} sent all pings`);
      assert.equal(done.received, pings, `${p.name} got a pong for every ping from ${q.name}`);
      assert.ok(done.rtt_max_ms !== null && done.rtt_max_ms < 1000, "loopback RTTs are small");
    }
    assert.deepEqual(a.violations, []);
    assert.deepEqual(b.violations, []);
    return { a, b, connectMs };
  });
}
