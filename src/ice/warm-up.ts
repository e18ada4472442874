/**
 * A process-wide warm-up: two agents connect to each other in memory (no sockets, no clock),
 * which makes V8 compile and cache the codec, integrity and agent code paths. A cold process
 * otherwise spends several milliseconds of its first connection compiling them; on loopback that
 * was most of the connect time (bench/connect.ts).
 */
import { seededRng } from "../common/rng.js";
import { IceAgent } from "./agent.js";
import { toRemoteCandidateInput } from "./candidate.js";

/**
 * Runs `rounds` in-memory connections between two agents (about 10 ms in a cold process).
 * @returns true when every round ended with both agents `completed` (it always should).
 */
export function warmUpIce(rounds = 3): boolean {
  let completed = 0;
  for (let round = 0; round < rounds; round++) {
    const rng = seededRng(round + 1);
    const a = new IceAgent({ role: "controlling", rng });
    const b = new IceAgent({ role: "controlled", rng });
    const addressA = { family: "IPv4" as const, address: "192.0.2.1", port: 1 };
    const addressB = { family: "IPv4" as const, address: "192.0.2.2", port: 2 };
    a.addHostAddress(0, 1, addressA);
    b.addHostAddress(0, 1, addressB);
    a.setRemoteCredentials(0, b.localCredentials.ufrag, b.localCredentials.pwd);
    b.setRemoteCredentials(0, a.localCredentials.ufrag, a.localCredentials.pwd);
    a.startGathering(0);
    b.startGathering(0);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      for (let event; (event = from.pollEvent());) {
        if (event.type === "local-candidate") {
          to.addRemoteCandidate(0, toRemoteCandidateInput(event.candidate));
        }
      }
    }
    const exchange = (now: number): void => {
      for (let t; (t = a.pollTransmit());)
        if (t.type === "datagram")
          b.handleDatagram(now, { local: addressB, remote: t.local, data: t.data });
      for (let t; (t = b.pollTransmit());)
        if (t.type === "datagram")
          a.handleDatagram(now, { local: addressA, remote: t.local, data: t.data });
      while (a.pollEvent() !== undefined);
      while (b.pollEvent() !== undefined);
    };
    for (
      let now = 0;
      now < 50 && !(a.state() === "completed" && b.state() === "completed");
      now++
    ) {
      a.handleTimeout(now);
      b.handleTimeout(now);
      exchange(now);
    }
    if (a.state() === "completed" && b.state() === "completed") completed++;
    a.send(50, 1, new Uint8Array(8));
    exchange(50);
    a.close(50);
    b.close(50);
  }
  return completed === rounds;
}
