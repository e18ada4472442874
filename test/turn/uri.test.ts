import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TurnUriError, parseTurnUri } from "../../src/turn/uri.js";

describe("TURN URIs (RFC 7065)", () => {
  it("defaults to UDP on 3478 for turn: and TLS on 5349 for turns:", () => {
    assert.deepEqual(parseTurnUri("turn:turn.example.org"), {
      secure: false,
      host: "turn.example.org",
      port: 3478,
      transport: "udp",
    });
    assert.deepEqual(parseTurnUri("turns:turn.example.org"), {
      secure: true,
      host: "turn.example.org",
      port: 5349,
      transport: "tls",
    });
  });

  it("reads the port, the transport and bracketed IPv6 literals", () => {
    assert.deepEqual(parseTurnUri("turn:127.0.0.1:3479?transport=tcp"), {
      secure: false,
      host: "127.0.0.1",
      port: 3479,
      transport: "tcp",
    });
    assert.deepEqual(parseTurnUri("TURN:[2001:db8::1]:1000?transport=UDP"), {
      secure: false,
      host: "2001:db8::1",
      port: 1000,
      transport: "udp",
    });
  });

  it("rejects other schemes, bad ports and turns: over UDP with TurnUriError", () => {
    assert.throws(() => parseTurnUri("stun:example.org"), TurnUriError);
    assert.throws(() => parseTurnUri("turn:example.org:99999"), TurnUriError);
    assert.throws(() => parseTurnUri("turns:example.org?transport=udp"), TurnUriError);
  });
});
