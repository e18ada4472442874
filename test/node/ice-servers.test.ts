// The public API edge for servers (src/node/ice-servers.ts): URIs are parsed there once, the
// structured form passes through, and hosts become addresses. IP literals only: no DNS query.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveStunServers, resolveTurnServers } from "../../src/node/ice-servers.js";

describe("IceConnection's server options", () => {
  it("resolves a TURN URI and the same server given structured to the same server", async () => {
    const fromUri = await resolveTurnServers([
      { urls: "turn:192.0.2.1:3479?transport=tcp", username: "u", password: "p" },
    ]);
    const structured = await resolveTurnServers([
      { host: "192.0.2.1", port: 3479, transport: "tcp", username: "u", password: "p" },
    ]);
    const expected = {
      host: "192.0.2.1",
      port: 3479,
      transport: "tcp",
      username: "u",
      password: "p",
      address: { family: "IPv4", address: "192.0.2.1", port: 3479 },
    };
    assert.deepEqual(fromUri, [expected]);
    assert.deepEqual(structured, [expected]);
  });

  it("keeps the configured host for TLS verification and canonicalises the address", async () => {
    const [server] = await resolveTurnServers([
      { urls: "turns:[2001:DB8::0001]", username: "u", password: "p", ca: "PEM" },
    ]);
    assert.equal(server?.host, "2001:DB8::0001");
    assert.deepEqual(server?.address, { family: "IPv6", address: "2001:db8::1", port: 5349 });
    assert.deepEqual(server?.ca, ["PEM"]);
  });

  it("takes STUN servers as host:port, structured, or as addresses", async () => {
    const address = { family: "IPv4" as const, address: "192.0.2.9", port: 3478 };
    assert.deepEqual(
      await resolveStunServers(["192.0.2.7:3478", { host: "::1", port: 3479 }, address]),
      [
        { family: "IPv4", address: "192.0.2.7", port: 3478 },
        { family: "IPv6", address: "::1", port: 3479 },
        address,
      ],
    );
  });
});
