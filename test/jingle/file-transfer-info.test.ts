import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FileTransferParseError } from "../../src/jingle/file-transfer-errors.js";
import { NS_HASHES } from "../../src/jingle/file-transfer-hash.js";
import {
  buildChecksum,
  buildReceived,
  parseFileTransferInfo,
} from "../../src/jingle/file-transfer-info.js";
import { NS_FILE_TRANSFER } from "../../src/jingle/file-transfer.js";
import { child } from "../../src/jingle/xml.js";
import { x } from "./support.js";

const content = { creator: "initiator", name: "a-file-offer" } as const;
const hash = { algo: "sha-1" as const, value: new Uint8Array(20).fill(1) };

describe("XEP-0234 session-info payloads", () => {
  it("builds and parses <checksum/> (XEP-0234 §8) with the file's hashes and no hash-used", () => {
    const built = buildChecksum(content, [hash]);
    assert.equal(built.attrs["xmlns"], NS_FILE_TRANSFER);
    assert.equal(child(child(built, "file")!, "hash-used", NS_HASHES, NS_FILE_TRANSFER), undefined);
    assert.deepEqual(parseFileTransferInfo(built), { kind: "checksum", content, hashes: [hash] });
  });

  it("builds and parses <received/> (XEP-0234 §7)", () => {
    assert.deepEqual(parseFileTransferInfo(buildReceived(content)), { kind: "received", content });
  });

  it("leaves other session-info payloads to the session layer", () => {
    assert.equal(
      parseFileTransferInfo(x("ringing", { xmlns: "urn:xmpp:jingle:apps:rtp:info:1" })),
      undefined,
    );
    assert.equal(parseFileTransferInfo(x("unknown", { xmlns: NS_FILE_TRANSFER })), undefined);
  });

  it("reads Conversations' <checksum/> and <received/>, which carry a name but no creator", () => {
    const checksum = x(
      "checksum",
      { xmlns: NS_FILE_TRANSFER, name: "0" },
      x("file", {}, x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, "AQEBAQEBAQEBAQEBAQEBAQEBAQE=")),
    );
    const initiators = { creator: "initiator", name: "0" } as const;
    assert.deepEqual(parseFileTransferInfo(checksum), {
      kind: "checksum",
      content: initiators,
      hashes: [hash],
    });
    assert.deepEqual(parseFileTransferInfo(x("received", { xmlns: NS_FILE_TRANSFER, name: "0" })), {
      kind: "received",
      content: initiators,
    });
  });

  it("refuses a payload without name or with a bad creator, a checksum without a file or without a hash we can compute", () => {
    const bad = [
      x("received", { xmlns: NS_FILE_TRANSFER, creator: "initiator" }),
      x("received", { xmlns: NS_FILE_TRANSFER, creator: "both", name: "a" }),
      x("checksum", { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "a" }),
      x("checksum", { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "a" }, x("file", {})),
      x(
        "checksum",
        { xmlns: NS_FILE_TRANSFER, creator: "initiator", name: "a" },
        x("file", {}, x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, "!!")),
      ),
    ];
    for (const payload of bad) {
      assert.throws(() => parseFileTransferInfo(payload), FileTransferParseError);
    }
  });
});
