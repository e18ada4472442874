// Two IceConnections signalled directly (credentials, trickled candidates, end-of-candidates,
// and new credentials after an ICE restart), for tests that need a connected ICE pair.
import { once } from "node:events";
import { toRemoteCandidateInput } from "../../src/ice/candidate.js";
import { IceConnection } from "../../src/node/index.js";

/** Wires `a` and `b` to each other's signalling. */
export function signalDirectly(a: IceConnection, b: IceConnection): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.on("local-candidate", (c) => to.addRemoteCandidate(toRemoteCandidateInput(c)));
    from.on("gathering-complete", () => to.endOfRemoteCandidates());
    from.on("local-credentials", (c) => to.setRemoteCredentials(c.ufrag, c.pwd));
    to.setRemoteCredentials(from.localCredentials.ufrag, from.localCredentials.pwd);
  }
}

/** A controlling and a controlled connection on `address`, signalled directly and gathering. */
export async function icePair(address = "127.0.0.1"): Promise<[IceConnection, IceConnection]> {
  const a = await IceConnection.create({ role: "controlling", addresses: [address] });
  const b = await IceConnection.create({ role: "controlled", addresses: [address] });
  signalDirectly(a, b);
  a.startGathering();
  b.startGathering();
  return [a, b];
}

/** {@link icePair}, resolved once both have a selected pair. */
export async function connectedIcePair(
  address = "127.0.0.1",
): Promise<[IceConnection, IceConnection]> {
  const pair = await icePair(address);
  await Promise.all([once(pair[0], "selected-pair"), once(pair[1], "selected-pair")]);
  return pair;
}
