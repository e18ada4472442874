// The coturn harness (test/support/coturn.ts) against the real turnserver on 127.0.0.1: a
// long-term-credentials instance, a TURN REST API (static-auth-secret) instance and a TLS
// instance, started in parallel. Each answers STUN Binding and runs a full Allocate flow (401
// challenge, authenticated Allocate, Refresh with LIFETIME 0). Needs coturn and openssl; FAILS
// (never skips) without them.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { connect as netConnect } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { cryptoRng } from "../../src/node/rng.js";
import type { DecodedStunMessage, EncodeOptions, StunAttribute } from "../../src/stun/index.js";
import {
  HEADER_LENGTH,
  StunErrorCode,
  StunMethod,
  TransportProtocol,
  attr,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  longTermKey,
  verifyMessageIntegrity,
} from "../../src/stun/index.js";
import type { Coturn, CoturnOptions } from "./coturn.js";
import { requireCoturn, startCoturn } from "./coturn.js";
import { runWithoutPath } from "./server-process.js";
import { lazyInstances } from "./instances.js";

const REALM = "jingle-ice.test";
const USERS = { alice: "wonderland", bob: "builder" } as const;
const RELAY_PORTS = { min: 50_000, max: 50_999 } as const;
const REQUEST_TIMEOUT_MS = 2_000;
const RETRANSMIT_MS = 250;

/** One STUN client transaction at a time over UDP or a stream (TCP/TLS). */
interface StunClient {
  /** The client's local port (what XOR-MAPPED-ADDRESS should report). */
  readonly localPort: number;
  request(
    method: number,
    attributes: readonly StunAttribute[],
    options?: EncodeOptions,
  ): Promise<DecodedStunMessage>;
  close(): void;
}

/** Matches responses to requests by transaction id; rejects after REQUEST_TIMEOUT_MS. */
class Pending {
  private readonly waiting = new Map<string, (message: DecodedStunMessage) => void>();

  wait(transactionId: Uint8Array, onTimeout: () => void): Promise<DecodedStunMessage> {
    const key = Buffer.from(transactionId).toString("hex");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        onTimeout();
        reject(new Error(`no STUN response within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(key, (message) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(message);
      });
    });
  }

  deliver(bytes: Uint8Array): void {
    const message = decodeStunMessage(bytes);
    this.waiting.get(Buffer.from(message.transactionId).toString("hex"))?.(message);
  }
}

function encodeRequest(
  method: number,
  attributes: readonly StunAttribute[],
  options: EncodeOptions,
): { transactionId: Uint8Array; bytes: Uint8Array } {
  const transactionId = createTransactionId(cryptoRng);
  const bytes = encodeStunMessage(
    { class: "request", method, transactionId, attributes },
    { fingerprint: true, ...options },
  );
  return { transactionId, bytes };
}

async function udpClient(server: Coturn): Promise<StunClient> {
  const socket = createSocket("udp4");
  const pending = new Pending();
  socket.on("message", (bytes) => pending.deliver(bytes));
  await new Promise<void>((resolve) => socket.bind({ address: "127.0.0.1", port: 0 }, resolve));
  return {
    localPort: socket.address().port,
    request(method, attributes, options = {}) {
      const { transactionId, bytes } = encodeRequest(method, attributes, options);
      const send = (): void => socket.send(bytes, server.port, server.host);
      const retransmit = setInterval(send, RETRANSMIT_MS);
      send();
      return pending
        .wait(transactionId, () => clearInterval(retransmit))
        .finally(() => {
          clearInterval(retransmit);
        });
    },
    close: () => socket.close(),
  };
}

/** STUN over a stream (RFC 8489 §6.2.2): each message's header states its length. */
function streamClient(socket: Socket | TLSSocket): StunClient {
  const pending = new Pending();
  let buffered = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= HEADER_LENGTH) {
      const size = HEADER_LENGTH + buffered.readUInt16BE(2);
      if (buffered.length < size) break;
      pending.deliver(buffered.subarray(0, size));
      buffered = buffered.subarray(size);
    }
  });
  return {
    localPort: socket.localPort!,
    request(method, attributes, options = {}) {
      const { transactionId, bytes } = encodeRequest(method, attributes, options);
      socket.write(bytes);
      return pending.wait(transactionId, () => undefined);
    },
    close: () => socket.destroy(),
  };
}

function tlsClient(server: Coturn, ca: string | undefined): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: server.host, port: server.tlsPort!, ...(ca && { ca }) });
    socket.once("secureConnect", () => resolve(socket));
    socket.once("error", reject);
  });
}

function errorCode(message: DecodedStunMessage): number | undefined {
  return getAttribute(message, "ERROR-CODE")?.code;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The TURN allocation flow (RFC 8656 §7): an unauthenticated Allocate is challenged with 401,
 * REALM and NONCE; the authenticated one gets a relayed address on 127.0.0.1; a Refresh with
 * LIFETIME 0 deletes it (coturn logs the deletion).
 */
async function allocateAndRelease(
  client: StunClient,
  server: Coturn,
  user: string,
): Promise<{ relayPort: number }> {
  const transport = attr("REQUESTED-TRANSPORT", TransportProtocol.UDP);
  const challenge = await client.request(StunMethod.Allocate, [transport]);
  assert.equal(challenge.class, "error");
  assert.equal(errorCode(challenge), StunErrorCode.Unauthorized);
  assert.equal(getAttribute(challenge, "REALM"), server.realm);
  const nonce = getAttribute(challenge, "NONCE");
  assert.ok(nonce !== undefined && nonce.length > 0, "the 401 carries a NONCE");

  const { username, password } = server.credentialsFor(user);
  const key = longTermKey(username, server.realm, password);
  const authAttributes = [
    attr("USERNAME", username),
    attr("REALM", server.realm),
    attr("NONCE", nonce),
  ];
  const allocated = await client.request(StunMethod.Allocate, [transport, ...authAttributes], {
    messageIntegrity: key,
  });
  assert.equal(
    allocated.class,
    "success",
    `Allocate failed: ${JSON.stringify(getAttribute(allocated, "ERROR-CODE"))}`,
  );
  assert.ok(verifyMessageIntegrity(allocated, key), "the success response is signed with our key");
  const relayed = getAttribute(allocated, "XOR-RELAYED-ADDRESS");
  assert.ok(relayed !== undefined, "XOR-RELAYED-ADDRESS is present");
  assert.equal(relayed.family, "IPv4");
  assert.equal(relayed.address, "127.0.0.1");
  assert.deepEqual(getAttribute(allocated, "XOR-MAPPED-ADDRESS"), {
    family: "IPv4",
    address: "127.0.0.1",
    port: client.localPort,
  });
  assert.ok((getAttribute(allocated, "LIFETIME") ?? 0) > 0, "LIFETIME is positive");

  // coturn 4.6 answers LIFETIME 0 at once but deletes the allocation on its next 1 s timer
  // tick ("allocation timeout"); a Refresh before that revives it. So wait for the log line.
  const mark = server.logMark();
  const released = await client.request(
    StunMethod.Refresh,
    [attr("LIFETIME", 0), ...authAttributes],
    { messageIntegrity: key },
  );
  assert.equal(released.class, "success");
  assert.equal(getAttribute(released, "LIFETIME"), 0);
  await server.waitForLog(
    new RegExp(
      `delete: realm=<${escapeRegExp(server.realm)}>, username=<${escapeRegExp(username)}>`,
    ),
    { since: mark, timeoutMs: 3_000 },
  );
  return { relayPort: relayed.port };
}

async function bindingOver(client: StunClient): Promise<void> {
  const response = await client.request(StunMethod.Binding, []);
  assert.equal(response.class, "success");
  assert.equal(response.method, StunMethod.Binding);
  assert.deepEqual(getAttribute(response, "XOR-MAPPED-ADDRESS"), {
    family: "IPv4",
    address: "127.0.0.1",
    port: client.localPort,
  });
}

// The tests share the instances but not their clients, so they run concurrently (each Allocate
// flow waits up to a second for coturn to delete its allocation).
describe("a throwaway coturn on 127.0.0.1", { concurrency: true }, () => {
  const kinds = {
    longTerm: { auth: { kind: "long-term", realm: REALM, users: USERS } },
    restApi: {
      auth: { kind: "static-auth-secret", realm: REALM, secret: "correct-horse-battery" },
      relayPorts: RELAY_PORTS,
    },
    tls: { auth: { kind: "long-term", realm: REALM, users: USERS }, tls: true },
  } satisfies Record<string, CoturnOptions>;
  const servers = lazyInstances(kinds, startCoturn);
  const instance = (kind: keyof typeof kinds) => servers.get(kind);
  after(() => servers.stopAll());

  it("answers a STUN Binding over UDP and runs an Allocate flow with long-term credentials", async () => {
    const server = await instance("longTerm");
    assert.equal(server.auth, "long-term");
    const client = await udpClient(server);
    try {
      await bindingOver(client);
      await allocateAndRelease(client, server, "alice");
    } finally {
      client.close();
    }
  });

  it("runs an Allocate flow with TURN REST API credentials from its static auth secret", async () => {
    const server = await instance("restApi");
    assert.equal(server.auth, "static-auth-secret");
    const { username } = server.credentialsFor("carol", 600);
    assert.match(username, /^\d+:carol$/);
    const client = await udpClient(server);
    try {
      await bindingOver(client);
      const { relayPort } = await allocateAndRelease(client, server, "carol");
      assert.ok(
        relayPort >= RELAY_PORTS.min && relayPort <= RELAY_PORTS.max,
        `relay port ${relayPort} is within relayPorts`,
      );
    } finally {
      client.close();
    }
  });

  it("rejects REST API credentials that have expired", async () => {
    const server = await instance("restApi");
    const client = await udpClient(server);
    try {
      const transport = attr("REQUESTED-TRANSPORT", TransportProtocol.UDP);
      const challenge = await client.request(StunMethod.Allocate, [transport]);
      const { username, password } = server.credentialsFor("carol", -60);
      const response = await client.request(
        StunMethod.Allocate,
        [
          transport,
          attr("USERNAME", username),
          attr("REALM", server.realm),
          attr("NONCE", getAttribute(challenge, "NONCE")!),
        ],
        { messageIntegrity: longTermKey(username, server.realm, password) },
      );
      assert.equal(response.class, "error");
      assert.equal(errorCode(response), StunErrorCode.Unauthorized);
    } finally {
      client.close();
    }
  });

  it("verifies its generated certificate over TLS and answers STUN over the TLS stream", async () => {
    const server = await instance("tls");
    assert.ok(server.tlsPort !== undefined && server.ca !== undefined);
    assert.notEqual(server.tlsPort, server.port);
    const socket = await tlsClient(server, server.ca);
    assert.equal(socket.authorized, true);
    const client = streamClient(socket);
    try {
      await bindingOver(client);
      await allocateAndRelease(client, server, "bob");
    } finally {
      client.close();
    }
  });

  it("fails a TLS handshake that does not trust the generated certificate", async () => {
    const server = await instance("tls");
    await assert.rejects(tlsClient(server, undefined), /self[- ]signed/i);
  });

  it("answers STUN over plain TCP on the same port as UDP", async () => {
    const server = await instance("longTerm");
    const socket = netConnect({ host: server.host, port: server.port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = streamClient(socket);
    try {
      await bindingOver(client);
    } finally {
      client.close();
    }
  });

  it("stops: turnserver exits and its temp dir is removed", async () => {
    const server = await startCoturn({
      auth: { kind: "long-term", realm: REALM, users: { dave: "pw" } },
    });
    assert.ok(existsSync(server.dir));
    assert.match(server.log(), /Coturn-4\.6/);
    await server.stop();
    assert.throws(() => process.kill(server.pid, 0), { code: "ESRCH" });
    assert.equal(existsSync(server.dir), false);
    await server.stop(); // idempotent
  });

  it("requireCoturn says how to install coturn when turnserver is not on PATH", async () => {
    await requireCoturn();
    const module = fileURLToPath(new URL("./coturn.ts", import.meta.url));
    const { code, stderr } = await runWithoutPath(module, "requireCoturn");
    assert.equal(code, 3, stderr);
    assert.match(stderr, /`turnserver` is not usable/);
    assert.match(stderr, /apt-get install -y coturn openssl/);
  });
});
