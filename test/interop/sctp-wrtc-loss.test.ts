// Our SCTP against libwebrtc's (@roamhq/wrtc) under 1 % and 5 % random loss: iptables'
// `statistic` match drops UDP datagrams in a namespace the test creates
// (test/support/lone-namespace.ts), where both peers run in one child process
// (test/interop/wrtc-sctp-run.ts). Over ICE and DTLS made from our Jingle transport, channels
// open from both sides, small messages go both ways, 64 × 16 KiB go each way ordered and intact
// (SHA-1), and both channels close by stream reset. Needs root, iproute2 and iptables; FAILS
// (never skips) without them.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  createLossyNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./wrtc-sctp-run.ts", import.meta.url));
const BULK = 64;

interface RunResult {
  ok: boolean;
  error?: string;
  expected: string[];
  messages: string[][];
  channelsClosed: number;
  wrtcStates: string[];
  bulk: { toWrtc: string; toUs: string; sent: string };
  retransmissions: { total: number; t3: number; fast: number };
}

for (const percent of [1, 5]) {
  describe(`SCTP data channels with libwebrtc under ${percent} % loss (iptables statistic, in a namespace)`, () => {
    let ns: Promise<LoneNamespace> | undefined;
    const namespace = (): Promise<LoneNamespace> =>
      (ns ??= createLossyNamespace(`jice-dcl${percent}`, percent));
    after(async () => {
      await ns?.then((n) => n.destroy()).catch(() => undefined);
    });
    const results: RunResult[] = [];

    for (const [setupAttribute, ourRole, variant] of [
      ["active", "client", "sctpmap"],
      ["passive", "server", "webrtc-datachannel"],
    ] as const) {
      it(
        `delivers every message both ways, ${BULK} × 16 KiB each way intact, and closes by stream reset (we are the DTLS ${ourRole}, ${variant})`,
        { timeout: 150_000 },
        async () => {
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
          assert.equal(result.bulk.toWrtc, result.bulk.sent);
          assert.equal(result.bulk.toUs, result.bulk.sent);
          assert.deepEqual(result.wrtcStates, ["closed", "closed"]);
          assert.equal(result.channelsClosed, 2);
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
