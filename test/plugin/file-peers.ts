// Alice and Bob with the file-transfer application over the in-memory XMPP stand-in, and Bob's
// incoming offers in the order they came (test/plugin/file-*.test.ts).
import assert from "node:assert/strict";
import {
  fileTransferApplication,
  jingleIceUdp,
  type IncomingFile,
  type JingleIceOptions,
} from "../../src/plugin/index.js";
import { FakeNetwork } from "./fake-xmpp.js";

export const ALICE = "alice@jingle.test/bot";
export const BOB = "bob@jingle.test/bot";

/**
 * Two plugins on `network` (ICE on 127.0.0.1, `options` added); `nextFile()` resolves with Bob's
 * next incoming offer, whether it came before or after the call.
 */
export function filePeers(network = new FakeNetwork(), options: JingleIceOptions = {}) {
  const all = {
    ice: { addresses: ["127.0.0.1"] },
    applications: [fileTransferApplication()],
    ...options,
  };
  const alice = jingleIceUdp(network.client(ALICE), all);
  const bob = jingleIceUdp(network.client(BOB), all);
  const offers: IncomingFile[] = [];
  const waiting: ((file: IncomingFile) => void)[] = [];
  bob.on("incoming", (session) => {
    const file = bob.incomingFile(session);
    assert.ok(file, "an incoming file-transfer session shows its file");
    const w = waiting.shift();
    if (w) w(file);
    else offers.push(file);
  });
  const nextFile = () =>
    new Promise<IncomingFile>((resolve) => {
      const f = offers.shift();
      if (f) resolve(f);
      else waiting.push(resolve);
    });
  return { network, alice, bob, nextFile };
}
