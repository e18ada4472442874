import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { FileTransferParseError } from "../../src/jingle/file-transfer-errors.js";
import {
  NS_HASHES,
  decodeBase64,
  encodeBase64,
  MultiHash,
} from "../../src/jingle/file-transfer-hash.js";
import {
  FILE_LIMITS,
  NS_FILE_TRANSFER,
  buildFileTransferDescription,
  parseFileTransferDescription,
} from "../../src/jingle/file-transfer.js";
import { child, type XmlElement } from "../../src/jingle/xml.js";
import { x } from "./support.js";

const sha1 = (data: string): string => createHash("sha1").update(data).digest("base64");
const description = (...file: XmlElement[]): XmlElement =>
  x("description", { xmlns: NS_FILE_TRANSFER }, x("file", {}, ...file));
const leaf = (name: string, value: string): XmlElement => x(name, {}, value);

function rejects(element: XmlElement, condition: string, pattern: RegExp): void {
  assert.throws(
    () => parseFileTransferDescription(element),
    (e: unknown) =>
      e instanceof FileTransferParseError && e.condition === condition && pattern.test(e.message),
  );
}

describe("XEP-0234 file descriptions", () => {
  it("parses every field of a file offer (XEP-0234 §5) and XEP-0300 hashes", () => {
    const file = parseFileTransferDescription(
      description(
        leaf("date", "2026-12-02T14:00:00.123Z"),
        leaf("desc", "holiday"),
        leaf("media-type", "image/jpeg"),
        leaf("name", "a.jpg"),
        leaf("size", "3032449"),
        x("range", { offset: "10", length: "20" }),
        x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, sha1("abc")),
        x("hash", { xmlns: NS_HASHES, algo: "md5" }, "ignored"),
        x("hash-used", { xmlns: NS_HASHES, algo: "sha-256" }),
        x("unknown-child", {}),
      ),
    );
    assert.equal(file.name, "a.jpg");
    assert.equal(file.size, 3032449);
    assert.equal(file.date, "2026-12-02T14:00:00.123Z");
    assert.equal(file.mediaType, "image/jpeg");
    assert.equal(file.desc, "holiday");
    assert.deepEqual(file.range, { offset: 10, length: 20 });
    assert.equal(file.hashes?.length, 1);
    assert.equal(file.hashes?.[0]?.algo, "sha-1");
    assert.equal(encodeBase64(file.hashes![0]!.value), sha1("abc"));
    assert.deepEqual(file.hashesUsed, ["sha-256"]);
  });

  it("reads Conversations' <mediaType/> like <media-type/> and always writes <media-type/>", () => {
    const file = parseFileTransferDescription(
      description(leaf("mediaType", "text/plain"), leaf("size", "1")),
    );
    assert.equal(file.mediaType, "text/plain");
    const built = buildFileTransferDescription(file);
    const f = child(built, "file")!;
    assert.ok(child(f, "media-type"));
    assert.equal(child(f, "mediaType"), undefined);
  });

  it("always offers sha-1 in <hash-used/>, which StanzaJS's receiver needs", () => {
    const built = buildFileTransferDescription({ name: "x", size: 5, hashesUsed: ["sha-256"] });
    const used = child(built, "file")!.children.filter(
      (c) => typeof c !== "string" && c.name === "hash-used",
    );
    assert.deepEqual(
      used.map((u) => (u as XmlElement).attrs),
      [
        { xmlns: NS_HASHES, algo: "sha-1" },
        { xmlns: NS_HASHES, algo: "sha-256" },
      ],
    );
  });

  it("round-trips a description through build and parse", () => {
    const file = {
      name: "report.pdf",
      size: 4096,
      date: "2026-01-01T00:00:00Z",
      mediaType: "application/pdf",
      desc: "Q4",
      range: { offset: 1024 },
      hashes: [{ algo: "sha-256" as const, value: new Uint8Array(32).fill(7) }],
      hashesUsed: ["sha-1" as const],
    };
    assert.deepEqual(parseFileTransferDescription(buildFileTransferDescription(file)), file);
  });

  it("defaults a range's offset to 0", () => {
    const file = parseFileTransferDescription(description(leaf("size", "10"), x("range", {})));
    assert.deepEqual(file.range, { offset: 0 });
  });

  it("reads hash-used in the nested <hash algo/> form too", () => {
    const file = parseFileTransferDescription(
      description(
        leaf("size", "1"),
        x("hash-used", { xmlns: NS_HASHES }, x("hash", { algo: "sha-512" })),
      ),
    );
    assert.deepEqual(file.hashesUsed, ["sha-512"]);
  });

  it("refuses sizes and offsets that are not non-negative safe decimal integers", () => {
    rejects(description(leaf("size", "-1")), "failed-application", /decimal/);
    rejects(description(leaf("size", "1e9")), "failed-application", /decimal/);
    rejects(description(leaf("size", "99999999999999999")), "failed-application", /decimal|large/);
    rejects(description(leaf("size", "9007199254740993")), "failed-application", /too large/);
    rejects(
      description(leaf("size", "10"), x("range", { offset: "0x10" })),
      "failed-application",
      /offset/,
    );
  });

  it("refuses a range outside the file", () => {
    rejects(
      description(leaf("size", "10"), x("range", { offset: "11" })),
      "failed-application",
      /range/,
    );
    rejects(
      description(leaf("size", "10"), x("range", { offset: "5", length: "6" })),
      "failed-application",
      /range/,
    );
  });

  it("refuses hashes that are not strict base64 or have the wrong length", () => {
    rejects(
      description(x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, "not base64!")),
      "failed-application",
      /base64/,
    );
    rejects(
      description(x("hash", { xmlns: NS_HASHES, algo: "sha-256" }, sha1("a"))),
      "failed-application",
      /20 bytes/,
    );
    rejects(
      description(x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, "A".repeat(300))),
      "failed-application",
      /long/,
    );
  });

  it("refuses fields above their caps, duplicate fields and bad dates", () => {
    rejects(
      description(leaf("name", "n".repeat(FILE_LIMITS.name + 1))),
      "failed-application",
      /name/,
    );
    rejects(
      description(leaf("desc", "d".repeat(FILE_LIMITS.desc + 1))),
      "failed-application",
      /desc/,
    );
    rejects(
      description(leaf("size", "1"), leaf("size", "2")),
      "failed-application",
      /more than one/,
    );
    rejects(description(leaf("date", "yesterday")), "failed-application", /DateTime/);
    const many = Array.from({ length: FILE_LIMITS.hashes + 1 }, () =>
      x("hash", { xmlns: NS_HASHES, algo: "sha-1" }, sha1("a")),
    );
    rejects(description(...many), "failed-application", /too (many|large)/);
  });

  it("refuses descriptions without exactly one <file/>, in another namespace, or too large", () => {
    rejects(x("description", { xmlns: NS_FILE_TRANSFER }), "failed-application", /exactly one/);
    rejects(
      x("description", { xmlns: NS_FILE_TRANSFER }, x("file", {}), x("file", {})),
      "failed-application",
      /exactly one/,
    );
    rejects(
      x("description", { xmlns: "urn:other" }, x("file", {})),
      "failed-application",
      /not a file-transfer/,
    );
    const deep = Array.from({ length: 100 }, () => x("junk", {}));
    rejects(description(...deep), "failed-application", /too large/);
  });

  it("decodes strict base64 only", () => {
    assert.deepEqual(decodeBase64(" AAE= "), new Uint8Array([0, 1]));
    assert.equal(decodeBase64("AAE"), undefined);
    assert.equal(decodeBase64("A=AE"), undefined);
    assert.deepEqual(decodeBase64(""), new Uint8Array(0));
  });

  it("hashes with several algorithms in one pass and gives stable digests", () => {
    const h = new MultiHash(["sha-1", "sha-256", "sha-1"]);
    h.update(new TextEncoder().encode("ab"));
    h.update(new TextEncoder().encode("c"));
    assert.deepEqual(h.algorithms, ["sha-1", "sha-256"]);
    assert.equal(encodeBase64(h.digest().get("sha-1")!), sha1("abc"));
    assert.equal(h.digest(), h.digest());
    assert.throws(() => h.update(new Uint8Array(1)), /after digest/);
  });
});
