import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StunServerSyntaxError, parseStunServer } from "../../src/stun/server.js";

describe("STUN servers as host:port", () => {
  it("reads names, IPv4 and IPv6 literals, bracketed or not", () => {
    assert.deepEqual(parseStunServer("stun.example.org:3478"), {
      host: "stun.example.org",
      port: 3478,
    });
    assert.deepEqual(parseStunServer("192.0.2.1:19302"), { host: "192.0.2.1", port: 19302 });
    assert.deepEqual(parseStunServer("[2001:db8::1]:3478"), { host: "2001:db8::1", port: 3478 });
    assert.deepEqual(parseStunServer("2001:db8::1:3478"), { host: "2001:db8::1", port: 3478 });
  });

  it("refuses text without a port, or with one outside 1–65535, naming the form", () => {
    for (const text of ["stun.example.org", "host:0", "host:65536", ":3478"]) {
      assert.throws(() => parseStunServer(text), StunServerSyntaxError, text);
    }
    assert.throws(() => parseStunServer("x"), /a STUN server is host:port, got x/);
  });
});
