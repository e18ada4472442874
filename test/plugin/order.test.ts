// The order in which a session's stanzas leave (src/jingle/outbox.ts), through the plugin with
// real ICE on 127.0.0.1: candidates that arrive after the opening stanza (a server-reflexive one
// from a slow STUN server on loopback), and peers that acknowledge only after processing, so that
// their own stanzas overtake their acks.
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { parseJingle } from "../../src/jingle/parse.js";
import type { Jingle } from "../../src/jingle/model.js";
import { jingleIceUdp, type JingleSession } from "../../src/plugin/index.js";
import { decodeStunMessage, encodeStunMessage } from "../../src/stun/index.js";
import { FakeNetwork } from "./fake-xmpp.js";

const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";

/**
 * A STUN server on 127.0.0.1 that answers Binding requests after `delay` ms with a mapped
 * address on 127.0.0.2 (same port), so that the agent gets a server-reflexive candidate that is
 * not redundant with its host candidate — and gets it late.
 */
async function slowStunServer(delay: number): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.on("message", (data, rinfo) => {
    const request = decodeStunMessage(data);
    const response = encodeStunMessage(
      {
        class: "success",
        method: request.method,
        transactionId: request.transactionId,
        attributes: [
          {
            type: "XOR-MAPPED-ADDRESS",
            value: { family: "IPv4", address: "127.0.0.2", port: rinfo.port },
          },
        ],
      },
      { fingerprint: true },
    );
    setTimeout(() => socket.send(response, rinfo.port, rinfo.address), delay).unref();
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

/** One party's stanzas and answers, as the network saw them. */
function stanzasOf(network: FakeNetwork, from: string) {
  type Entry = { jingle: Jingle; delivered: number; answered: number };
  const out: Entry[] = [];
  const byPayload = new Map<number, Entry>();
  network.timeline.forEach((event, at) => {
    const payload = network.payloads[event.index]!;
    if (payload.from !== from) return;
    if (event.kind === "answer") {
      byPayload.get(event.index)!.answered = at;
      return;
    }
    const entry = { jingle: parseJingle(payload.element), delivered: at, answered: Infinity };
    byPayload.set(event.index, entry);
    out.push(entry);
  });
  return out;
}

/** Asserts rule 3: every candidate-carrying stanza was answered before a later end-of-candidates. */
function assertEndAfterCandidates(stanzas: ReturnType<typeof stanzasOf>): void {
  const ends = stanzas.filter((s) =>
    s.jingle.contents.some((c) => c.transport?.kind === "ice-udp" && c.transport.gatheringComplete),
  );
  assert.equal(ends.length, 1, "one end-of-candidates");
  const end = ends[0]!;
  for (const s of stanzas) {
    if (s === end) continue;
    const candidates = s.jingle.contents.flatMap((c) =>
      c.transport?.kind === "ice-udp" ? c.transport.candidates : [],
    );
    if (candidates.length > 0)
      assert.ok(s.answered < end.delivered, `${s.jingle.action} answered before the end`);
  }
}

describe("stanza order", () => {
  let stun: Socket;
  let ice: { addresses: string[]; stunServers: string[] };
  before(async () => {
    stun = await slowStunServer(150);
    ice = { addresses: ["127.0.0.1"], stunServers: [`127.0.0.1:${stun.address().port}`] };
  });
  after(() => stun.close());

  async function run(
    ackDelay: { alice?: number; bob?: number },
    options: { readonly ice: object } = { ice },
  ) {
    const network = new FakeNetwork();
    const alice = jingleIceUdp(network.client(ALICE, { ackDelay: ackDelay.alice ?? 0 }), options);
    const bob = jingleIceUdp(network.client(BOB, { ackDelay: ackDelay.bob ?? 0 }), options);
    const incoming = new Promise<JingleSession>((resolve) =>
      bob.on("incoming", (session) => {
        resolve(session);
        void session.accept().catch(() => undefined);
      }),
    );
    const session = alice.initiate(BOB);
    await session.connect();
    const theirs = await incoming;
    // Let the late server-reflexive candidates and the ends go out and be answered.
    await new Promise((resolve) =>
      setTimeout(resolve, 300 + 2 * Math.max(0, ...Object.values(ackDelay))),
    );
    const result = { alice: stanzasOf(network, ALICE), bob: stanzasOf(network, BOB) };
    await session.terminate();
    await theirs.terminate().catch(() => undefined);
    return result;
  }

  it("as initiator, sends no transport-info before its session-initiate is answered, and the end last", async () => {
    const { alice } = await run({ bob: 250 });
    const [initiate, ...rest] = alice;
    assert.equal(initiate?.jingle.action, "session-initiate");
    const infos = rest.filter((s) => s.jingle.action === "transport-info");
    assert.ok(infos.length > 0, "the late candidate was trickled");
    for (const info of infos) assert.ok(info.delivered > initiate.answered);
    assertEndAfterCandidates(alice.filter((s) => s.jingle.action !== "session-terminate"));
  });

  it("as responder, sends nothing before its session-accept and the end only after every candidate is acknowledged", async () => {
    const { bob } = await run({ alice: 100 });
    assert.equal(bob[0]?.jingle.action, "session-accept");
    assert.ok(
      bob.some((s) => s.jingle.action === "transport-info"),
      "the late candidate was trickled",
    );
    assertEndAfterCandidates(bob.filter((s) => s.jingle.action !== "session-terminate"));
  });

  it("as responder whose gathering finished before it accepted, sends the end in or after the session-accept", async () => {
    // The case that broke aioice-based callers: the end-of-candidates used to leave first.
    const { bob } = await run({}, { ice: { addresses: ["127.0.0.1"] } });
    assert.equal(bob[0]?.jingle.action, "session-accept");
    assertEndAfterCandidates(bob.filter((s) => s.jingle.action !== "session-terminate"));
  });

  it("as initiator, takes a session-accept that overtakes the ack of its session-initiate", async () => {
    const { alice, bob } = await run({ bob: 400 });
    const initiate = alice[0]!;
    const accept = bob.find((s) => s.jingle.action === "session-accept")!;
    assert.ok(accept.delivered < initiate.answered, "the accept came before the ack");
  });
});
