// Our SCTP and DCEP over our ICE + DTLS against usrsctp through libdatachannel (node-datachannel
// 0.33, libdatachannel 0.24: usrsctp's association, libdatachannel's DCEP, libjuice's ICE). Its
// remote description is an SDP made from the Jingle transport we send, in XEP-0343's (sctpmap)
// and Conversations' (webrtc-datachannel) variants, with us as DTLS client and as server. The
// two variants give libdatachannel the same SDP except a=max-message-size, which only
// Conversations' carries: without it libdatachannel falls back to RFC 8841 §6.1's 64 KiB, so
// both are run. Reliable and unordered maxRetransmits=0 channels are opened from both sides,
// text / binary / empty / 50 kB messages go both ways, and each side closes a channel it opened
// and one the other side opened by stream reset (RFC 8831 §6.7, RFC 6525), which the other side
// sees. libdatachannel gathers on every interface, which the network rule forbids here: both
// peers run in one child process inside a namespace the test creates (lo and a veth pair, no
// route out; test/support/lone-namespace.ts), and libdatachannel binds to the veth's address
// only (`bindAddress`), which the test checks on its candidates.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { requireNetns } from "../support/netns.js";
import {
  createLoneNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./usrsctp-sctp-run.ts", import.meta.url));
const TIMEOUT = { timeout: 120_000 };

let setup: Promise<LoneNamespace> | undefined;
const namespace = (): Promise<LoneNamespace> =>
  (setup ??= requireNetns().then(() => createLoneNamespace("jice-usctp")));

interface ChannelSeen {
  label: string;
  protocol: string;
  id: number;
  ordered: boolean;
  maxRetransmits: number | null;
}
interface RunResult {
  ok: boolean;
  error?: string;
  expected: string[];
  expectedUnordered: string[];
  messages: string[][];
  unordered: string[][];
  theirs: ChannelSeen[];
  mine: { label: string; id: number; ldcId: number; protocol: string }[];
  ldcCandidates: string[];
  channelsClosed: number;
  sdpMaxMessageSize: string | null;
  ldcMaxMessageSize: number;
}

async function run(setupAttribute: string, variant: string): Promise<RunResult> {
  const ns = await namespace();
  const out = await ns.exec(
    [process.execPath, "--import", "tsx", RUNNER, LONE_ADDRESS, setupAttribute, variant],
    110_000,
  );
  return JSON.parse(out.trim().split("\n").pop()!) as RunResult;
}

describe("SCTP data channels interop with usrsctp (libdatachannel via node-datachannel)", () => {
  after(async () => {
    await setup?.then((ns) => ns.destroy()).catch(() => undefined);
  });

  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    for (const [setupAttribute, ourRole, ourParity] of [
      ["active", "client", 0],
      ["passive", "server", 1],
    ] as const) {
      it(
        `exchanges messages both ways on reliable and unordered channels opened by either side and closes them by stream reset (${variant} signalling, we are the DTLS ${ourRole})`,
        TIMEOUT,
        async () => {
          const result = await run(setupAttribute, variant);
          assert.equal(result.ok, true, result.error);
          // libdatachannel bound to the namespace's veth only: nothing else was offered.
          assert.ok(result.ldcCandidates.length > 0);
          for (const c of result.ldcCandidates)
            assert.match(c, new RegExp(` UDP \\d+ ${LONE_ADDRESS.replaceAll(".", "\\.")} \\d+ `));
          for (const received of result.messages) assert.deepEqual(received, result.expected);
          for (const received of result.unordered)
            assert.deepEqual(received, result.expectedUnordered);
          // What libdatachannel's DATA_CHANNEL_OPEN told us (RFC 8832 §5.1).
          const byLabel = new Map(result.theirs.map((c) => [c.label, c]));
          assert.deepEqual(byLabel.get("from-ldc"), {
            label: "from-ldc",
            protocol: "ldc-proto",
            id: byLabel.get("from-ldc")?.id,
            ordered: true,
            maxRetransmits: null,
          });
          assert.deepEqual(byLabel.get("ldc-lossy"), {
            label: "ldc-lossy",
            protocol: "",
            id: byLabel.get("ldc-lossy")?.id,
            ordered: false,
            maxRetransmits: 0,
          });
          // RFC 8832 §6: the DTLS client opens even stream ids, the server odd ones.
          for (const c of result.theirs) assert.equal(c.id % 2, 1 - ourParity);
          assert.deepEqual(
            result.mine.map((c) => [c.label, c.protocol, c.id % 2, c.ldcId - c.id]),
            [
              ["from-us", "xmpp-jingle", ourParity, 0],
              ["us-lossy", "", ourParity, 0],
            ],
          );
          assert.equal(result.channelsClosed, 4);
          assert.equal(
            result.sdpMaxMessageSize,
            variant === "webrtc-datachannel" ? "262144" : null,
          );
          assert.equal(result.ldcMaxMessageSize, variant === "webrtc-datachannel" ? 262144 : 65536);
        },
      );
    }
  }
});
