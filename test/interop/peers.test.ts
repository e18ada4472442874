// Interop peers (libnice through python3-gi, aioice) on 127.0.0.1 only (docs/testing.md, the network rule).
// These tests check the peers and the harness that our own `jingle-ice peer` will be run with;
// they FAIL (not skip) when the Debian packages are missing.
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectPair, requirePeers, startPeer, stopAllPeers, withPeers } from "./harness.js";
import { pairAndPing } from "./pairing.js";

const CONNECT_TIMEOUT_MS = 10_000;

afterEach(async () => {
  await stopAllPeers();
});

describe("interop peers on 127.0.0.1", () => {
  it("libnice (controlling) and aioice (controlled) connect and answer 5 pings each way", async () => {
    await pairAndPing("libnice", "controlling", "aioice");
  });

  it("aioice (controlling) and libnice (controlled) connect and answer 5 pings each way", async () => {
    await pairAndPing("aioice", "controlling", "libnice");
  });

  it("libnice connects with regular and with aggressive nomination", async () => {
    // Regular nomination against aioice, aggressive against another libnice; both at once.
    await Promise.all([
      pairAndPing("libnice", "controlling", "aioice", { nomination: "regular" }),
      pairAndPing("libnice", "controlling", "libnice", { nomination: "aggressive" }),
    ]);
  });

  it("the peers respect the line protocol: hello first, ev and t on every line, bye last", async () => {
    await requirePeers(["libnice", "aioice"]);
    const a = startPeer("libnice", "controlled", { echo: true });
    const b = startPeer("aioice", "controlling", { echo: true });
    await withPeers([a, b], async () => {
      const pair = await connectPair(a, b, { timeoutMs: CONNECT_TIMEOUT_MS });
      for (const info of [pair.a, pair.b]) {
        assert.equal(info.connected.length, 1);
        assert.ok((info.connectMs[1] ?? -1) >= 0, "connect_ms >= 0");
      }

      // Text both ways, echoed; then binary (b64) from aioice to libnice.
      const fromA = b.events.length;
      const fromB = a.events.length;
      a.send({ cmd: "send", component: 1, text: "hello from libnice" });
      b.send({ cmd: "send", component: 1, text: "hello from aioice" });
      await b.waitForEvent("data", 5000, (e) => e.text === "hello from libnice", {
        fromIndex: fromA,
      });
      await a.waitForEvent("data", 5000, (e) => e.text === "hello from aioice", {
        fromIndex: fromB,
      });
      await a.waitForEvent("data", 5000, (e) => e.text === "echo:hello from libnice");
      await b.waitForEvent("data", 5000, (e) => e.text === "echo:hello from aioice");
      b.send({ cmd: "send", component: 1, b64: Buffer.from([0, 1, 2, 255]).toString("base64") });
      const bin = await a.waitForEvent("data", 5000, (e) => e.b64 !== undefined);
      assert.equal(bin.len, 4);
      assert.deepEqual([...Buffer.from(bin.b64 ?? "", "base64")], [0, 1, 2, 255]);

      // A bad command is an `error` event and the peer keeps running.
      const before = a.events.length;
      a.sendRaw(JSON.stringify({ cmd: "no-such-command" }));
      a.sendRaw("this is not JSON");
      await a.waitForEvent("error", 5000, (e) => e.message.includes("no-such-command"), {
        fromIndex: before,
      });
      await a.waitForEvent("error", 5000, (e) => e.message.includes("not JSON"), {
        fromIndex: before,
      });
      a.send({ cmd: "stats" });
      b.send({ cmd: "stats" });
      const [sa, sb] = await Promise.all([
        a.waitForEvent("stats", 5000),
        b.waitForEvent("stats", 5000),
      ]);
      assert.ok(Number(sa["datagrams_received"]) >= 3, "libnice counted its datagrams");
      assert.ok(Number(sb["datagrams_received"]) >= 2, "aioice counted its datagrams");

      const [ea, eb] = await Promise.all([a.quit(), b.quit()]);
      for (const [p, e] of [
        [a, ea],
        [b, eb],
      ] as const) {
        assert.equal(e.code, 0, `${p.name} exits with 0 on quit`);
        assert.deepEqual(p.violations, [], `${p.name}: no protocol violations`);
        assert.equal(p.events[0]?.ev, "hello", `${p.name}: hello first`);
        assert.equal(p.events.at(-1)?.ev, "bye", `${p.name}: bye last`);
        assert.equal(p.hello?.pid, p.pid);
        const ts = p.events.map((ev) => ev.t);
        assert.deepEqual(
          ts,
          [...ts].sort((x, y) => x - y),
          `${p.name}: t never goes back`,
        );
        const selected = p.events.filter((ev) => ev.ev === "selected-pair");
        assert.ok(selected.length >= 1, `${p.name}: reports a selected pair`);
        for (const ev of p.events) {
          if (ev.ev === "local-candidate") assert.equal(ev.candidate.ip, "127.0.0.1");
        }
      }
      assert.equal(a.hello?.impl, "libnice");
      assert.equal(b.hello?.impl, "aioice");
    });
  });
});
