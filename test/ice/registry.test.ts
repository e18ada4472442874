import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { candidatePriority, localPreference } from "../../src/ice/priority.js";
import { HOST, PEER, PEER2, remoteHost, testParts, v4 } from "./parts.js";

const HOST2 = v4("192.0.2.11", 1001);
const RELAYED = v4("198.51.100.2", 50000);
const MAPPED = v4("203.0.113.1", 40000);
const TURN = v4("198.51.100.2", 3478);
const STUN = v4("198.51.100.1", 3478);

const announced = (parts: ReturnType<typeof testParts>) =>
  parts.takeEvents().flatMap((e) => (e.type === "local-candidate" ? [e.candidate] : []));

describe("CandidateRegistry", () => {
  it("announces sockets only once gathering started, then each new one as it comes", () => {
    const p = testParts();
    p.registry.addHost(1, HOST);
    assert.deepEqual(announced(p), []);
    p.registry.announceSockets();
    p.registry.addHost(1, HOST2);
    assert.deepEqual(
      announced(p).map((c) => c.address),
      [HOST, HOST2],
    );
    p.registry.addHost(1, { ...HOST }); // the same socket again
    assert.equal(p.registry.sockets.length, 2);
  });

  it("with the relay-only policy announces and pairs relayed candidates only", () => {
    const p = testParts({ relayOnly: true });
    p.registry.addHost(1, HOST);
    p.registry.announceSockets();
    p.registry.addRelayed(1, RELAYED, MAPPED, TURN);
    p.registry.addRemote(remoteHost(PEER));
    assert.deepEqual(
      announced(p).map((c) => c.type),
      ["relay"],
    );
    assert.deepEqual(
      p.checklist.pairs.map((pair) => pair.local.base),
      [RELAYED],
    );
    assert.equal(p.registry.usable(p.registry.socketFor(HOST)!), false);
  });

  it("builds candidates with RFC 8445 priorities and foundations shared by type, base and server", () => {
    const p = testParts();
    p.registry.addHost(1, HOST);
    p.registry.addHost(1, HOST2);
    p.registry.addRelayed(1, RELAYED, MAPPED, TURN);
    const [host, host2, relay] = p.registry.sockets.map((s) => s.candidate);
    assert.equal(host!.priority, candidatePriority("host", localPreference("IPv4", 0), 1));
    assert.equal(host2!.priority, candidatePriority("host", localPreference("IPv4", 1), 1));
    assert.deepEqual(relay, {
      foundation: "3",
      component: 1,
      transport: "udp",
      priority: candidatePriority("relay", localPreference("IPv4", 0), 1),
      address: RELAYED,
      type: "relay",
      relatedAddress: MAPPED,
    });
    assert.equal("relatedAddress" in host!, false);
    p.registry.addServerReflexive(p.registry.sockets[0]!, MAPPED, STUN);
    p.registry.addServerReflexive(p.registry.sockets[1]!, MAPPED, STUN); // the same address: skipped
    p.registry.addServerReflexive(p.registry.sockets[1]!, HOST2, STUN); // its own base: skipped
    const srflx = p.registry.locals.filter((l) => l.candidate.type === "srflx");
    assert.equal(srflx.length, 1);
    assert.deepEqual(srflx[0]!.candidate.relatedAddress, HOST);
    assert.equal(srflx[0]!.candidate.priority >>> 24, 100, "srflx type preference");
  });

  it("pairs each socket with the remote candidates of its component and family, counting pairs over the cap", () => {
    const p = testParts({ maxPairs: 2 });
    p.registry.addHost(1, HOST);
    p.registry.addHost(1, { family: "IPv6", address: "2001:db8::1", port: 1000 });
    p.registry.announceSockets();
    p.registry.addRemote(remoteHost(PEER));
    p.registry.addRemote(remoteHost(PEER2));
    p.registry.addRemote(remoteHost(v4("192.0.2.4", 4000), 1, 1));
    assert.equal(p.checklist.pairs.length, 2, "the IPv6 socket pairs with no IPv4 candidate");
    assert.deepEqual(p.counters.snapshot().dropped, { "pair-cap": 1 });
  });

  it("replaces a peer-reflexive remote with the signalled one in place and ignores duplicates and candidates over the cap", () => {
    const p = testParts({ maxRemoteCandidates: 2 });
    p.registry.addHost(1, HOST);
    const learnt = p.registry.learnRemote(1, PEER, 1234)!;
    assert.deepEqual(learnt, {
      foundation: "prflx1",
      component: 1,
      transport: "udp",
      priority: 1234,
      address: PEER,
      type: "prflx",
    });
    p.checklist.add(p.registry.sockets[0]!, learnt, "controlling");
    const pair = p.checklist.pairs[0]!;
    pair.state = "succeeded";
    const signalled = remoteHost(PEER);
    assert.equal(p.registry.addRemote(signalled), true);
    assert.equal(p.checklist.pairs[0], pair, "the same pair, its state kept");
    assert.equal(pair.remote, signalled);
    assert.equal(pair.state, "succeeded");
    assert.equal(p.registry.addRemote(remoteHost(PEER)), false);
    assert.equal(p.registry.addRemote(remoteHost(PEER2)), true);
    assert.equal(p.registry.addRemote(remoteHost(v4("192.0.2.4", 4000))), false);
    assert.equal(p.registry.learnRemote(1, v4("192.0.2.5", 5000), 1), undefined);
    assert.deepEqual(p.counters.snapshot().ignoredRemoteCandidates, { duplicate: 1, cap: 2 });
  });

  it("makes a peer-reflexive local candidate for a mapped address it does not know, once", () => {
    const p = testParts();
    p.registry.addHost(1, HOST);
    p.registry.announceSockets();
    p.registry.addRemote(remoteHost(PEER));
    const pair = p.checklist.pairs[0]!;
    assert.equal(p.registry.localFor(pair, HOST), p.registry.sockets[0], "the host itself");
    const prflx = p.registry.localFor(pair, MAPPED);
    assert.equal(prflx.candidate.type, "prflx");
    assert.deepEqual([prflx.base, prflx.candidate.relatedAddress], [HOST, HOST]);
    assert.equal(p.registry.localFor(pair, MAPPED), prflx);
    p.takeEvents();
    p.registry.reannounce();
    assert.deepEqual(
      announced(p).map((c) => c.type),
      ["host"],
      "peer-reflexive candidates are never signalled",
    );
  });

  it("forgets a relayed socket whose allocation failed and fails its unfinished pairs", () => {
    const p = testParts();
    p.registry.announceSockets();
    p.registry.addRelayed(1, RELAYED, MAPPED, TURN);
    p.registry.addRemote(remoteHost(PEER));
    p.registry.addRemote(remoteHost(PEER2));
    const [first, second] = p.checklist.pairs;
    first!.state = "succeeded";
    p.registry.dropRelayed(RELAYED);
    assert.deepEqual([first!.state, second!.state], ["succeeded", "failed"]);
    assert.equal(p.registry.socketFor(RELAYED), undefined);
  });
});
