// The router (src/ice/routing.ts) with stand-in relays: what goes where, and what the relays'
// reports do to candidates, pairs, gathering and the receiver.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransportAddress } from "../../src/common/address.js";
import type { LocalCandidate } from "../../src/ice/candidate.js";
import type { Reception } from "../../src/ice/ports.js";
import type { RelayEvent } from "../../src/ice/relays.js";
import { Router, type RelayPort } from "../../src/ice/routing.js";
import type { Transmit } from "../../src/ice/types.js";
import { TurnError } from "../../src/turn/errors.js";
import { HOST, PEER, PEER2, remoteHost, testParts, v4 } from "./parts.js";

const RELAYED = v4("198.51.100.2", 50000);
const MAPPED = v4("203.0.113.1", 40000);
const TURN = v4("198.51.100.2", 3478);

/** Relays that do what the test says. */
class StandInRelays implements RelayPort {
  readonly relayedAddresses: TransportAddress[] = [];
  readonly sent: string[] = [];
  readonly transmits: Transmit[] = [];
  readonly events: RelayEvent[] = [];
  gathering = false;
  isRelayed(local: TransportAddress): boolean {
    return this.relayedAddresses.some((a) => a.address === local.address && a.port === local.port);
  }
  send(_now: number, local: TransportAddress, remote: TransportAddress): boolean {
    this.sent.push(`${local.port}->${remote.port}`);
    this.transmits.push({ type: "stream-data", stream: 1, data: new Uint8Array(1) });
    return true;
  }
  start(): void {}
  handleDatagram(): boolean {
    return false;
  }
  handleStreamData(): void {}
  handleStreamClosed(): void {}
  handleTimeout(): void {}
  close(): void {}
  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }
  pollEvent(): RelayEvent | undefined {
    return this.events.shift();
  }
  pollTimeout(): undefined {
    return undefined;
  }
  stats(): [] {
    return [];
  }
}

function setup(relayOnly = false) {
  const p = testParts({ relayOnly });
  p.registry.addHost(1, HOST);
  const relays = new StandInRelays();
  const received: { socket: LocalCandidate; remote: TransportAddress; data: Uint8Array }[] = [];
  const receiver = {
    receive: (
      _now: number,
      socket: LocalCandidate,
      remote: TransportAddress,
      data: Uint8Array,
    ): Reception => {
      received.push({ socket, remote, data });
      return "data";
    },
  };
  const router = new Router(
    relays,
    relayOnly,
    p.registry,
    p.gathering,
    p.checklist,
    receiver,
    p.events,
    p.transmits,
  );
  const allocated: RelayEvent = {
    type: "allocated",
    socket: p.registry.sockets[0]!,
    relayed: RELAYED,
    mapped: MAPPED,
    server: TURN,
  };
  return { p, relays, router, received, allocated };
}

describe("Router", () => {
  it("sends from a host socket as a datagram and from a relayed address through its allocation", () => {
    const { p, relays, router } = setup();
    relays.relayedAddresses.push(RELAYED);
    assert.equal(router.send(0, HOST, PEER, new Uint8Array(1)), true);
    assert.equal(router.send(0, RELAYED, PEER, new Uint8Array(1)), true);
    assert.deepEqual(relays.sent, [`${RELAYED.port}->${PEER.port}`]);
    assert.deepEqual(
      p.takeTransmits().map((t) => t.type),
      ["datagram", "stream-data"],
      "the relays' transmits are taken at once",
    );
  });

  it("turns an allocation into a relayed and a server-reflexive candidate and lets gathering complete", () => {
    const { p, relays, router, allocated } = setup();
    p.gathering.start(0);
    relays.events.push(allocated);
    router.handleTimeout(0);
    const events = p.takeEvents();
    assert.deepEqual(
      events.map((e) => (e.type === "local-candidate" ? e.candidate.type : e.type)),
      ["host", "srflx", "relay", "gathering-complete"],
    );
    assert.equal(p.registry.socketFor(RELAYED)?.candidate.type, "relay");
  });

  it("with the relay-only policy adds only the relayed candidate", () => {
    const { p, relays, router, allocated } = setup(true);
    p.gathering.start(0);
    relays.events.push(allocated);
    router.handleTimeout(0);
    assert.deepEqual(
      p.takeEvents().flatMap((e) => (e.type === "local-candidate" ? [e.candidate.type] : [])),
      ["relay"],
    );
  });

  it("reports a lost allocation as a turn-error and fails the pairs of its relayed candidate", () => {
    const { p, relays, router, allocated } = setup();
    p.gathering.start(0);
    relays.events.push(allocated);
    router.handleTimeout(0);
    p.registry.addRemote(remoteHost(PEER));
    const error = new TurnError("refresh", 437, "Allocation Mismatch");
    relays.events.push({ type: "failed", server: TURN, relayed: RELAYED, error });
    router.handleTimeout(1);
    assert.deepEqual(
      p.takeEvents().filter((e) => e.type === "turn-error"),
      [{ type: "turn-error", server: TURN, error }],
    );
    const relayedPairs = p.checklist.pairs.filter((pair) => pair.local.base === RELAYED);
    assert.deepEqual(
      relayedPairs.map((pair) => pair.state),
      ["failed"],
    );
    assert.equal(p.registry.socketFor(RELAYED), undefined);
  });

  it("hands the peer's relayed datagrams straight to the receiver, on the relayed socket", () => {
    const { p, relays, router, received, allocated } = setup();
    relays.events.push(allocated);
    relays.events.push({ type: "data", relayed: RELAYED, peer: PEER, data: Uint8Array.of(7) });
    router.handleStreamData(0, 1, new Uint8Array(0));
    assert.equal(received.length, 1);
    assert.equal(received[0]!.socket, p.registry.socketFor(RELAYED));
    assert.deepEqual([received[0]!.remote, [...received[0]!.data]], [PEER, [7]]);
  });

  it("fails only the refused peer's pairs on that relay when a permission is refused", () => {
    const { p, relays, router, allocated } = setup();
    p.gathering.start(0);
    relays.events.push(allocated);
    router.handleTimeout(0);
    p.registry.addRemote(remoteHost(PEER));
    p.registry.addRemote(remoteHost(PEER2));
    const error = new TurnError("permission", 403, "Forbidden");
    relays.events.push({ type: "permission-failed", relayed: RELAYED, peer: PEER, error });
    router.handleTimeout(1);
    const states = p.checklist.pairs.map(
      (pair) => `${pair.local.candidate.type}->${pair.remote.address.port}:${pair.state}`,
    );
    assert.deepEqual(states.sort(), [
      `host->${PEER.port}:waiting`,
      `host->${PEER2.port}:waiting`,
      `relay->${PEER.port}:failed`,
      `relay->${PEER2.port}:waiting`,
    ]);
  });
});
