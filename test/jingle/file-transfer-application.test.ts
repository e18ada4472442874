import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isReason } from "../../src/jingle/application.js";
import { JingleBuildError } from "../../src/jingle/errors.js";
import { createFileTransferApplication } from "../../src/jingle/file-transfer-application.js";
import {
  NS_FILE_TRANSFER,
  buildFileTransferDescription,
  parseFileTransferDescription,
} from "../../src/jingle/file-transfer.js";
import { chunkSizeFor, flavourOf, FLAVOURS } from "../../src/jingle/file-transfer-flavour.js";
import { x } from "./support.js";

describe("the XEP-0234 Jingle application", () => {
  it("offers the configured file and serves the file-transfer feature", () => {
    const app = createFileTransferApplication({ offer: { name: "a", size: 3 } });
    assert.equal(app.namespace, NS_FILE_TRANSFER);
    assert.deepEqual(app.features, [NS_FILE_TRANSFER]);
    assert.deepEqual(parseFileTransferDescription(app.offer()), {
      name: "a",
      size: 3,
      hashesUsed: ["sha-1"],
    });
    assert.throws(() => createFileTransferApplication().offer(), JingleBuildError);
    assert.throws(
      () => createFileTransferApplication({ offer: { name: "a" } }).offer(),
      JingleBuildError,
    );
  });

  it("accepts a usable offer by echoing it", () => {
    const app = createFileTransferApplication();
    const answer = app.answer(buildFileTransferDescription({ name: "a", size: 3 }));
    assert.ok(!isReason(answer));
    assert.equal(parseFileTransferDescription(answer).size, 3);
  });

  it("refuses an offer without a size, a too large one, and a malformed one with proper reasons", () => {
    const app = createFileTransferApplication({ maxSize: 100 });
    assert.deepEqual(app.answer(buildFileTransferDescription({ name: "a" })), {
      condition: "incompatible-parameters",
      text: "the offered file has no size",
    });
    const big = app.answer(buildFileTransferDescription({ size: 101 }));
    assert.ok(isReason(big) && big.condition === "incompatible-parameters");
    const bad = app.answer(x("description", { xmlns: NS_FILE_TRANSFER }));
    assert.ok(isReason(bad) && bad.condition === "failed-application");
  });

  it("lets the caller decline or ask for a range, and refuses a range outside the file", () => {
    const decline = createFileTransferApplication({ accept: () => ({ condition: "decline" }) });
    assert.deepEqual(decline.answer(buildFileTransferDescription({ size: 5 })), {
      condition: "decline",
    });
    const resume = createFileTransferApplication({
      accept: (f) => ({ ...f, range: { offset: 2 } }),
    });
    const answer = resume.answer(buildFileTransferDescription({ size: 5 }));
    assert.ok(!isReason(answer));
    assert.deepEqual(parseFileTransferDescription(answer).range, { offset: 2 });
    const wrong = createFileTransferApplication({
      accept: (f) => ({ ...f, range: { offset: 6 } }),
    });
    const refused = wrong.answer(buildFileTransferDescription({ size: 5 }));
    assert.ok(isReason(refused) && refused.condition === "failed-application");
  });
});

describe("file-transfer flavours", () => {
  it("tells Conversations from StanzaJS by the data-channel signalling they use", () => {
    assert.equal(flavourOf("webrtc-datachannel"), "conversations");
    assert.equal(flavourOf("sctpmap"), "stanzajs");
    assert.equal(flavourOf("ibb"), "ibb");
    assert.deepEqual(
      [FLAVOURS.conversations.label, FLAVOURS.conversations.protocol],
      ["test", "xmpp-jingle"],
    );
    assert.equal(FLAVOURS.stanzajs.label, "filetransfer");
    assert.equal(FLAVOURS.stanzajs.receiverSendsReceived, false);
  });

  it("never writes messages above the peer's limit", () => {
    assert.equal(chunkSizeFor("conversations"), 4096);
    assert.equal(chunkSizeFor("stanzajs"), 16_384);
    assert.equal(chunkSizeFor("stanzajs", 8192), 8192);
    assert.equal(chunkSizeFor("conversations", 65_536), 4096);
    assert.equal(chunkSizeFor("ibb", 0), 4096);
  });
});
