// The data side of a TURN allocation (src/turn/peer-data.ts) on its own: what waits for a
// permission, when Send indications give way to ChannelData, failures and refreshes. The
// client's requests are recorded instead of sent.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { seededRng } from "../../src/common/rng.js";
import { Outbox } from "../../src/common/sans-io.js";
import { decodeStunMessage, getAttribute } from "../../src/stun/index.js";
import { encodeChannelData } from "../../src/turn/channel-data.js";
import { TurnError } from "../../src/turn/errors.js";
import { PeerData } from "../../src/turn/peer-data.js";
import type { PeerChannel, PeerPermission } from "../../src/turn/peers.js";
import { zeroTurnClientStats } from "../../src/turn/stats.js";
import type { TurnClientEvent } from "../../src/turn/types.js";
import { PEER, bytes } from "./support.js";

function setup(maxQueued = 2) {
  const counters = zeroTurnClientStats();
  const transmits = new Outbox<Uint8Array>();
  const events = new Outbox<TurnClientEvent>();
  const requests: { kind: string; permission?: PeerPermission; channel?: PeerChannel }[] = [];
  const data = new PeerData(
    { reliable: false, maxQueued, refreshMarginMs: 60_000 },
    seededRng(1),
    counters,
    transmits,
    events,
    (_now, kind, context) => requests.push({ kind, ...context }),
  );
  const sent = (): string[] => {
    const out: string[] = [];
    for (let b; (b = transmits.shift());)
      out.push(
        b[0]! >= 0x40
          ? "ChannelData"
          : `Send ${new TextDecoder().decode(getAttribute(decodeStunMessage(b), "DATA"))}`,
      );
    return out;
  };
  return { counters, events, requests, data, sent };
}

describe("PeerData", () => {
  it("queues data until the permission is installed, then sends it as Send indications and binds a channel", () => {
    const s = setup();
    assert.equal(s.data.send(0, PEER, bytes("a")), true);
    assert.equal(s.data.send(0, PEER, bytes("b")), true);
    assert.deepEqual(
      s.requests.map((r) => r.kind),
      ["permission"],
      "one CreatePermission per IP",
    );
    assert.deepEqual(s.sent(), []);
    s.data.permissionInstalled(20, s.requests[0]!.permission!);
    assert.deepEqual(s.sent(), ["Send a", "Send b"]);
    assert.deepEqual(
      s.requests.map((r) => r.kind),
      ["permission", "channel-bind"],
    );
    s.data.channelBound(40, s.requests[1]!.channel!);
    s.data.send(40, PEER, bytes("c"));
    assert.deepEqual(s.sent(), ["ChannelData"]);
    assert.deepEqual(
      { ...s.counters },
      {
        ...zeroTurnClientStats(),
        sendIndications: 2,
        channelDataSent: 1,
      },
    );
  });

  it("drops data over maxQueued while the permission is pending, and all of it when the permission is refused", () => {
    const s = setup(2);
    for (const text of ["a", "b", "c"]) s.data.send(0, PEER, bytes(text));
    assert.equal(s.counters.queuedDropped, 1);
    const error = new TurnError("permission", 403, "Forbidden");
    s.data.permissionFailed(20, s.requests[0]!.permission!, error);
    assert.equal(s.counters.queuedDropped, 3);
    assert.deepEqual(s.events.shift(), { type: "permission-failed", peer: PEER, error });
    assert.equal(s.data.send(30, PEER, bytes("d")), false, "refused peers get nothing more");
  });

  it("refreshes the permission and the channel a margin before they expire, and retries a failed permission refresh a margin later", () => {
    const s = setup();
    s.data.send(0, PEER, bytes("a"));
    const permission = s.requests[0]!.permission!;
    s.data.permissionInstalled(0, permission);
    s.data.channelBound(0, s.requests[1]!.channel!);
    assert.equal(s.data.deadline(), 240_000, "permission: 300 s less the 60 s margin");
    s.data.handleTimeout(240_000);
    assert.deepEqual(
      s.requests.map((r) => r.kind),
      ["permission", "channel-bind", "permission"],
    );
    s.data.permissionFailed(240_020, permission, new TurnError("permission", 0, ""));
    assert.equal(s.data.deadline(), 300_020, "the failed refresh is tried again a margin later");
    s.data.handleTimeout(540_000);
    assert.deepEqual(
      s.requests.slice(3).map((r) => r.kind),
      ["permission", "channel-bind"],
    );
  });

  it("reports ChannelData on a channel it asked for, and ignores unknown channels and bad frames", () => {
    const s = setup();
    s.data.send(0, PEER, bytes("a"));
    s.data.permissionInstalled(0, s.requests[0]!.permission!);
    const channel = s.requests[1]!.channel!;
    s.data.handleChannelData(encodeChannelData(channel.number, bytes("pending bind")));
    s.data.handleChannelData(encodeChannelData(channel.number + 1, bytes("stranger")));
    s.data.handleChannelData(Uint8Array.of(0x40, 0x00, 0x00, 0x09));
    assert.deepEqual(s.events.shift(), { type: "data", peer: PEER, data: bytes("pending bind") });
    assert.equal(s.events.shift(), undefined);
    assert.equal(s.counters.channelDataReceived, 1);
    assert.equal(s.counters.ignoredMessages, 2);
  });
});
