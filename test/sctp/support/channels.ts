// Two data channel endpoints (client and server DTLS roles) on the seeded in-memory link.
import assert from "node:assert/strict";
import {
  DataChannelEndpoint,
  type DataChannelEvent,
  type DataChannelEndpointOptions,
} from "../../../src/sctp/data-channels.js";
import { Pair, sideRng, type LinkConditions } from "./pair.js";

/** The pair's type. */
export type ChannelPair = Pair<DataChannelEvent> & {
  a: DataChannelEndpoint;
  b: DataChannelEndpoint;
};

/** a is the DTLS client, b the server. Both connect at once unless `connect` is false. */
export function channelPair(
  options: {
    seed?: number;
    link?: LinkConditions;
    a?: Partial<DataChannelEndpointOptions>;
    b?: Partial<DataChannelEndpointOptions>;
    connect?: boolean;
  } = {},
): ChannelPair {
  const seed = options.seed ?? 1;
  const a = new DataChannelEndpoint({ rng: sideRng(seed, "a"), role: "client", ...options.a });
  const b = new DataChannelEndpoint({ rng: sideRng(seed, "b"), role: "server", ...options.b });
  const pair = new Pair<DataChannelEvent>(a, b, options.link ?? {}, seed) as ChannelPair;
  if (options.connect !== false) {
    a.connect(0);
    b.connect(0);
    pair.drive();
    pair.run(() => a.association.state === "established" && b.association.state === "established");
    assert.equal(a.association.state, "established");
  }
  return pair;
}

/** The events of one side of one type. */
export function eventsOf<T extends DataChannelEvent["type"]>(
  pair: ChannelPair,
  side: "a" | "b",
  type: T,
): Extract<DataChannelEvent, { type: T }>[] {
  return pair.events[side].filter(
    (e): e is Extract<DataChannelEvent, { type: T }> => e.type === type,
  );
}
