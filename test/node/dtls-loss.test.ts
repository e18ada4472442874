// DTLS handshakes over real UDP sockets under 30 % random loss: iptables' `statistic` match
// drops 30 % of the UDP datagrams in a namespace the test creates (test/support/lone-namespace.ts),
// where both peers run (ICE and DTLS, one child process). Needs root, iproute2 and iptables;
// FAILS (never skips) without them.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  createLossyNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./dtls-loss-run.ts", import.meta.url));
const RUNS = 3;

interface Counters {
  retransmissions: number;
  reactiveRetransmissions: number;
}

describe("DTLS over real UDP with 30 % loss (iptables statistic, in a namespace)", () => {
  let ns: LoneNamespace | undefined;
  after(async () => {
    await ns?.destroy();
  });

  it(
    `${RUNS} ICE + DTLS associations in a row all connect and carry data both ways`,
    { timeout: 180_000 },
    async () => {
      ns = await createLossyNamespace("jice-loss", 30);
      const out = await ns.exec(
        [process.execPath, "--import", "tsx", RUNNER, LONE_ADDRESS, String(RUNS)],
        170_000,
      );
      const result = JSON.parse(out.trim().split("\n").pop()!) as {
        ok: boolean;
        error?: string;
        runs: { connectedMs: number; client: Counters; server: Counters }[];
      };
      assert.equal(result.ok, true, result.error);
      assert.equal(result.runs.length, RUNS);
      const rules = await ns.exec(["iptables", "-L", "INPUT", "-v", "-n", "-x"], 10_000);
      const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP/m.exec(rules)?.[1]);
      assert.ok(dropped > 0, `iptables dropped nothing:\n${rules}`);
      const retransmitted = result.runs.reduce(
        (n, r) =>
          n +
          r.client.retransmissions +
          r.server.retransmissions +
          r.client.reactiveRetransmissions +
          r.server.reactiveRetransmissions,
        0,
      );
      assert.ok(retransmitted > 0, "the loss cost retransmissions");
    },
  );
});
