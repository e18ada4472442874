// Our ICE + DTLS against libwebrtc (@roamhq/wrtc): an RTCPeerConnection whose remote
// description is made from our ICE credentials, candidates and DTLS fingerprint reaches
// connectionState "connected", in both DTLS roles. libwebrtc gathers on every interface, which
// the network rule forbids here, so both peers run in one child process inside a namespace the
// test creates (lo and a veth pair, no route out; test/support/lone-namespace.ts).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { requireNetns } from "../support/netns.js";
import {
  createLoneNamespace,
  LONE_ADDRESS,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./wrtc-dtls-run.ts", import.meta.url));
const TIMEOUT = { timeout: 40_000 };

let setup: Promise<LoneNamespace> | undefined;
const namespace = (): Promise<LoneNamespace> =>
  (setup ??= requireNetns().then(() => createLoneNamespace("jice-wrtc")));

interface RunResult {
  ok: boolean;
  error?: string;
  wrtcCandidates: string[];
  info: { cipherSuite: string; srtpProfile: string; remoteFingerprint: { value: string } };
}

async function run(setupAttribute: "active" | "passive"): Promise<RunResult> {
  const ns = await namespace();
  const out = await ns.exec(
    [process.execPath, "--import", "tsx", RUNNER, LONE_ADDRESS, setupAttribute],
    30_000,
  );
  return JSON.parse(out.trim().split("\n").pop()!) as RunResult;
}

describe("ICE + DTLS interop with libwebrtc (@roamhq/wrtc RTCPeerConnection)", () => {
  after(async () => {
    await setup?.then((ns) => ns.destroy()).catch(() => undefined);
  });

  for (const [setupAttribute, ourRole] of [
    ["active", "client"],
    ["passive", "server"],
  ] as const) {
    it(
      `libwebrtc reaches connectionState connected with us as DTLS ${ourRole} (a=setup:${setupAttribute})`,
      TIMEOUT,
      async () => {
        const result = await run(setupAttribute);
        assert.equal(result.ok, true, result.error);
        assert.equal(result.info.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assert.match(result.info.remoteFingerprint.value, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        for (const address of result.wrtcCandidates)
          assert.ok(
            [LONE_ADDRESS, "127.0.0.1", "::1"].includes(address),
            `libwebrtc gathered ${address}`,
          );
      },
    );
  }
});
