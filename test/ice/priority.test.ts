import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkRemoteCandidate } from "../../src/ice/candidate.js";
import { candidatePriority, localPreference, pairPriority } from "../../src/ice/priority.js";

describe("priorities (RFC 8445 §5.1.2, §6.1.2.3)", () => {
  it("computes candidate priorities from type preference, local preference and component", () => {
    assert.equal(candidatePriority("host", 65535, 1), 126 * 2 ** 24 + 65535 * 2 ** 8 + 255);
    assert.equal(candidatePriority("srflx", 65535, 2), 100 * 2 ** 24 + 65535 * 2 ** 8 + 254);
    assert.equal(candidatePriority("relay", 0, 1), 255);
    assert.throws(() => candidatePriority("host", 65536, 1), RangeError);
    assert.throws(() => candidatePriority("host", 1, 257), RangeError);
  });

  it("prefers IPv6 to IPv4 and keeps the order of addresses of one family (RFC 8421)", () => {
    assert.ok(localPreference("IPv6", 0) > localPreference("IPv4", 0));
    assert.ok(localPreference("IPv4", 0) > localPreference("IPv4", 1));
  });

  it("computes 64-bit pair priorities exactly, beyond what `1 << 32` or doubles can hold", () => {
    const g = 0x7effffff;
    const d = 0x7efffffe;
    assert.equal(pairPriority(g, d), (BigInt(d) << 32n) + 2n * BigInt(g) + 1n);
    assert.equal(pairPriority(d, g), (BigInt(d) << 32n) + 2n * BigInt(g));
    assert.notEqual(Number(pairPriority(g, d)) % 2, 1, "a double would lose the tie-break bit");
  });

  it("orders pairs like the formula evaluated with exact integers", () => {
    fc.assert(
      fc.property(fc.nat(2 ** 31 - 1), fc.nat(2 ** 31 - 1), (g, d) => {
        const expected =
          2n ** 32n * BigInt(Math.min(g, d)) + 2n * BigInt(Math.max(g, d)) + (g > d ? 1n : 0n);
        assert.equal(pairPriority(g, d), expected);
      }),
    );
  });
});

describe("remote candidate checks", () => {
  const base = {
    foundation: "1",
    component: 1,
    transport: "udp",
    priority: 100,
    port: 9,
    type: "host" as const,
  };

  it("canonicalises the address and keeps the related address", () => {
    const c = checkRemoteCandidate(
      { ...base, address: "2001:DB8:0::1", relatedAddress: { address: "10.0.0.1", port: 5 } },
      1,
    );
    assert.ok(typeof c !== "string");
    assert.equal(c.address.address, "2001:db8::1");
    assert.deepEqual(c.relatedAddress, { family: "IPv4", address: "10.0.0.1", port: 5 });
  });

  it("refuses what cannot be used, naming why", () => {
    assert.equal(checkRemoteCandidate({ ...base, address: "host.local" }, 1), "hostname");
    assert.equal(checkRemoteCandidate({ ...base, address: "fe80::1%2" }, 1), "zone-id");
    assert.equal(
      checkRemoteCandidate({ ...base, transport: "TCP", address: "192.0.2.1" }, 1),
      "not-udp",
    );
    assert.equal(checkRemoteCandidate({ ...base, port: 0, address: "192.0.2.1" }, 1), "bad-port");
    assert.equal(
      checkRemoteCandidate({ ...base, priority: 0, address: "192.0.2.1" }, 1),
      "bad-priority",
    );
    assert.equal(
      checkRemoteCandidate({ ...base, component: 2, address: "192.0.2.1" }, 1),
      "bad-component",
    );
  });
});
