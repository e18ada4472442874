// Relayed candidates through a real coturn on 127.0.0.1 (started by the test; docs/testing.md, docs/field-notes.md):
// two drivers with the relay-only policy connect relay ↔ relay over UDP, TCP and TLS, with
// long-term credentials and with a static-auth-secret (TURN REST API) instance.
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import {
  DatagramChannel,
  IceConnection,
  toRemoteCandidateInput,
  type TurnServerUrls,
} from "../../src/index.js";
import { TurnError } from "../../src/turn/errors.js";
import { requireCoturn, startCoturn, type Coturn } from "../support/coturn.js";

let longTerm: Coturn;
let restApi: Coturn;

before(async () => {
  await requireCoturn();
  [longTerm, restApi] = await Promise.all([
    startCoturn({
      auth: {
        kind: "long-term",
        realm: "jingle-ice.test",
        users: { alice: "alice-pass", bob: "bob-pass" },
      },
      tls: true,
    }),
    startCoturn({
      auth: { kind: "static-auth-secret", realm: "jingle-ice.test", secret: "shared-secret" },
    }),
  ]);
});

after(async () => {
  await Promise.all([longTerm?.stop(), restApi?.stop()]);
});

function server(turn: Coturn, user: string, transport: "udp" | "tcp" | "tls"): TurnServerUrls {
  const urls =
    transport === "tls"
      ? `turns:127.0.0.1:${turn.tlsPort}`
      : `turn:127.0.0.1:${turn.port}?transport=${transport}`;
  const { username, password } = turn.credentialsFor(user);
  return { urls, username, password, ...(turn.ca ? { ca: turn.ca } : {}) };
}

/** Two relay-only drivers connected through `turn`; returns them after an echoed datagram. */
async function relayPair(turn: Coturn, transport: "udp" | "tcp" | "tls") {
  const make = (role: "controlling" | "controlled", user: string) =>
    IceConnection.create({
      role,
      addresses: ["127.0.0.1"],
      relayOnly: true,
      turnServers: [server(turn, user, transport)],
    });
  const a = await make("controlling", "alice");
  const b = await make("controlled", "bob");
  const errors: string[] = [];
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(toRemoteCandidateInput(c)));
    from.on("gathering-complete", () => to.endOfRemoteCandidates());
    from.on("turn-error", (_server, error) => errors.push(error.message));
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
  const selected = Promise.all([once(a, "selected-pair"), once(b, "selected-pair")]);
  a.startGathering();
  b.startGathering();
  await selected;
  assert.deepEqual(errors, []);
  const channelA = new DatagramChannel(a);
  const channelB = new DatagramChannel(b);
  channelB.on("message", (data) => channelB.send(data));
  for (const text of ["first", "second", "third"]) {
    const echoed = once(channelA, "message");
    assert.equal(channelA.send(new TextEncoder().encode(text)), true);
    const [data] = (await echoed) as [Uint8Array];
    assert.equal(new TextDecoder().decode(data), text);
  }
  return { a, b, close: () => Promise.all([channelA.close(), channelB.close()]) };
}

describe("TURN through a real coturn", () => {
  for (const transport of ["udp", "tcp", "tls"] as const) {
    it(`connects relay to relay over ${transport.toUpperCase()} with long-term credentials and relays datagrams`, async () => {
      const { a, b, close } = await relayPair(longTerm, transport);
      for (const side of [a, b]) {
        const pair = side.selectedPair()!;
        assert.equal(pair.local.type, "relay");
        assert.equal(pair.remote.type, "relay");
        const [allocation] = side.stats().turn;
        assert.equal(allocation?.transport, transport);
        assert.equal(allocation?.state, "allocated");
        assert.ok((allocation?.channelBindRequests ?? 0) >= 1, "a channel was bound");
      }
      await close();
    });
  }

  it("authenticates with TURN REST API credentials against a static-auth-secret instance", async () => {
    const { a, close } = await relayPair(restApi, "udp");
    assert.equal(a.selectedPair()!.local.type, "relay");
    await close();
  });

  it("reports a wrong password as a turn-error and still completes gathering", async () => {
    const connection = await IceConnection.create({
      role: "controlling",
      addresses: ["127.0.0.1"],
      turnServers: [
        { urls: `turn:127.0.0.1:${longTerm.port}`, username: "alice", password: "wrong" },
      ],
    });
    const error = once(connection, "turn-error");
    const gathered = once(connection, "gathering-complete");
    connection.startGathering();
    const [, failure] = (await error) as [unknown, TurnError];
    assert.ok(failure instanceof TurnError);
    assert.deepEqual(
      [failure.phase, failure.code, failure.errorName],
      ["allocate", 401, "Unauthorized"],
    );
    assert.match(failure.message, /^TURN allocate failed: 401 Unauthorized/);
    await gathered;
    await connection.close();
  });
});
