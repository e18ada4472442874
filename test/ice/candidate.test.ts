import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRng } from "../../src/common/rng.js";
import { IceAgent } from "../../src/ice/agent.js";
import { addressScopeRejection, checkRemoteCandidate } from "../../src/ice/candidate.js";

const base = {
  foundation: "1",
  component: 1,
  transport: "udp",
  priority: 100,
  port: 9,
  type: "host" as const,
};

describe("remote candidate address scope", () => {
  it("names unspecified, broadcast and multicast addresses, IPv4-mapped forms included", () => {
    const cases: [string, string | undefined][] = [
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["::ffff:0.0.0.0", "unspecified"],
      ["255.255.255.255", "broadcast"],
      ["224.0.0.1", "multicast"],
      ["239.255.255.250", "multicast"],
      ["::ffff:239.1.2.3", "multicast"],
      ["ff02::1", "multicast"],
      ["ff0e::fb", "multicast"],
      ["192.0.2.1", undefined],
      ["223.255.255.255", undefined],
      ["240.0.0.1", undefined],
      ["2001:db8::1", undefined],
      ["fe80::1", undefined],
      ["::1", undefined],
    ];
    for (const [ip, reason] of cases) assert.equal(addressScopeRejection(ip), reason, ip);
  });

  it("makes checkRemoteCandidate refuse such candidates", () => {
    assert.equal(checkRemoteCandidate({ ...base, address: "0.0.0.0" }, 1), "unspecified");
    assert.equal(checkRemoteCandidate({ ...base, address: "::" }, 1), "unspecified");
    assert.equal(checkRemoteCandidate({ ...base, address: "255.255.255.255" }, 1), "broadcast");
    assert.equal(checkRemoteCandidate({ ...base, address: "224.0.0.251" }, 1), "multicast");
    assert.equal(checkRemoteCandidate({ ...base, address: "FF02::1" }, 1), "multicast");
  });

  it("has the agent ignore them: no pair, no check, and each counted by reason", () => {
    const agent = new IceAgent({ role: "controlling", rng: seededRng(7) });
    agent.addHostAddress(0, 1, { family: "IPv4", address: "192.0.2.1", port: 1000 });
    agent.addHostAddress(0, 1, { family: "IPv6", address: "2001:db8::1", port: 1000 });
    agent.setRemoteCredentials(0, "peer", "peer-password-0123456789");
    agent.startGathering(0);
    for (const address of ["0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1"])
      assert.equal(agent.addRemoteCandidate(0, { ...base, address }), false, address);
    for (let t = 0; t <= 1000; t += 20) agent.handleTimeout(t);
    const stats = agent.stats();
    assert.deepEqual(stats.ignoredRemoteCandidates, { unspecified: 2, broadcast: 1, multicast: 2 });
    assert.equal(stats.remoteCandidates, 0);
    assert.equal(stats.pairs, 0);
    assert.equal(stats.checksSent, 0);
    const sent = [];
    for (let t; (t = agent.pollTransmit());) sent.push(t);
    assert.deepEqual(sent, []);
  });
});
