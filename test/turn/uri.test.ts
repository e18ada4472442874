import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TurnUriError, parseTurnUri, turnServersFromUris } from "../../src/turn/uri.js";

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

describe("TURN servers from an RTCIceServer-style entry", () => {
  it("gives one structured server per URI, with the credentials and the CA certificates as a list", () => {
    assert.deepEqual(
      turnServersFromUris({
        urls: ["turn:192.0.2.1", "turns:turn.example.org:443"],
        username: "u",
        password: "p",
        ca: "PEM",
      }),
      [
        {
          host: "192.0.2.1",
          port: 3478,
          transport: "udp",
          username: "u",
          password: "p",
          ca: ["PEM"],
        },
        {
          host: "turn.example.org",
          port: 443,
          transport: "tls",
          username: "u",
          password: "p",
          ca: ["PEM"],
        },
      ],
    );
    assert.deepEqual(
      turnServersFromUris({ urls: "turn:[::1]?transport=tcp", username: "u", password: "p" }),
      [{ host: "::1", port: 3478, transport: "tcp", username: "u", password: "p" }],
    );
  });

  it("refuses the whole entry when one URI cannot be understood", () => {
    assert.throws(
      () =>
        turnServersFromUris({
          urls: ["turn:ok.example", "http://x"],
          username: "u",
          password: "p",
        }),
      TurnUriError,
    );
  });
});
