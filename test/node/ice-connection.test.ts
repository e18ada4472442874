// Real UDP sockets on 127.0.0.1 only (docs/testing.md, the network rule): two drivers connect and exchange data.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { DatagramChannel, IceConnection, type IceConnectionOptions } from "../../src/node/index.js";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";

/** Wires the signalling of two connections directly (credentials, trickle, end-of-candidates). */
function signal(a: IceConnection, b: IceConnection): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(toRemoteCandidateInput(c)));
    from.on("gathering-complete", () => to.endOfRemoteCandidates());
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
}

async function pair(
  options: Partial<IceConnectionOptions> = {},
): Promise<[IceConnection, IceConnection]> {
  const a = await IceConnection.create({
    role: "controlling",
    addresses: ["127.0.0.1"],
    ...options,
  });
  const b = await IceConnection.create({
    role: "controlled",
    addresses: ["127.0.0.1"],
    ...options,
  });
  signal(a, b);
  return [a, b];
}

describe("IceConnection on 127.0.0.1", () => {
  it("connects two drivers and carries datagrams both ways", async () => {
    const [a, b] = await pair();
    const completed = Promise.all([once(a, "selected-pair"), once(b, "selected-pair")]);
    a.startGathering();
    b.startGathering();
    await completed;
    assert.equal(a.agent.state(), "completed");
    const channelA = new DatagramChannel(a);
    const channelB = new DatagramChannel(b);
    channelB.on("message", (data) => channelB.send(Uint8Array.from([...data, 33])));
    const reply = once(channelA, "message");
    assert.equal(channelA.send(new TextEncoder().encode("hi")), true);
    const [data] = (await reply) as [Uint8Array];
    assert.equal(new TextDecoder().decode(data), "hi!");
    assert.equal(channelA.selectedPair?.remote.address.port, b.selectedPair()?.local.address.port);
    await channelA.close();
    await channelB.close();
    assert.equal(a.agent.state(), "closed");
  });

  it("connects two components on separate sockets", async () => {
    const [a, b] = await pair({ components: 2 });
    const done = new Promise<void>((resolve) =>
      b.on("agent-state", (s) => s === "completed" && resolve()),
    );
    a.startGathering();
    b.startGathering();
    await done;
    assert.notEqual(b.selectedPair(1)?.local.address.port, b.selectedPair(2)?.local.address.port);
    await Promise.all([a.close(), b.close()]);
  });

  it("rejects an explicit address that is not an IP literal", async () => {
    await assert.rejects(
      IceConnection.create({ role: "controlling", addresses: ["localhost"] }),
      TypeError,
    );
  });
});
