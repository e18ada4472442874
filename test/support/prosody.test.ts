// The Prosody harness (test/support/prosody.ts) against the real prosody on 127.0.0.1: two
// xmpp.js logins and an IQ between their full JIDs (its loopback round trip is printed), XEP-0215
// services and credentials from mod_external_services (after a SCRAM-SHA-1 login), and stop()
// leaving nothing behind. The
// instances start in parallel. Needs the prosody package; FAILS (never skips) without it.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { xml } from "@xmpp/xml";
import type { LoginMechanism, Prosody, ProsodyOptions } from "./prosody.js";
import { requireProsody, startProsody } from "./prosody.js";
import { clientPool } from "./xmpp-server.js";
import { runWithoutPath } from "./server-process.js";
import { iqRoundTrips, portRefuses } from "./xmpp-checks.js";
import { lazyInstances } from "./instances.js";

const USERS = { alice: "wonderland", bob: "builder" } as const;
const NS_EXTDISCO = "urn:xmpp:extdisco:2";
const TURN_SECRET = "correct-horse-battery";
const ROUND_TRIPS = 20;

// The tests run one after another (so the SCRAM login's 10000 WebCrypto calls do not share the
// event loop with the round-trip measurement); the instances start together on first use.
describe("a throwaway Prosody on 127.0.0.1", () => {
  const kinds = {
    chat: { users: USERS },
    extdisco: {
      users: USERS,
      externalServices: [
        { type: "stun", transport: "udp", host: "127.0.0.1", port: 3478 },
        {
          type: "turn",
          transport: "udp",
          host: "127.0.0.1",
          port: 3479,
          secret: TURN_SECRET,
          username: "jingle",
          ttl: 600,
          restricted: true,
        },
      ],
    },
    stop: {},
  } satisfies Record<string, ProsodyOptions>;
  const clients = clientPool();
  const servers = lazyInstances(kinds, startProsody);
  const instance = (kind: keyof typeof kinds) => servers.get(kind);
  const login = (server: Prosody, user: string, resource: string, mechanism?: LoginMechanism) =>
    clients.login(server, user, resource, mechanism === undefined ? {} : { mechanism });
  after(async () => {
    await clients.stopAll();
    await servers.stopAll();
  });

  it("logs two accounts in with xmpp.js and routes an IQ to a full JID, answered by that client", async () => {
    const server = await instance("chat");
    console.log(
      `# prosody on ${server.service} (${server.domain}) ready in ${server.startupMs} ms`,
    );
    const loginStart = performance.now();
    const [alice, bob] = await Promise.all([
      login(server, "alice", "desk"),
      login(server, "bob", "phone"),
    ]);
    console.log(
      `# two xmpp.js logins (PLAIN) in ${(performance.now() - loginStart).toFixed(0)} ms`,
    );
    assert.equal(alice.jid?.toString(), `${server.jid("alice")}/desk`);
    assert.equal(bob.jid?.toString(), `${server.jid("bob")}/phone`);
    const rtt = await iqRoundTrips(alice, bob, `${server.jid("alice")}/desk`, ROUND_TRIPS);
    console.log(`# IQ round trip alice → bob (full JID), nagle off: ${rtt}`);
  });

  it("announces STUN and TURN over XEP-0215 and hands out TURN REST credentials", async () => {
    const server = await instance("extdisco");
    // SCRAM-SHA-1 here (xmpp.js's own choice without TLS), so that path is covered too.
    const loginStart = performance.now();
    const alice = await login(server, "alice", "extdisco", "SCRAM-SHA-1");
    console.log(
      `# one xmpp.js login (SCRAM-SHA-1) in ${(performance.now() - loginStart).toFixed(0)} ms`,
    );

    const services = await alice.iqCaller.get(
      xml("services", { xmlns: NS_EXTDISCO }),
      server.domain,
      5_000,
    );
    assert.ok(services !== undefined);
    const listed = services.getChildren("service", NS_EXTDISCO).map((s) => ({ ...s.attrs }));
    assert.equal(listed.length, 2, services.toString());
    const stun = listed.find((s) => s["type"] === "stun");
    const turn = listed.find((s) => s["type"] === "turn");
    assert.ok(stun !== undefined && turn !== undefined, services.toString());
    assert.deepEqual(
      { host: stun["host"], port: stun["port"], transport: stun["transport"] },
      { host: "127.0.0.1", port: "3478", transport: "udp" },
    );
    assert.equal(stun["restricted"], undefined);
    assert.deepEqual(
      { host: turn["host"], port: turn["port"], transport: turn["transport"] },
      { host: "127.0.0.1", port: "3479", transport: "udp" },
    );
    assert.equal(turn["restricted"], "1"); // Prosody writes "1", not "true" (docs/field-notes.md)

    const credentials = await alice.iqCaller.get(
      xml(
        "credentials",
        { xmlns: NS_EXTDISCO },
        xml("service", { type: "turn", host: "127.0.0.1", port: "3479" }),
      ),
      server.domain,
      5_000,
    );
    assert.ok(credentials !== undefined);
    const [entry, ...others] = credentials.getChildren("service", NS_EXTDISCO);
    assert.ok(entry !== undefined, credentials.toString());
    assert.equal(others.length, 0, credentials.toString());
    const { username, password, expires } = entry.attrs;
    assert.equal(entry.attrs["type"], "turn");
    assert.ok(username !== undefined && password !== undefined && expires !== undefined);
    const match = /^(\d+):jingle$/.exec(username);
    assert.ok(match !== null, username);
    const expiry = Number(match[1]);
    const now = Date.now() / 1000;
    assert.ok(expiry > now + 590 && expiry <= now + 610, `expiry ${expiry} is ~600 s ahead`);
    assert.equal(Date.parse(expires) / 1000, expiry);
    assert.equal(password, createHmac("sha1", TURN_SECRET).update(username).digest("base64"));
  });

  it("stops: prosody exits, its port closes and its temp dir is removed", async () => {
    const server = await instance("stop");
    assert.ok(existsSync(server.dir));
    assert.match(server.log(), /Prosody version 0\.12/);
    await server.stop();
    assert.throws(() => process.kill(server.pid, 0), { code: "ESRCH" });
    assert.equal(existsSync(server.dir), false);
    const refused = await portRefuses(server.host, server.port);
    assert.equal(refused, true, `port ${server.port} still accepts connections`);
    await server.stop(); // idempotent
  });

  it("requireProsody says how to install Prosody when prosody is not on PATH", async () => {
    await requireProsody();
    const module = fileURLToPath(new URL("./prosody.ts", import.meta.url));
    const { code, stderr } = await runWithoutPath(module, "requireProsody");
    assert.equal(code, 3, stderr);
    assert.match(stderr, /`prosody` is not on PATH/);
    assert.match(stderr, /apt-get install -y prosody/);
  });
});
