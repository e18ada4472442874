import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  canonicalIp,
  formatIp,
  formatTransportAddress,
  ipFamily,
  parseIPv4,
  parseIPv6,
  parseIp,
} from "../../src/common/address.js";

/** 16 bytes from eight 16-bit groups. */
function v6(...groups: number[]): Uint8Array {
  assert.equal(groups.length, 8);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

describe("parseIPv4", () => {
  it("parses a dotted quad into four bytes", () => {
    assert.deepEqual(parseIPv4("192.0.2.1"), Uint8Array.of(192, 0, 2, 1));
    assert.deepEqual(parseIPv4("0.0.0.0"), Uint8Array.of(0, 0, 0, 0));
    assert.deepEqual(parseIPv4("255.255.255.255"), Uint8Array.of(255, 255, 255, 255));
  });

  it("rejects a part above 255", () => {
    assert.equal(parseIPv4("256.0.0.1"), undefined);
    assert.equal(parseIPv4("1.2.3.1000"), undefined);
  });

  it("rejects leading zeros, which some parsers read as octal", () => {
    assert.equal(parseIPv4("01.2.3.4"), undefined);
    assert.equal(parseIPv4("1.2.3.00"), undefined);
  });

  it("rejects the wrong number of parts, empty parts, signs, spaces and hex", () => {
    for (const text of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "1..3.4",
      "1.2.3.",
      "-1.2.3.4",
      "+1.2.3.4",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1.2.3.4\n",
      "0x1.2.3.4",
      "a.b.c.d",
    ]) {
      assert.equal(parseIPv4(text), undefined, JSON.stringify(text));
    }
  });
});

describe("parseIPv6", () => {
  it("parses the full form of eight groups (RFC 4291 §2.2 form 1)", () => {
    assert.deepEqual(
      parseIPv6("2001:db8:0:0:8:800:200c:417a"),
      v6(0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a),
    );
  });

  it("accepts upper-case hex digits and leading zeros in a group", () => {
    assert.deepEqual(
      parseIPv6("2001:0DB8:0000:0000:0008:0800:200C:417A"),
      v6(0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a),
    );
  });

  it("expands :: at the start, middle and end (RFC 4291 §2.2 form 2)", () => {
    assert.deepEqual(parseIPv6("::"), new Uint8Array(16));
    assert.deepEqual(parseIPv6("::1"), v6(0, 0, 0, 0, 0, 0, 0, 1));
    assert.deepEqual(parseIPv6("fe80::"), v6(0xfe80, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(parseIPv6("2001:db8::ff00:42"), v6(0x2001, 0xdb8, 0, 0, 0, 0, 0xff00, 0x42));
  });

  it("lets :: stand for a single zero group", () => {
    assert.deepEqual(parseIPv6("1:2:3::5:6:7:8"), v6(1, 2, 3, 0, 5, 6, 7, 8));
    assert.deepEqual(parseIPv6("::2:3:4:5:6:7:8"), v6(0, 2, 3, 4, 5, 6, 7, 8));
  });

  it("parses a trailing dotted IPv4 address (RFC 4291 §2.2 form 3)", () => {
    assert.deepEqual(parseIPv6("::ffff:192.0.2.1"), v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201));
    assert.deepEqual(parseIPv6("::13.1.68.3"), v6(0, 0, 0, 0, 0, 0, 0x0d01, 0x4403));
    assert.deepEqual(parseIPv6("1:2:3:4:5:6:1.2.3.4"), v6(1, 2, 3, 4, 5, 6, 0x0102, 0x0304));
  });

  it("rejects a bad embedded IPv4 address or one that is not last", () => {
    assert.equal(parseIPv6("::ffff:256.0.0.1"), undefined);
    assert.equal(parseIPv6("::ffff:1.2.3"), undefined);
    assert.equal(parseIPv6("::1.2.3.4:5"), undefined);
    assert.equal(parseIPv6("1.2.3.4::"), undefined);
    assert.equal(parseIPv6("1:2:3:4:5:6:7:1.2.3.4"), undefined);
    assert.equal(parseIPv6("1:2:3:4:5:6::1.2.3.4"), undefined);
  });

  it("rejects zone ids, which have no meaning off-link", () => {
    assert.equal(parseIPv6("fe80::1%eth0"), undefined);
  });

  it("rejects malformed text", () => {
    for (const text of [
      "",
      ":",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8",
      ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:",
      "12345::",
      "g::1",
      "1:::2",
      " ::1",
      "::1 ",
      "1.2.3.4",
    ]) {
      assert.equal(parseIPv6(text), undefined, JSON.stringify(text));
    }
  });

  it("rejects text longer than the longest valid form (45 characters)", () => {
    const longest = "0000:0000:0000:0000:0000:ffff:255.255.255.255";
    assert.equal(longest.length, 45);
    assert.deepEqual(parseIPv6(longest), v6(0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff));
    assert.equal(parseIPv6(`0${longest}`), undefined);
  });
});

describe("parseIp and ipFamily", () => {
  it("parses IPv4 text into 4 bytes and IPv6 text into 16", () => {
    assert.deepEqual(parseIp("10.0.0.1"), Uint8Array.of(10, 0, 0, 1));
    assert.deepEqual(parseIp("::1"), v6(0, 0, 0, 0, 0, 0, 0, 1));
    assert.equal(parseIp("example.org"), undefined);
    assert.equal(parseIp("1.2.3.4:80"), undefined);
  });

  it("names the family of an address and returns undefined for anything else", () => {
    assert.equal(ipFamily("203.0.113.7"), "IPv4");
    assert.equal(ipFamily("2001:db8::1"), "IPv6");
    assert.equal(ipFamily("::ffff:1.2.3.4"), "IPv6");
    assert.equal(ipFamily("1.2.3.4:80"), undefined);
    assert.equal(ipFamily("1.2.3"), undefined);
    assert.equal(ipFamily("localhost"), undefined);
    assert.equal(ipFamily(""), undefined);
  });
});

describe("formatIp", () => {
  it("formats 4 bytes as a dotted quad without leading zeros", () => {
    assert.equal(formatIp(Uint8Array.of(192, 0, 2, 1)), "192.0.2.1");
    assert.equal(formatIp(Uint8Array.of(0, 0, 0, 0)), "0.0.0.0");
  });

  it("writes lower-case hex without leading zeros (RFC 5952 §4.1, §4.3)", () => {
    assert.equal(
      formatIp(v6(0x2001, 0x0db8, 0xabcd, 0x12, 1, 2, 3, 0xffff)),
      "2001:db8:abcd:12:1:2:3:ffff",
    );
  });

  it("compresses the longest run of zero groups (RFC 5952 §4.2.1)", () => {
    assert.equal(formatIp(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 0)), "2001:db8:0:0:1::");
    assert.equal(formatIp(v6(0x2001, 0, 0, 0, 0, 0, 0, 1)), "2001::1");
    assert.equal(formatIp(v6(1, 0, 0, 2, 0, 0, 0, 3)), "1:0:0:2::3");
  });

  it("never compresses a single zero group (RFC 5952 §4.2.2)", () => {
    assert.equal(formatIp(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), "2001:db8:0:1:1:1:1:1");
    assert.equal(formatIp(v6(0, 1, 2, 3, 4, 5, 6, 7)), "0:1:2:3:4:5:6:7");
    assert.equal(formatIp(v6(1, 2, 3, 4, 5, 6, 7, 0)), "1:2:3:4:5:6:7:0");
  });

  it("compresses the first of two equally long zero runs (RFC 5952 §4.2.3)", () => {
    assert.equal(formatIp(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), "2001:db8::1:0:0:1");
    assert.equal(formatIp(v6(0, 0, 1, 2, 3, 4, 0, 0)), "::1:2:3:4:0:0");
  });

  it("formats the unspecified and loopback addresses as :: and ::1", () => {
    assert.equal(formatIp(new Uint8Array(16)), "::");
    assert.equal(formatIp(v6(0, 0, 0, 0, 0, 0, 0, 1)), "::1");
    assert.equal(formatIp(v6(1, 0, 0, 0, 0, 0, 0, 0)), "1::");
  });

  it("writes IPv4-mapped addresses as ::ffff: and a dotted quad (RFC 5952 §5)", () => {
    assert.equal(formatIp(v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201)), "::ffff:192.0.2.1");
    assert.equal(formatIp(v6(0, 0, 0, 0, 0, 0xffff, 0, 0)), "::ffff:0.0.0.0");
  });

  it("keeps hex for addresses that only look close to IPv4-mapped", () => {
    // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) and ffff in another position.
    assert.equal(formatIp(v6(0, 0, 0, 0, 0, 0, 0xc000, 0x0201)), "::c000:201");
    assert.equal(formatIp(v6(0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201)), "::1:ffff:c000:201");
    assert.equal(formatIp(v6(0, 0, 0, 0, 0xffff, 0, 0xc000, 0x0201)), "::ffff:0:c000:201");
  });

  it("throws RangeError for lengths other than 4 and 16", () => {
    for (const length of [0, 3, 5, 15, 17]) {
      assert.throws(() => formatIp(new Uint8Array(length)), RangeError);
    }
  });
});

describe("canonicalIp", () => {
  it("maps every spelling of an address to one canonical text", () => {
    assert.equal(canonicalIp("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    assert.equal(canonicalIp("2001:db8:0:0:0:0:0:1"), "2001:db8::1");
    assert.equal(canonicalIp("2001:db8::0:1"), "2001:db8::1");
    assert.equal(canonicalIp("::FFFF:C000:0201"), "::ffff:192.0.2.1");
    assert.equal(canonicalIp("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
    assert.equal(canonicalIp("192.0.2.1"), "192.0.2.1");
  });

  it("returns undefined for text that is not an IP address", () => {
    assert.equal(canonicalIp("example.org"), undefined);
    assert.equal(canonicalIp("fe80::1%eth0"), undefined);
    assert.equal(canonicalIp("1.2.3.04"), undefined);
  });

  it("is idempotent on its own output", () => {
    for (const text of ["::", "::1", "1::", "2001:db8::1:0:0:1", "::ffff:10.0.0.1", "1.2.3.4"]) {
      assert.equal(canonicalIp(text), text);
    }
  });
});

describe("formatTransportAddress", () => {
  it("writes IPv4 as address:port", () => {
    assert.equal(
      formatTransportAddress({ family: "IPv4", address: "192.0.2.1", port: 3478 }),
      "192.0.2.1:3478",
    );
  });

  it("brackets IPv6 addresses before the port (RFC 5952 §6)", () => {
    assert.equal(
      formatTransportAddress({ family: "IPv6", address: "2001:db8::1", port: 443 }),
      "[2001:db8::1]:443",
    );
    assert.equal(formatTransportAddress({ family: "IPv6", address: "::", port: 0 }), "[::]:0");
  });
});
