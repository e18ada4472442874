// The pure data-channel decisions (src/jingle/data-channel-setup.ts): which variant an initiator
// offers, how a responder answers, and the SCTP numbers an association then uses (RFC 8841).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_PEER_MAX_MESSAGE_SIZE,
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  answerVariant,
  localSctp,
  pickVariant,
  sctpParameters,
} from "../../src/jingle/index.js";

describe("data-channel set-up", () => {
  it("offers Conversations' variant only to a peer that lists its feature, XEP-0343 otherwise", () => {
    assert.equal(pickVariant([NS_JINGLE_WEBRTC_DATACHANNEL]), "webrtc-datachannel");
    assert.equal(pickVariant([NS_JINGLE_DTLS_SCTP]), "sctpmap");
    assert.equal(pickVariant([]), "sctpmap");
    assert.equal(pickVariant(undefined), "sctpmap");
  });

  it("announces port 5000, with protocol for XEP-0343 and max-message-size for Conversations", () => {
    assert.deepEqual(localSctp("sctpmap", 1), {
      variant: "sctpmap",
      port: 5000,
      protocol: "webrtc-datachannel",
      streams: 1024,
    });
    assert.deepEqual(localSctp("webrtc-datachannel", 262144), {
      variant: "webrtc-datachannel",
      port: 5000,
      maxMessageSize: 262144,
    });
  });

  it("answers in the offer's variant and refuses an offer without SCTP or with another sctpmap protocol", () => {
    assert.equal(answerVariant({ variant: "webrtc-datachannel" }), "webrtc-datachannel");
    assert.equal(answerVariant({ variant: "sctpmap", port: 5000 }), "sctpmap");
    assert.deepEqual(
      answerVariant({ variant: "sctpmap", protocol: "webrtc-datachannel" }),
      "sctpmap",
    );
    const none = answerVariant(undefined);
    assert.equal(typeof none === "object" && none.condition, "unsupported-transports");
    const other = answerVariant({ variant: "sctpmap", protocol: "rtp" });
    assert.equal(typeof other === "object" && other.condition, "unsupported-transports");
  });

  it("sends up to the peer's max-message-size, 64 KiB when it named none, our limit when it said 0 or more", () => {
    const limit = 1 << 20;
    assert.deepEqual(sctpParameters(undefined, limit), {
      localPort: 5000,
      remotePort: 5000,
      maxSendMessageSize: DEFAULT_PEER_MAX_MESSAGE_SIZE,
    });
    assert.deepEqual(
      sctpParameters({ variant: "webrtc-datachannel", port: 5001, maxMessageSize: 1000 }, limit),
      { localPort: 5000, remotePort: 5001, maxSendMessageSize: 1000 },
    );
    assert.equal(
      sctpParameters({ variant: "webrtc-datachannel", maxMessageSize: 0 }, limit)
        .maxSendMessageSize,
      limit,
    );
    assert.equal(
      sctpParameters({ variant: "webrtc-datachannel", maxMessageSize: 2 * limit }, limit)
        .maxSendMessageSize,
      limit,
    );
  });
});
