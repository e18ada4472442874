/** Addresses and candidates the agent's unit tests share. */
import type { TransportAddress } from "../../src/common/address.js";
import { udpCandidate } from "../../src/ice/candidate.js";
import type { Candidate } from "../../src/ice/types.js";

export const v4 = (address: string, port: number): TransportAddress => ({
  family: "IPv4",
  address,
  port,
});

export const HOST = v4("192.0.2.1", 1000);
export const PEER = v4("192.0.2.2", 2000);
export const PEER2 = v4("192.0.2.3", 3000);

/** A signalled remote host candidate. */
export function remoteHost(
  address: TransportAddress,
  component = 1,
  priority = 2_130_706_431,
): Candidate {
  return udpCandidate("host", component, `r${address.port}`, priority, address);
}
