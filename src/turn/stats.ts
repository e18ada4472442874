/** The exact counters of a TURN client (`TurnClient.stats()`, and per relay in the ICE agent's). */

/** Exact counters. */
export interface TurnClientStats {
  allocateRequests: number;
  refreshRequests: number;
  permissionRequests: number;
  channelBindRequests: number;
  staleNonceRetries: number;
  retransmissions: number;
  sendIndications: number;
  channelDataSent: number;
  dataIndications: number;
  channelDataReceived: number;
  queuedDropped: number;
  ignoredMessages: number;
}

/** Every {@link TurnClientStats} counter at zero: what a new client starts from. */
export const zeroTurnClientStats = (): TurnClientStats => ({
  allocateRequests: 0,
  refreshRequests: 0,
  permissionRequests: 0,
  channelBindRequests: 0,
  staleNonceRetries: 0,
  retransmissions: 0,
  sendIndications: 0,
  channelDataSent: 0,
  dataIndications: 0,
  channelDataReceived: 0,
  queuedDropped: 0,
  ignoredMessages: 0,
});
