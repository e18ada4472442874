// SessionDataChannels without a network (src/plugin/data-channels.ts): which SCTP element goes
// on which of our transports, and what is kept of the peer's when its later transports repeat
// the element without its numbers (Conversations' transport-info may).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IceUdpTransport } from "../../src/jingle/model.js";
import { SessionDataChannels } from "../../src/plugin/data-channels.js";

const bare: IceUdpTransport = {
  kind: "ice-udp",
  ufrag: "u",
  pwd: "p",
  candidates: [],
  gatheringComplete: false,
  skipped: [],
};

describe("SessionDataChannels", () => {
  it("puts XEP-0343's sctpmap in the opening stanza only, Conversations' wrapper on every transport", () => {
    const sctpmap = new SessionDataChannels("sctpmap");
    assert.equal(sctpmap.decorate(bare, true).sctp?.variant, "sctpmap");
    assert.equal(sctpmap.decorate(bare, false).sctp, undefined);
    assert.equal(sctpmap.groups("c"), undefined);
    const conversations = new SessionDataChannels("webrtc-datachannel");
    for (const opening of [true, false])
      assert.deepEqual(conversations.decorate(bare, opening).sctp, {
        variant: "webrtc-datachannel",
        port: 5000,
        maxMessageSize: 262144,
      });
    assert.deepEqual(conversations.groups("c"), [{ semantics: "BUNDLE", contents: ["c"] }]);
  });

  it("keeps the peer's port and max-message-size when a later transport repeats the element without them", () => {
    const channels = new SessionDataChannels("webrtc-datachannel");
    channels.learn({
      ...bare,
      sctp: { variant: "webrtc-datachannel", port: 5001, maxMessageSize: 1000 },
    });
    channels.learn({ ...bare, sctp: { variant: "webrtc-datachannel" } });
    channels.learn(bare);
    assert.deepEqual(channels.remoteSctp, {
      variant: "webrtc-datachannel",
      port: 5001,
      maxMessageSize: 1000,
    });
  });

  it("picks the variant once, falling back to XEP-0343 when the choice fails", async () => {
    let asked = 0;
    const failing = new SessionDataChannels(() => {
      asked++;
      return Promise.reject(new Error("no disco"));
    });
    assert.equal(failing.variant, undefined);
    await failing.ready();
    await failing.ready();
    assert.equal(failing.variant, "sctpmap");
    assert.equal(asked, 1);
    assert.throws(() => failing.createDataChannel("x", {}), /no SCTP association yet/);
  });
});
