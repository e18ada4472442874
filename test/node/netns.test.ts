// Real sockets between two network namespaces (docs/testing.md, the network rule): the test creates two namespaces
// joined by a veth pair (10.213.0.1/24 and 10.213.0.2/24, no other routes), runs one
// `jingle-ice peer` process inside each, connects them through the interop harness and pings
// both ways. Nothing touches the machine's real interfaces. Needs root and iproute2; FAILS (never
// skips) without them.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import type { Peer, Role } from "../interop/harness.js";
import {
  connectPair,
  peerCommand,
  ping,
  requirePeers,
  spawnPeer,
  stopAllPeers,
  withPeers,
} from "../interop/harness.js";
import type { NamespaceEnd, NamespacePair } from "../support/netns.js";
import { createNamespacePair, ip, requireNetns } from "../support/netns.js";

const CONNECT_TIMEOUT_MS = 10_000;
const PINGS = 5;

/** A `jingle-ice peer` running inside `end.ns`, gathering on `end.ip` only. */
function startPeerIn(end: NamespaceEnd, role: Role): Peer {
  const argv = peerCommand("jingle-ice", role, { bind: [end.ip] });
  return spawnPeer(["ip", "netns", "exec", end.ns, ...argv], `jingle-ice/${role} in ${end.ns}`);
}

describe("jingle-ice peers in a network namespace pair", () => {
  // Set up by the first test that needs it (not in `before`: a failing hook reports the tests
  // as "cancelled", and a missing prerequisite must read as a failure).
  let setup: Promise<NamespacePair> | undefined;
  const namespaces = (): Promise<NamespacePair> =>
    (setup ??= (async () => {
      await requireNetns();
      await requirePeers(["jingle-ice"]);
      return createNamespacePair("jice");
    })());

  after(async () => {
    await stopAllPeers();
    await setup?.then((pair) => pair.destroy()).catch(() => undefined);
  });

  it("the namespaces have only their veth subnet route and no way out", async () => {
    const pair = await namespaces();
    for (const end of [pair.a, pair.b]) {
      const routes = (await ip(["-n", end.ns, "-4", "route", "show"])).trim().split("\n");
      assert.deepEqual(
        routes.map((r) => r.split(" ")[0]),
        ["10.213.0.0/24"],
        `routes in ${end.ns}: ${routes.join(" | ")}`,
      );
      const links = await ip(["-n", end.ns, "-o", "link", "show"]);
      assert.equal(links.trim().split("\n").length, 2, `only lo and the veth in ${end.ns}`);
    }
  });

  it("two peers in separate namespaces connect over the veth pair and answer pings both ways", async () => {
    const { a: endA, b: endB } = await namespaces();
    const a = startPeerIn(endA, "controlling");
    const b = startPeerIn(endB, "controlled");
    await withPeers([a, b], async () => {
      await connectPair(a, b, { timeoutMs: CONNECT_TIMEOUT_MS });
      for (const [peer, local, remote] of [
        [a, endA, endB],
        [b, endB, endA],
      ] as const) {
        // Not from connectPair()'s `selected`: a peer may send `selected-pair` just after
        // `connected`, so that map can miss it.
        const selected = await peer.waitForEvent("selected-pair", 2000, (e) => e.component === 1);
        assert.equal(selected.local.ip, local.ip, `${peer.name} sends from its namespace address`);
        assert.equal(selected.remote.ip, remote.ip, `${peer.name} reaches the other namespace`);
        for (const e of peer.events) {
          if (e.ev === "local-candidate") assert.equal(e.candidate.ip, local.ip);
        }
      }
      for (const [p, q] of [
        [a, b],
        [b, a],
      ] as const) {
        const done = await ping(p, PINGS);
        assert.equal(done.sent, PINGS, `${p.name} sent all pings`);
        assert.equal(done.received, PINGS, `${p.name} got a pong for every ping from ${q.name}`);
      }
      assert.deepEqual(a.violations, []);
      assert.deepEqual(b.violations, []);
    });
  });
});
