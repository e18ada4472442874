// Relay-only interop through a real coturn on 127.0.0.1: `jingle-ice peer --relay-only` against
// itself, libnice and aioice (both also relay-only), in both roles, with pings both ways.
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { requireCoturn, startCoturn, type Coturn } from "../support/coturn.js";
import { stopAllPeers, type PeerOptions } from "./harness.js";
import { pairAndPing } from "./pairing.js";

let turn: Coturn;
const users = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"];

before(async () => {
  await requireCoturn();
  turn = await startCoturn({
    auth: {
      kind: "long-term",
      realm: "jingle-ice.test",
      users: Object.fromEntries(users.map((u) => [u, `${u}-pass`])),
    },
  });
});

after(async () => {
  await turn?.stop();
});

afterEach(async () => {
  await stopAllPeers();
});

let nextUser = 0;
function relayOnly(): PeerOptions {
  const user = users[nextUser++ % users.length]!;
  return {
    relayOnly: true,
    turn: { server: `127.0.0.1:${turn.port}`, user, pass: `${user}-pass`, transport: "udp" },
  };
}

/**
 * Pairs and pings, then checks that our peers offered relayed candidates only and send through
 * the relay. The other stacks' own choices are theirs: aioice 0.8, for one, offers only its
 * relayed candidate under relay-only but still sends its checks from its host socket.
 */
async function relayed(...args: Parameters<typeof pairAndPing>): Promise<void> {
  const { a, b } = await pairAndPing(...args);
  for (const peer of [a, b]) {
    if (peer.hello?.impl !== "jingle-ice") continue;
    const selected = peer.events.filter((e) => e.ev === "selected-pair").at(-1);
    if (selected?.ev === "selected-pair")
      assert.equal(selected.local.type, "relay", `${peer.name} sends through the relay`);
    for (const e of peer.events) {
      if (e.ev === "local-candidate")
        assert.equal(e.candidate.type, "relay", `${peer.name} offers relayed candidates only`);
    }
  }
}

describe("relay-only interop through coturn", () => {
  it("two jingle-ice peers connect relay to relay and answer pings both ways", async () => {
    await relayed("jingle-ice", "controlling", "jingle-ice", relayOnly(), relayOnly());
  });

  it("connects relay-only with libnice in both roles", async () => {
    await relayed("jingle-ice", "controlling", "libnice", relayOnly(), relayOnly());
    await relayed("libnice", "controlling", "jingle-ice", relayOnly(), relayOnly());
  });

  it("connects relay-only with aioice in both roles", async () => {
    await relayed("jingle-ice", "controlling", "aioice", relayOnly(), relayOnly());
    await relayed("aioice", "controlling", "jingle-ice", relayOnly(), relayOnly());
  });
});
