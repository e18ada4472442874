// Our SCTP against usrsctp (libdatachannel via node-datachannel) under 1 % and 5 % random loss:
// iptables' `statistic` match drops UDP datagrams in a namespace the test creates
// (test/support/lone-namespace.ts), where both peers run in one child process
// (test/interop/usrsctp-sctp-run.ts). Over ICE and DTLS made from our Jingle transport,
// channels open from both sides and small messages go both ways; 200 messages go each way on an
// unordered maxRetransmits=0 channel, where what arrives must be intact and not duplicated
// (abandoned messages are skipped by FORWARD TSN, RFC 3758); then 64 × 16 KiB go each way
// ordered and intact (SHA-1), and the channels close by stream reset. Needs root, iproute2 and
// iptables; FAILS (never skips) without them.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  createLossyNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./usrsctp-sctp-run.ts", import.meta.url));
const BULK = 64;

interface RunResult {
  ok: boolean;
  error?: string;
  expected: string[];
  messages: string[][];
  channelsClosed: number;
  bulk: { toLdc: string; toUs: string; sent: string };
  lossy: { sent: number; toLdc: string[]; toUs: string[] };
  retransmissions: Record<string, number>;
}

for (const percent of [1, 5]) {
  describe(`SCTP data channels with usrsctp (libdatachannel) under ${percent} % loss (iptables statistic, in a namespace)`, () => {
    let ns: Promise<LoneNamespace> | undefined;
    const namespace = (): Promise<LoneNamespace> =>
      (ns ??= createLossyNamespace(`jice-ucl${percent}`, percent));
    after(async () => {
      await ns?.then((n) => n.destroy()).catch(() => undefined);
    });
    const results: RunResult[] = [];

    for (const [setupAttribute, ourRole, variant] of [
      ["active", "client", "sctpmap"],
      ["passive", "server", "webrtc-datachannel"],
    ] as const) {
      it(
        `delivers every reliable message both ways, what arrives unordered intact and once, ${BULK} × 16 KiB each way intact, and closes by stream reset (we are the DTLS ${ourRole}, ${variant})`,
        { timeout: 150_000 },
        async (t) => {
          const n = await namespace();
          const out = await n.exec(
            [
              process.execPath,
              "--import",
              "tsx",
              RUNNER,
              LONE_ADDRESS,
              setupAttribute,
              variant,
              String(BULK),
            ],
            140_000,
          );
          const result = JSON.parse(out.trim().split("\n").pop()!) as RunResult;
          assert.equal(result.ok, true, result.error);
          for (const received of result.messages) assert.deepEqual(received, result.expected);
          const sent = new Set(
            Array.from({ length: result.lossy.sent }, (_, i) => `text:lossy-${i}`),
          );
          for (const received of [result.lossy.toLdc, result.lossy.toUs]) {
            assert.equal(new Set(received).size, received.length, "no message twice");
            for (const m of received) assert.ok(sent.has(m), `not sent: ${m}`);
          }
          assert.equal(result.bulk.toLdc, result.bulk.sent);
          assert.equal(result.bulk.toUs, result.bulk.sent);
          assert.equal(result.channelsClosed, 4);
          t.diagnostic(
            `unordered maxRetransmits=0 delivered: to libdatachannel ${result.lossy.toLdc.length}/${result.lossy.sent}, to us ${result.lossy.toUs.length}/${result.lossy.sent}; ours: ${JSON.stringify(result.retransmissions)}`,
          );
          results.push(result);
        },
      );
    }

    it("really lost datagrams (iptables counted drops)", { timeout: 20_000 }, async () => {
      const rules = await (
        await namespace()
      ).exec(["iptables", "-L", "INPUT", "-v", "-n", "-x"], 10_000);
      const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP/m.exec(rules)?.[1]);
      assert.ok(dropped > 0, `iptables dropped nothing:\n${rules}`);
      assert.equal(results.length, 2, "both runs finished");
    });
  });
}
