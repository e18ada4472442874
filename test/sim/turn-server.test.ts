import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TransportAddress } from "../../src/common/address.js";
import { utf8Decode, utf8Encode } from "../../src/common/bytes.js";
import {
  PasswordAlgorithmCode,
  StunMethod,
  attr,
  getAttribute,
  type DecodedStunMessage,
} from "../../src/stun/index.js";
import {
  NONCE_COOKIE_PASSWORD_ALGORITHMS,
  SimTurnServer,
  Simulator,
  StunProbe,
  TurnProbe,
  type TurnProbeOptions,
  zeroTurnServerCounters,
  type TurnServerOptions,
} from "./index.js";

const v4 = (address: string, port: number): TransportAddress => ({
  family: "IPv4",
  address,
  port,
});

const SERVER = v4("198.51.100.2", 3478);
const RELAY = v4("198.51.100.2", 50000);
const PEER = v4("203.0.113.9", 5000);
const OTHER_PEER = v4("203.0.113.10", 5000);

const zero = zeroTurnServerCounters;

/**
 * A TURN server on 198.51.100.2:3478, a peer (a raw StunProbe) on 203.0.113.9:5000 and another
 * on 203.0.113.10:5000, all on one "internet" with 10 ms latency; clients come from `client()`.
 */
function setup(options: Partial<TurnServerOptions> = {}) {
  const sim = new Simulator({ seed: 7 });
  const internet = sim.network("internet", { latency: 10 });
  const server = new SimTurnServer({
    rng: sim.rng("turn"),
    users: { alice: "alice-pw", bob: "bob-pw" },
    ...options,
  });
  const s = sim.attach(sim.host("turn", { ip: SERVER.address, on: internet }), server, [
    { port: 3478 },
  ]);
  server.useAttachment(s);
  const peer = new StunProbe(sim.rng("peer"));
  const p = sim.attach(sim.host("peer", { ip: PEER.address, on: internet }), peer, [
    { port: PEER.port },
  ]);
  const other = new StunProbe(sim.rng("other"));
  const o = sim.attach(sim.host("other", { ip: OTHER_PEER.address, on: internet }), other, [
    { port: OTHER_PEER.port },
  ]);
  const hosts = new Map<string, ReturnType<typeof sim.host>>();
  /** A TURN client on `ip`:`port` (hosts are made on first use). */
  const client = (
    ip = "198.51.100.7",
    port = 4000,
    extra: Partial<TurnProbeOptions> = {},
  ): { probe: TurnProbe; att: ReturnType<typeof sim.attach> } => {
    let host = hosts.get(ip);
    if (host === undefined) {
      host = sim.host(`client-${ip}`, { ip, on: internet });
      hosts.set(ip, host);
    }
    const probe = new TurnProbe({
      rng: sim.rng(`client-${ip}-${port}`),
      server: SERVER,
      username: "alice",
      password: "alice-pw",
      ...extra,
    });
    const att = sim.attach(host, probe, [{ port }]);
    probe.useAttachment(att);
    return { probe, att };
  };
  /** Lets every exchange in flight finish (a round trip is 20 ms). */
  const settle = (): number => sim.run({ maxTime: sim.now + 100 });
  /** The peer at `from` sends `text` to `to`. */
  const peerSends = (text: string, to: TransportAddress = RELAY, from = p): void =>
    from.input(() => (from === p ? peer : other).send(from.addresses[0]!, to, utf8Encode(text)));
  return { sim, internet, server, s, peer, p, other, o, client, settle, peerSends };
}

/** Allocates for a fresh client and settles. */
function allocated(env: ReturnType<typeof setup>, ...args: Parameters<typeof env.client>) {
  const c = env.client(...args);
  const exchange = c.att.input(() => c.probe.allocate());
  env.settle();
  assert.equal(exchange.final?.class, "success");
  return c;
}

const errorOf = (m: DecodedStunMessage | undefined) => getAttribute(m!, "ERROR-CODE")?.code;
const texts = (list: readonly { readonly data: Uint8Array }[]): string[] =>
  list.map((d) => utf8Decode(d.data));

describe("SimTurnServer", () => {
  it("challenges an Allocate with 401, then allocates a relayed address for the retry with credentials", () => {
    const sim = new Simulator({ seed: 3 });
    const internet = sim.network("internet", { latency: 10 });
    const nat = sim.nat("nat", {
      on: internet,
      publicIp: "203.0.113.1",
      mapping: "endpoint-independent",
      filtering: "address-and-port-dependent",
      portAllocation: "sequential",
    });
    const server = new SimTurnServer({
      rng: sim.rng("turn"),
      users: { alice: "alice-pw" },
      realm: "turn.example",
    });
    const s = sim.attach(sim.host("turn", { ip: SERVER.address, on: internet }), server, [
      { port: 3478 },
    ]);
    server.useAttachment(s);
    const probe = new TurnProbe({
      rng: sim.rng("alice"),
      server: server.address,
      username: "alice",
      password: "alice-pw",
    });
    const a = sim.attach(sim.host("alice", { ip: "10.0.0.2", on: nat.lan }), probe, [
      { port: 4000 },
    ]);
    probe.useAttachment(a);

    const exchange = a.input(() => probe.allocate());
    sim.run({ maxTime: 100 });

    assert.equal(exchange.attempts, 2);
    const [challenge, success] = exchange.responses;
    assert.equal(errorOf(challenge), 401);
    assert.equal(getAttribute(challenge!, "REALM"), "turn.example");
    assert.match(getAttribute(challenge!, "NONCE")!, /^[0-9a-f]{24}$/);
    assert.equal(getAttribute(challenge!, "PASSWORD-ALGORITHMS"), undefined);
    assert.equal(challenge!.messageIntegrity, undefined);
    assert.equal(challenge!.fingerprint, true);
    assert.equal(success, exchange.final);
    assert.equal(success!.class, "success");
    assert.deepEqual(exchange.verified, [false, true]);
    assert.equal(success!.fingerprint, true);
    assert.deepEqual(getAttribute(success!, "XOR-RELAYED-ADDRESS"), RELAY);
    assert.deepEqual(getAttribute(success!, "XOR-MAPPED-ADDRESS"), v4("203.0.113.1", 49152));
    assert.equal(getAttribute(success!, "LIFETIME"), 600);
    // request at 0 → 401 at 20 → retry reaches the server at 30: the lifetime counts from there.
    const [info] = server.allocationList();
    assert.deepEqual(info!.client, v4("203.0.113.1", 49152));
    assert.equal(info!.username, "alice");
    assert.equal(info!.expiresAt, 600_030);
    assert.deepEqual(server.counters, {
      ...zero(),
      allocateRequests: 2,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("relays a Send indication to a permitted peer and the peer's reply back as a Data indication", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    const permission = att.input(() => probe.createPermission(PEER));
    env.settle();
    assert.equal(permission.final?.class, "success");
    assert.deepEqual(permission.verified, [true]);

    att.input(() => probe.sendIndication(PEER, utf8Encode("hello")));
    env.settle();
    assert.equal(env.peer.received.length, 1);
    assert.deepEqual(env.peer.received[0]!.remote, RELAY);
    assert.deepEqual(texts(env.peer.received), ["hello"]);

    env.peerSends("world");
    env.settle();
    assert.equal(probe.relayed.length, 1);
    const data = probe.relayed[0]!;
    assert.equal(data.kind, "data");
    assert.deepEqual(data.kind === "data" ? data.peer : undefined, PEER);
    assert.deepEqual(texts(probe.relayed), ["world"]);
    assert.deepEqual(env.server.counters, {
      ...zero(),
      allocateRequests: 2,
      createPermissionRequests: 1,
      sendIndications: 1,
      relayedToPeer: 1,
      dataIndications: 1,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("drops Send indications and peer datagrams without a permission, and counts them", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    att.input(() => probe.createPermission(PEER));
    env.settle();
    att.input(() => probe.sendIndication(OTHER_PEER, utf8Encode("not allowed")));
    env.peerSends("from a stranger", RELAY, env.o);
    env.settle();
    assert.deepEqual(env.other.received, []);
    assert.deepEqual(probe.relayed, []);
    assert.equal(env.server.counters.sendIndications, 1);
    assert.equal(env.server.counters.relayedToPeer, 0);
    assert.equal(env.server.counters.droppedNoPermission, 2);
  });

  it("binds a channel and carries ChannelData both ways, with the permission the binding installs", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    const bind = att.input(() => probe.channelBind(0x4001, PEER));
    env.settle();
    assert.equal(bind.final?.class, "success");
    assert.deepEqual(bind.verified, [true]);

    att.input(() => probe.sendChannelData(0x4001, utf8Encode("over the channel")));
    env.settle();
    assert.deepEqual(texts(env.peer.received), ["over the channel"]);
    assert.deepEqual(env.peer.received[0]!.remote, RELAY);

    env.peerSends("back over it");
    env.settle();
    assert.deepEqual(
      probe.relayed.map((r) => r.kind),
      ["channel"],
    );
    assert.equal(probe.relayed[0]!.kind === "channel" && probe.relayed[0]!.channel, 0x4001);
    assert.deepEqual(texts(probe.relayed), ["back over it"]);

    // an unbound channel number is dropped; a Send indication still works beside the channel
    att.input(() => probe.sendChannelData(0x4002, utf8Encode("nowhere")));
    att.input(() => probe.sendIndication(PEER, utf8Encode("indication")));
    env.settle();
    assert.deepEqual(texts(env.peer.received), ["over the channel", "indication"]);
    assert.deepEqual(env.server.counters, {
      ...zero(),
      allocateRequests: 2,
      channelBindRequests: 1,
      channelDataFromClient: 2,
      channelDataToClient: 1,
      sendIndications: 1,
      relayedToPeer: 2,
      droppedNoChannel: 1,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("rejects a ChannelBind with 400 for a taken number, a peer bound to another number, or a number out of range", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    const ok = att.input(() => probe.channelBind(0x4000, PEER));
    env.settle();
    const again = att.input(() => probe.channelBind(0x4000, PEER)); // a refresh: fine
    const takenNumber = att.input(() => probe.channelBind(0x4000, OTHER_PEER));
    const peerElsewhere = att.input(() => probe.channelBind(0x4005, PEER));
    const outOfRange = att.input(() => probe.channelBind(0x3fff, OTHER_PEER));
    env.settle();
    assert.equal(ok.final?.class, "success");
    assert.equal(again.final?.class, "success");
    assert.equal(takenNumber.errorCode, 400);
    assert.equal(peerElsewhere.errorCode, 400);
    assert.equal(outOfRange.errorCode, 400);
    assert.deepEqual(
      [takenNumber, peerElsewhere, outOfRange].flatMap((e) => e.verified),
      [true, true, true],
    );
    assert.equal(env.server.counters.channelBindRequests, 5);
    assert.deepEqual(env.server.counters.errors, { 400: 3, 401: 1 });
  });

  it("answers a second Allocate on the same 5-tuple with 437 Allocation Mismatch", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    const allocate = att.input(() => probe.allocate());
    env.settle();
    assert.equal(allocate.errorCode, 437);
    assert.deepEqual(allocate.verified, [true]);
    assert.equal(env.server.counters.allocationsCreated, 1);
    assert.deepEqual(env.server.counters.errors, { 401: 1, 437: 1 });
  });

  it("answers a retransmission of the Allocate that created the allocation with identical bytes", () => {
    const env = setup();
    const { probe, att } = env.client();
    const allocate = att.input(() => probe.allocate());
    env.settle();
    att.input(() => probe.resend(allocate));
    env.settle();
    assert.equal(allocate.responses.length, 3);
    assert.deepEqual(allocate.responses[2]!.raw, allocate.responses[1]!.raw);
    assert.deepEqual(env.server.counters, {
      ...zero(),
      allocateRequests: 3,
      unauthorized: 1,
      errors: { 401: 1 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("deletes the allocation on Refresh with LIFETIME 0 and drops what then reaches its relayed port", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    att.input(() => probe.createPermission(PEER));
    env.settle();
    const refresh = att.input(() => probe.refresh(0));
    env.settle();
    assert.equal(refresh.final?.class, "success");
    assert.equal(getAttribute(refresh.final!, "LIFETIME"), 0);
    assert.deepEqual(env.server.allocationList(), []);

    env.peerSends("too late");
    att.input(() => probe.sendIndication(PEER, utf8Encode("too late")));
    const again = att.input(() => probe.refresh());
    env.settle();
    assert.equal(again.errorCode, 437);
    assert.deepEqual(probe.relayed, []);
    assert.deepEqual(env.peer.received, []);
    assert.equal(env.server.pollTimeout(), undefined);
    assert.deepEqual(env.server.counters, {
      ...zero(),
      allocateRequests: 2,
      createPermissionRequests: 1,
      refreshRequests: 2,
      sendIndications: 1,
      droppedNoAllocation: 2,
      unauthorized: 1,
      errors: { 401: 1, 437: 1 },
      allocations: 0,
      allocationsCreated: 1,
      deletedAllocations: 1,
    });
  });

  it("expires an allocation that is not refreshed exactly LIFETIME seconds after the Allocate", () => {
    const env = setup();
    allocated(env);
    // the successful Allocate reached the server at 30 ms
    env.sim.run({ maxTime: 600_029 });
    assert.equal(env.server.counters.allocations, 1);
    env.sim.run({ maxTime: 600_030 });
    assert.equal(env.server.counters.allocations, 0);
    assert.equal(env.server.counters.expiredAllocations, 1);
    env.peerSends("after expiry");
    env.settle();
    assert.equal(env.server.counters.droppedNoAllocation, 1);
  });

  it("grants max(default, min(requested, max)) seconds on Allocate and Refresh", () => {
    const env = setup({ defaultLifetime: 600, maxLifetime: 3600 });
    const { probe, att } = env.client();
    const allocate = att.input(() => probe.allocate([attr("LIFETIME", 7200)]));
    env.settle();
    assert.equal(getAttribute(allocate.final!, "LIFETIME"), 3600);
    const short = att.input(() => probe.refresh(60));
    env.settle();
    assert.equal(getAttribute(short.final!, "LIFETIME"), 600);
    const longer = att.input(() => probe.refresh(1200));
    env.settle();
    assert.equal(getAttribute(longer.final!, "LIFETIME"), 1200);
    // the last Refresh left at 200 ms (each settle() runs 100 ms) and arrived at 210 ms
    assert.equal(env.server.allocationList()[0]!.expiresAt, 210 + 1_200_000);
    env.sim.run({ maxTime: 1_200_209 });
    assert.equal(env.server.counters.expiredAllocations, 0);
    env.sim.run({ maxTime: 1_200_210 });
    assert.equal(env.server.counters.expiredAllocations, 1);
  });

  it("expires a permission after 300 s and a channel binding after 600 s", () => {
    const env = setup();
    const { probe, att } = env.client();
    att.input(() => probe.allocate([attr("LIFETIME", 3600)]));
    env.settle();
    att.input(() => probe.createPermission(OTHER_PEER));
    att.input(() => probe.channelBind(0x4000, PEER));
    env.settle(); // both reached the server at 110 ms
    const [info] = env.server.allocationList();
    assert.deepEqual(
      info!.permissions,
      new Map([
        [OTHER_PEER.address, 300_110],
        [PEER.address, 300_110],
      ]),
    );
    assert.equal(info!.channels.get(0x4000)!.expiresAt, 600_110);

    env.sim.run({ maxTime: 300_000 });
    env.peerSends("in time", RELAY, env.o);
    env.sim.run({ maxTime: 400_000 });
    env.peerSends("no permission any more", RELAY, env.o);
    env.peerSends("channel, but no permission");
    att.input(() => probe.sendChannelData(0x4000, utf8Encode("channel, no permission")));
    env.sim.run({ maxTime: 600_200 });
    att.input(() => probe.sendChannelData(0x4000, utf8Encode("no channel any more")));
    env.settle();

    assert.deepEqual(texts(probe.relayed), ["in time"]);
    assert.deepEqual(env.peer.received, []);
    const c = env.server.counters;
    assert.deepEqual(
      [c.expiredPermissions, c.expiredChannels, c.droppedNoPermission, c.droppedNoChannel],
      [2, 1, 3, 1],
    );
    assert.equal(c.dataIndications, 1);
  });

  it("answers a request whose nonce is older than nonceLifetime with 438 and a fresh nonce, and the retry succeeds", () => {
    const env = setup({ nonceLifetime: 60_000 });
    const { probe, att } = allocated(env);
    const oldNonce = probe.nonce;
    env.sim.run({ maxTime: 120_000 });
    const permission = att.input(() => probe.createPermission(PEER));
    env.settle();
    assert.equal(permission.attempts, 2);
    const [stale] = permission.responses;
    assert.equal(errorOf(stale), 438);
    assert.equal(getAttribute(stale!, "REALM"), "sim.example");
    assert.notEqual(getAttribute(stale!, "NONCE"), oldNonce);
    assert.equal(getAttribute(stale!, "NONCE"), probe.nonce);
    assert.deepEqual(permission.verified, [true, true]);
    assert.equal(permission.final?.class, "success");
    assert.equal(env.server.counters.staleNonces, 1);
    assert.deepEqual(env.server.counters.errors, { 401: 1, 438: 1 });
  });

  it("answers the next N requests with 438 after forceStaleNonce(N), mid-session", () => {
    const env = setup();
    const { probe, att } = allocated(env);
    env.server.forceStaleNonce(2);
    const refresh = att.input(() => probe.refresh());
    env.settle();
    assert.equal(refresh.attempts, 3);
    assert.deepEqual(refresh.responses.map(errorOf), [438, 438, undefined]);
    assert.equal(refresh.final?.class, "success");
    const next = att.input(() => probe.createPermission(PEER));
    env.settle();
    assert.equal(next.attempts, 1);
    assert.deepEqual(env.server.counters, {
      ...zero(),
      allocateRequests: 2,
      refreshRequests: 3,
      createPermissionRequests: 1,
      staleNonces: 2,
      unauthorized: 1,
      errors: { 401: 1, 438: 2 },
      allocations: 1,
      allocationsCreated: 1,
    });
  });

  it("answers 401 to a wrong password and to an unknown user, and 441 to another user on an allocation", () => {
    const env = setup();
    const wrong = env.client("198.51.100.7", 4000, { password: "guess" });
    const unknown = env.client("198.51.100.7", 4001, { username: "mallory", password: "x" });
    const w = wrong.att.input(() => wrong.probe.allocate());
    const u = unknown.att.input(() => unknown.probe.allocate());
    env.settle();
    assert.deepEqual([w.attempts, w.errorCode, u.attempts, u.errorCode], [2, 401, 2, 401]);
    assert.equal(w.final!.messageIntegrity, undefined);

    const { probe, att } = allocated(env, "198.51.100.8");
    probe.useCredentials("bob", "bob-pw");
    const refresh = att.input(() => probe.refresh());
    env.settle();
    assert.equal(refresh.errorCode, 441);
    assert.deepEqual(refresh.verified, [true]);
    assert.equal(env.server.counters.unauthorized, 5);
    assert.deepEqual(env.server.counters.errors, { 401: 5, 441: 1 });
  });

  it("rejects an Allocate for TCP with 442 and one beyond the user's quota with 486", () => {
    const env = setup({ quota: 1 });
    const tcp = env.client("198.51.100.7", 4000);
    const t = tcp.att.input(() => tcp.probe.allocate([attr("REQUESTED-TRANSPORT", 6)]));
    env.settle();
    assert.equal(t.errorCode, 442);

    allocated(env, "198.51.100.7", 4001);
    const second = env.client("198.51.100.7", 4002);
    const q = second.att.input(() => second.probe.allocate());
    env.settle();
    assert.equal(q.errorCode, 486);

    assert.deepEqual(env.server.counters.errors, { 401: 3, 442: 1, 486: 1 });
    assert.equal(env.server.counters.allocations, 1);
  });

  it("answers 508 when the server is at capacity", () => {
    const env = setup({ capacity: 1 });
    allocated(env);
    const bob = env.client("198.51.100.8", 4000, { username: "bob", password: "bob-pw" });
    const b = bob.att.input(() => bob.probe.allocate());
    env.settle();
    assert.equal(b.errorCode, 508);
    assert.deepEqual(b.verified, [false, true]);
    assert.equal(env.server.counters.allocations, 1);
    assert.deepEqual(env.server.counters.errors, { 401: 2, 508: 1 });
  });

  it("redirects every authenticated Allocate with 300 and ALTERNATE-SERVER", () => {
    const alternate = v4("198.51.100.3", 3478);
    const env = setup({ alternateServer: alternate });
    const { probe, att } = env.client();
    const allocate = att.input(() => probe.allocate());
    env.settle();
    assert.deepEqual(allocate.responses.map(errorOf), [401, 300]);
    assert.deepEqual(getAttribute(allocate.final!, "ALTERNATE-SERVER"), alternate);
    assert.deepEqual(allocate.verified, [false, true]);
    assert.equal(env.server.counters.allocations, 0);
    assert.deepEqual(env.server.counters.errors, { 300: 1, 401: 1 });
  });

  it("refuses a forbidden peer with 403 and installs none of the permissions of that request", () => {
    const env = setup({ forbiddenPeers: [OTHER_PEER.address] });
    const { probe, att } = allocated(env);
    const both = att.input(() => probe.createPermission(PEER, OTHER_PEER));
    const bind = att.input(() => probe.channelBind(0x4000, OTHER_PEER));
    env.settle();
    assert.equal(both.errorCode, 403);
    assert.equal(bind.errorCode, 403);
    assert.deepEqual(env.server.allocationList()[0]!.permissions, new Map());
    env.peerSends("not permitted");
    env.settle();
    assert.deepEqual(probe.relayed, []);
    assert.equal(env.server.counters.droppedNoPermission, 1);
    assert.deepEqual(env.server.counters.errors, { 401: 1, 403: 2 });
  });

  it("derives the key with SHA-256 when the client picks it from PASSWORD-ALGORITHMS and answers with MESSAGE-INTEGRITY-SHA256", () => {
    const env = setup({ passwordAlgorithms: ["SHA-256", "MD5"] });
    const { probe, att } = env.client("198.51.100.7", 4000, {
      passwordAlgorithm: "SHA-256",
      integrity: "sha256",
    });
    const allocate = att.input(() => probe.allocate());
    env.settle();
    const [challenge, success] = allocate.responses;
    const empty = new Uint8Array(0);
    assert.deepEqual(getAttribute(challenge!, "PASSWORD-ALGORITHMS"), [
      { algorithm: PasswordAlgorithmCode["SHA-256"], parameters: empty },
      { algorithm: PasswordAlgorithmCode.MD5, parameters: empty },
    ]);
    assert.ok(getAttribute(challenge!, "NONCE")!.startsWith(NONCE_COOKIE_PASSWORD_ALGORITHMS));
    assert.equal(success!.class, "success");
    assert.deepEqual(allocate.verified, [false, true]);
    assert.notEqual(success!.messageIntegritySha256, undefined);
    assert.equal(success!.messageIntegrity, undefined);

    // MD5 from the same offer, signed with plain MESSAGE-INTEGRITY, works too
    const md5 = env.client("198.51.100.7", 4001, { passwordAlgorithm: "MD5" });
    const m = md5.att.input(() => md5.probe.allocate());
    env.settle();
    assert.equal(m.final?.class, "success");
    assert.notEqual(m.final!.messageIntegrity, undefined);
    assert.equal(m.final!.messageIntegritySha256, undefined);
  });

  it("rejects with 400 a PASSWORD-ALGORITHMS list that differs from the offer (a bid-down)", () => {
    const env = setup({ passwordAlgorithms: ["SHA-256", "MD5"] });
    const { probe, att } = env.client();
    const md5Only = [{ algorithm: PasswordAlgorithmCode.MD5, parameters: new Uint8Array(0) }];
    // the first PASSWORD-ALGORITHMS is the one the server reads: ours, not the probe's echo
    const tampered = att.input(() =>
      probe.request(StunMethod.Allocate, [
        attr("REQUESTED-TRANSPORT", 17),
        attr("PASSWORD-ALGORITHMS", md5Only),
      ]),
    );
    env.settle();
    assert.deepEqual(tampered.responses.map(errorOf), [401, 400]);
    assert.equal(env.server.counters.allocations, 0);
  });

  it("accepts USERHASH in place of USERNAME", () => {
    const env = setup();
    const { probe, att } = env.client("198.51.100.7", 4000, { userhash: true });
    const allocate = att.input(() => probe.allocate());
    env.settle();
    assert.equal(allocate.final?.class, "success");
    assert.equal(env.server.allocationList()[0]!.username, "alice");
  });

  it("answers a Binding request without authentication and ignores responses and junk", () => {
    const env = setup();
    const { probe, att } = env.client();
    const binding = att.input(() => probe.request(StunMethod.Binding, []));
    att.input(() => probe.sendChannelData(0x4000, utf8Encode("no allocation")));
    env.p.input(() => env.peer.send(env.p.addresses[0]!, SERVER, Uint8Array.of(0xff, 1, 2, 3)));
    env.settle();
    assert.equal(binding.final?.class, "success");
    assert.deepEqual(getAttribute(binding.final!, "XOR-MAPPED-ADDRESS"), v4("198.51.100.7", 4000));
    assert.deepEqual(env.server.counters, {
      ...zero(),
      bindingRequests: 1,
      channelDataFromClient: 1,
      droppedNoAllocation: 1,
      ignored: 1,
    });
    assert.equal(env.s.counters.notHandled, 1);
  });
});
