// The ejabberd harness (test/support/ejabberd.ts) against the real ejabberd 23.01 on 127.0.0.1:
// two xmpp.js logins (PLAIN and SCRAM-SHA-1) and an IQ between their full JIDs (its loopback
// round trip is printed), XEP-0215 services with TURN REST credentials from mod_stun_disco,
// accounts with any password, and stop() leaving nothing behind. The instances start in
// parallel. Needs the ejabberd package; FAILS (never skips) without it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { xml } from "@xmpp/xml";
import type { Ejabberd, EjabberdOptions } from "./ejabberd.js";
import { ejabberdVersion, requireEjabberd, startEjabberd } from "./ejabberd.js";
import { runWithoutPath } from "./server-process.js";
import { clientPool, type LoginMechanism } from "./xmpp-server.js";
import { iqRoundTrips, portRefuses } from "./xmpp-checks.js";
import { lazyInstances } from "./instances.js";

const USERS = { alice: "wonderland", bob: "b\u00e9 'quoted' \"pass\\word\"" } as const;
const NS_EXTDISCO = "urn:xmpp:extdisco:2";
const TURN_SECRET = "correct-horse-battery";

describe("a throwaway ejabberd on 127.0.0.1", () => {
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
          ttl: 600,
        },
      ],
    },
    stop: {},
  } satisfies Record<string, EjabberdOptions>;
  const clients = clientPool();
  const servers = lazyInstances(kinds, startEjabberd);
  const instance = (kind: keyof typeof kinds) => servers.get(kind);
  const login = (server: Ejabberd, user: string, resource: string, mechanism?: LoginMechanism) =>
    clients.login(server, user, resource, mechanism === undefined ? {} : { mechanism });
  after(async () => {
    await clients.stopAll();
    await servers.stopAll();
  });

  it("logs two accounts in (PLAIN and SCRAM-SHA-1) and routes IQs to a full JID, answered by that client", async () => {
    const server = await instance("chat");
    console.log(
      `# ejabberd ${await ejabberdVersion()} on ${server.service} ready in ${server.startupMs} ms`,
    );
    const [alice, bob] = await Promise.all([
      login(server, "alice", "desk"),
      login(server, "bob", "phone", "SCRAM-SHA-1"),
    ]);
    assert.equal(alice.jid?.toString(), `${server.jid("alice")}/desk`);
    assert.equal(bob.jid?.toString(), `${server.jid("bob")}/phone`);
    const summary = await iqRoundTrips(alice, bob, `${server.jid("alice")}/desk`);
    console.log(`# IQ round trip alice → bob (full JID), nagle off: ${summary}`);
  });

  it("announces STUN and TURN over XEP-0215 with TURN REST credentials (mod_stun_disco)", async () => {
    const server = await instance("extdisco");
    const alice = await login(server, "alice", "extdisco");
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
    assert.equal(stun["restricted"], "false");
    assert.equal(stun["username"], undefined);
    // mod_stun_disco puts the credentials in the service list itself (XEP-0215 §3.1 allows it).
    assert.deepEqual(
      { host: turn["host"], port: turn["port"], transport: turn["transport"] },
      { host: "127.0.0.1", port: "3479", transport: "udp" },
    );
    assert.equal(turn["restricted"], "true");
    const { username, password, expires } = turn;
    assert.ok(username !== undefined && password !== undefined && expires !== undefined);
    const match = /^(\d+):\S+$/.exec(username);
    assert.ok(match !== null, username);
    const expiry = Number(match[1]);
    const now = Date.now() / 1000;
    assert.ok(expiry > now + 590 && expiry <= now + 610, `expiry ${expiry} is ~600 s ahead`);
    assert.equal(Date.parse(expires) / 1000, expiry);
    assert.equal(password, createHmac("sha1", TURN_SECRET).update(username).digest("base64"));
  });

  it("refuses options mod_stun_disco cannot express, before starting anything", async () => {
    await assert.rejects(
      startEjabberd({
        externalServices: [
          { type: "turn", host: "127.0.0.1", port: 3478, username: "u", password: "p" },
        ],
      }),
      /secret-derived credentials only/,
    );
    await assert.rejects(startEjabberd({ users: { Alice: "x" } }), /use lowercase/);
  });

  it("stops: the VM exits, its port closes and its temp dir is removed", async () => {
    const server = await instance("stop");
    assert.ok(existsSync(server.dir));
    assert.match(server.log(), /ejabberd 23\.01\S* is started in the node nonode@nohost/);
    await server.stop();
    assert.throws(() => process.kill(server.pid, 0), { code: "ESRCH" });
    assert.equal(existsSync(server.dir), false);
    assert.equal(await portRefuses(server.host, server.port), true, `port ${server.port} is open`);
    await server.stop(); // idempotent
  });

  it("requireEjabberd says how to install ejabberd when ejabberdctl is not on PATH", async () => {
    await requireEjabberd();
    const module = fileURLToPath(new URL("./ejabberd.ts", import.meta.url));
    const { code, stderr } = await runWithoutPath(module, "requireEjabberd");
    assert.equal(code, 3, stderr);
    assert.match(stderr, /`ejabberdctl` is not on PATH/);
    assert.match(stderr, /apt-get install -y ejabberd/);
  });
});
