// The IBB fallback end to end with UDP really blocked: a namespace of its own (lo only) whose
// firewall drops every UDP datagram, a real Prosody and two plugins in it
// (test/e2e/ibb-fallback-run.ts). ICE-UDP fails, the sender moves the transfer to In-Band
// Bytestreams (XEP-0261) and the file arrives verified through Prosody. Needs root, iproute2,
// iptables and prosody; FAILS without them when CI is set.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { requireNetns } from "../support/netns.js";
import { requireProsody } from "../support/prosody.js";
import {
  createLoneNamespace,
  requireIptables,
  type LoneNamespace,
} from "../support/lone-namespace.js";

const RUNNER = fileURLToPath(new URL("./ibb-fallback-run.ts", import.meta.url));
const TIMEOUT = { timeout: 120_000 };

let setup: Promise<LoneNamespace> | undefined;
const namespace = (): Promise<LoneNamespace> =>
  (setup ??= (async () => {
    await requireNetns();
    await requireIptables();
    await requireProsody();
    const ns = await createLoneNamespace("jice-ibb");
    // Every UDP datagram dropped, in and out: no ICE-UDP path can exist.
    await ns.exec(["iptables", "-A", "OUTPUT", "-p", "udp", "-j", "DROP"], 10_000);
    await ns.exec(["iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP"], 10_000);
    return ns;
  })());

interface Run {
  sender: { reason: { condition: string; text?: string }; bytes: number; flavour?: string };
  receiver: {
    reason: { condition: string; text?: string };
    bytes: number;
    flavour?: string;
    verified: boolean;
  };
  sent: string;
  kept: string | null;
  seconds: number;
}

async function run(size: number, variant: string): Promise<Run> {
  const ns = await namespace();
  const out = await ns.exec(
    [process.execPath, "--import", "tsx", RUNNER, String(size), variant],
    100_000,
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

describe("file transfer when UDP is blocked (IBB fallback through a real Prosody)", () => {
  after(async () => {
    await setup?.then((ns) => ns.destroy()).catch(() => undefined);
  });

  for (const [size, variant] of [
    [1, "sctpmap"],
    [300_000, "webrtc-datachannel"],
  ] as const) {
    it(
      `moves a ${size}-byte transfer (${variant} offer) to In-Band Bytestreams and the receiver verifies it`,
      TIMEOUT,
      async () => {
        const r = await run(size, variant);
        assert.equal(r.receiver.reason.condition, "success", r.receiver.reason.text);
        assert.equal(r.sender.reason.condition, "success", r.sender.reason.text);
        assert.equal(r.sender.flavour, "ibb");
        assert.equal(r.receiver.flavour, "ibb");
        assert.equal(r.receiver.verified, true);
        assert.equal(r.receiver.bytes, size);
        assert.equal(r.kept, r.sent);
      },
    );
  }
});
