// Our `jingle-ice peer` against itself, libnice (regular and aggressive nomination) and aioice,
// in both roles, on 127.0.0.1 only. Fails (never skips) when the Debian packages are missing.
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectPair, ping, requirePeers, startPeer, stopAllPeers, withPeers } from "./harness.js";
import { pairAndPing } from "./pairing.js";

afterEach(async () => {
  await stopAllPeers();
});

describe("jingle-ice peer interop on 127.0.0.1", () => {
  it("two jingle-ice peer processes connect and answer 5 pings each way", async () => {
    const { a, b } = await pairAndPing("jingle-ice", "controlling", "jingle-ice");
    for (const peer of [a, b]) {
      const selected = peer.events.find((e) => e.ev === "selected-pair");
      assert.ok(selected && selected.ev === "selected-pair");
      assert.equal(selected.local.type, "host");
    }
  });

  it("connects with libnice (regular nomination) in both roles", async () => {
    await Promise.all([
      pairAndPing("jingle-ice", "controlling", "libnice", {}, { nomination: "regular" }),
      pairAndPing("libnice", "controlling", "jingle-ice", { nomination: "regular" }),
    ]);
  });

  it("connects with libnice (aggressive nomination) in both roles", async () => {
    await Promise.all([
      pairAndPing("jingle-ice", "controlling", "libnice", {}, { nomination: "aggressive" }),
      pairAndPing("libnice", "controlling", "jingle-ice", { nomination: "aggressive" }),
    ]);
  });

  it("connects with aioice in both roles", async () => {
    await Promise.all([
      pairAndPing("jingle-ice", "controlling", "aioice"),
      pairAndPing("aioice", "controlling", "jingle-ice"),
    ]);
  });

  it("restarts ICE on command: the peer answers with new credentials and pings work again", async () => {
    await requirePeers(["jingle-ice"]);
    const a = startPeer("jingle-ice", "controlling");
    const b = startPeer("jingle-ice", "controlled");
    await withPeers([a, b], async () => {
      await connectPair(a, b);
      // The controlling side reports its selected pair just after `connected`: wait for both
      // first pairs, so that the ones after the restart are told apart.
      await Promise.all([
        a.waitForEvent("selected-pair", 10_000),
        b.waitForEvent("selected-pair", 10_000),
      ]);
      const credentials = (peer: typeof a) =>
        peer.events.filter((e) => e.ev === "local-credentials");
      const before = [credentials(a).length, credentials(b).length];
      const fromA = a.events.length;
      const fromB = b.events.length;
      a.send({ cmd: "restart" });
      await a.waitForEvent("selected-pair", 10_000, () => true, { fromIndex: fromA });
      await b.waitForEvent("selected-pair", 10_000, () => true, { fromIndex: fromB });
      assert.equal(credentials(a).length, before[0]! + 1, "a printed new credentials");
      assert.equal(
        credentials(b).length,
        before[1]! + 1,
        "b answered the restart with new credentials",
      );
      const done = await ping(a, 5);
      assert.equal(done.received, 5);
    });
  });
});
