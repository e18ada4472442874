import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { el } from "../../src/jingle/xml.js";
import { xml } from "@xmpp/xml";
import {
  NS_EXTDISCO_2,
  discoverIceServers,
  parseServices,
  toIceServers,
} from "../../src/plugin/extdisco.js";
import { FakeNetwork } from "./fake-xmpp.js";

const services = el("services", { xmlns: NS_EXTDISCO_2 }, [
  el("service", { type: "stun", host: "192.0.2.1", port: "3478", transport: "udp" }),
  el("service", {
    type: "turn",
    host: "192.0.2.1",
    port: "3478",
    transport: "udp",
    username: "u",
    password: "p",
    restricted: "1",
    expires: "2026-11-29T12:00:00Z",
  }),
  el("service", {
    type: "turns",
    host: "turn.example.org",
    port: "5349",
    transport: "tcp",
    username: "u",
    password: "p",
  }),
  el("service", { type: "turn", host: "192.0.2.2", restricted: "true" }),
  el("service", { type: "ftp", host: "192.0.2.3" }),
  el("service", { host: "no-type.example" }),
]);

describe("XEP-0215 external services", () => {
  it("parses services, reading restricted as '1' or 'true' and expires as a date", () => {
    const parsed = parseServices(services);
    assert.equal(parsed.length, 5, "a service without a type is dropped");
    assert.equal(parsed[1]?.restricted, true);
    assert.equal(parsed[3]?.restricted, true);
    assert.equal(parsed[1]?.expires, Date.parse("2026-11-29T12:00:00Z"));
  });

  it("turns them into structured STUN and TURN servers, skipping TURN without credentials and unknown types", () => {
    const now = Date.parse("2026-11-29T11:00:00Z");
    const servers = toIceServers(parseServices(services), now);
    assert.deepEqual(servers.stunServers, [{ host: "192.0.2.1", port: 3478 }]);
    assert.deepEqual(servers.turnServers, [
      { host: "192.0.2.1", port: 3478, transport: "udp", username: "u", password: "p" },
      { host: "turn.example.org", port: 5349, transport: "tls", username: "u", password: "p" },
    ]);
    assert.equal(
      servers.refreshAt,
      Date.parse("2026-11-29T11:59:00Z"),
      "a minute before the earliest expiry",
    );
  });
});

describe("discoverIceServers over XMPP", () => {
  const server = (network: FakeNetwork, options: { replyFrom?: string } = {}) => {
    const domain = network.client("jingle.test", options);
    domain.iqCallee.get(NS_EXTDISCO_2, "services", () =>
      xml(
        "services",
        { xmlns: NS_EXTDISCO_2 },
        xml("service", { type: "stun", host: "127.0.0.1", port: "3478" }),
        xml("service", {
          type: "turn",
          host: "127.0.0.1",
          port: "3478",
          transport: "udp",
          restricted: "1",
        }),
      ),
    );
    // ejabberd 23.01 answers a credentials request with <services/>.
    domain.iqCallee.get(NS_EXTDISCO_2, "credentials", () =>
      xml(
        "services",
        { xmlns: NS_EXTDISCO_2 },
        xml("service", {
          type: "turn",
          host: "127.0.0.1",
          port: "3478",
          username: "u",
          password: "p",
        }),
      ),
    );
  };

  it("asks our server, fetches restricted credentials (read from <services/> too)", async () => {
    const network = new FakeNetwork();
    server(network);
    const found = await discoverIceServers(
      network.client("bot@jingle.test/x"),
      "jingle.test",
      1000,
    );
    assert.deepEqual(found.stunServers, [{ host: "127.0.0.1", port: 3478 }]);
    assert.deepEqual(
      found.turnServers.map((t) => [t.host, t.username, t.password]),
      [["127.0.0.1", "u", "p"]],
    );
  });

  it("ignores answers that do not come from our server", async () => {
    const network = new FakeNetwork();
    server(network, { replyFrom: "mallory@jingle.test/x" });
    const found = await discoverIceServers(
      network.client("bot@jingle.test/x"),
      "jingle.test",
      1000,
    );
    assert.deepEqual([found.stunServers, found.turnServers], [[], []]);
  });
});
