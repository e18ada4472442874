// Our SCTP and DCEP over our ICE + DTLS against libwebrtc's (@roamhq/wrtc RTCPeerConnection):
// its remote description is an SDP made from the Jingle transport we send, in XEP-0343's and
// Conversations' variants, with us as DTLS client and as server. Channels are opened from both
// sides, text / binary / empty / 50 kB messages go both ways on both, and each side closes one
// channel by stream reset. libwebrtc gathers on every interface, which the network rule forbids
// here, so both peers run in one child process inside a namespace the test creates (lo and a
// veth pair, no route out; test/support/lone-namespace.ts).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { requireNetns } from "../support/netns.js";
import {
  createLoneNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./wrtc-sctp-run.ts", import.meta.url));
const TIMEOUT = { timeout: 60_000 };

let setup: Promise<LoneNamespace> | undefined;
const namespace = (): Promise<LoneNamespace> =>
  (setup ??= requireNetns().then(() => createLoneNamespace("jice-wsctp")));

interface RunResult {
  ok: boolean;
  error?: string;
  expected: string[];
  messages: string[][];
  theirs: { label: string; protocol: string; id: number };
  mine: { label: string; protocol: string; id: number; wrtcId: number };
  wrtcStates: string[];
  channelsClosed: number;
  sdpSctpPort: string;
  sdpMaxMessageSize: string | null;
}

async function run(setupAttribute: string, variant: string): Promise<RunResult> {
  const ns = await namespace();
  const out = await ns.exec(
    [process.execPath, "--import", "tsx", RUNNER, LONE_ADDRESS, setupAttribute, variant],
    50_000,
  );
  return JSON.parse(out.trim().split("\n").pop()!) as RunResult;
}

describe("SCTP data channels interop with libwebrtc (@roamhq/wrtc)", () => {
  after(async () => {
    await setup?.then((ns) => ns.destroy()).catch(() => undefined);
  });

  for (const variant of ["sctpmap", "webrtc-datachannel"] as const) {
    for (const [setupAttribute, ourRole, ourParity] of [
      ["active", "client", 0],
      ["passive", "server", 1],
    ] as const) {
      it(
        `exchanges messages both ways on channels opened by either side and closes them by stream reset (${variant} signalling, we are the DTLS ${ourRole})`,
        TIMEOUT,
        async () => {
          const result = await run(setupAttribute, variant);
          assert.equal(result.ok, true, result.error);
          for (const received of result.messages) assert.deepEqual(received, result.expected);
          assert.deepEqual(result.theirs, {
            label: "from-wrtc",
            protocol: "wrtc-proto",
            id: result.theirs.id,
          });
          assert.equal(result.mine.label, "from-us");
          assert.equal(result.mine.protocol, "xmpp-jingle");
          // RFC 8832 §6: the DTLS client opens even stream ids, the server odd ones.
          assert.equal(result.mine.id % 2, ourParity);
          assert.equal(result.mine.wrtcId, result.mine.id);
          assert.equal(result.theirs.id % 2, 1 - ourParity);
          assert.deepEqual(result.wrtcStates, ["closed", "closed"]);
          assert.equal(result.channelsClosed, 2);
          assert.equal(result.sdpSctpPort, "5000");
          assert.equal(
            result.sdpMaxMessageSize,
            variant === "webrtc-datachannel" ? "262144" : null,
          );
        },
      );
    }
  }
});
