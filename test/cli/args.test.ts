import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { candidateFromJson, candidateToJson } from "../../src/cli/candidate-json.js";
import { UsageError, parsePeerArgs } from "../../src/cli/main.js";
import type { Candidate } from "../../src/ice/types.js";

describe("jingle-ice peer options", () => {
  it("defaults to a controlling single-component peer on every usable address", () => {
    assert.deepEqual(parsePeerArgs([]), {
      role: "controlling",
      bind: [],
      stun: [],
      turn: [],
      turnCa: undefined,
      relayOnly: false,
      components: 1,
      echo: false,
      verbose: false,
    });
  });

  it("accepts repeated --bind and --stun, --components 2, --echo and the TURN options", () => {
    const options = parsePeerArgs([
      "--role",
      "controlled",
      "--bind",
      "127.0.0.1",
      "--bind",
      "::1",
      "--stun",
      "127.0.0.1:3478",
      "--turn",
      "127.0.0.1:3478",
      "--turn-user",
      "u",
      "--turn-pass",
      "p",
      "--components",
      "2",
      "--echo",
    ]);
    assert.equal(options.role, "controlled");
    assert.deepEqual(options.bind, ["127.0.0.1", "::1"]);
    assert.deepEqual(options.stun, ["127.0.0.1:3478"]);
    assert.equal(options.components, 2);
    assert.equal(options.echo, true);
    assert.deepEqual(options.turn, [
      { host: "127.0.0.1", port: 3478, transport: "udp", username: "u", password: "p" },
    ]);
  });

  it("reads --turn-transport into each server and insists on credentials and HOST:PORT for TURN", () => {
    const tcp = parsePeerArgs([
      "--turn",
      "127.0.0.1:3478",
      "--turn-user",
      "u",
      "--turn-pass",
      "p",
      "--turn-transport",
      "tcp",
    ]);
    assert.deepEqual(tcp.turn[0], {
      host: "127.0.0.1",
      port: 3478,
      transport: "tcp",
      username: "u",
      password: "p",
    });
    const tls = parsePeerArgs([
      "--turn",
      "127.0.0.1:5349",
      "--turn-user",
      "u",
      "--turn-pass",
      "p",
      "--turn-transport",
      "tls",
    ]);
    assert.deepEqual([tls.turn[0]?.transport, tls.turn[0]?.port], ["tls", 5349]);
    assert.throws(() => parsePeerArgs(["--turn", "127.0.0.1:3478"]), UsageError);
    assert.throws(
      () => parsePeerArgs(["--turn", "127.0.0.1", "--turn-user", "u", "--turn-pass", "p"]),
      /--turn takes HOST:PORT/,
    );
    assert.throws(
      () => parsePeerArgs(["--turn", "127.0.0.1:1", "--turn-transport", "sctp"]),
      /--turn-transport must be udp, tcp or tls/,
    );
    assert.throws(() => parsePeerArgs(["--relay-only"]), UsageError);
  });

  it("rejects a bad role, a bad component count and unknown options with UsageError", () => {
    assert.throws(() => parsePeerArgs(["--role", "boss"]), UsageError);
    assert.throws(() => parsePeerArgs(["--components", "3"]), UsageError);
    assert.throws(() => parsePeerArgs(["--frobnicate"]), UsageError);
  });
});

describe("candidates as XEP-0176 JSON", () => {
  const srflx: Candidate = {
    foundation: "2",
    component: 1,
    transport: "udp",
    priority: 1694498815,
    address: { family: "IPv4", address: "203.0.113.5", port: 40000 },
    type: "srflx",
    relatedAddress: { family: "IPv4", address: "10.0.0.2", port: 5000 },
  };

  it("writes every XEP-0176 attribute, with rel-addr and rel-port for non-host candidates", () => {
    const json = candidateToJson(srflx);
    assert.deepEqual(
      { ...json, id: "x" },
      {
        component: 1,
        foundation: "2",
        generation: 0,
        id: "x",
        ip: "203.0.113.5",
        network: 0,
        port: 40000,
        priority: 1694498815,
        protocol: "udp",
        type: "srflx",
        "rel-addr": "10.0.0.2",
        "rel-port": 5000,
      },
    );
  });

  it("reads what it writes, and tolerates missing id, network and generation and numeric strings", () => {
    const input = candidateFromJson(candidateToJson(srflx));
    assert.equal(input.address, "203.0.113.5");
    assert.deepEqual(input.relatedAddress, { address: "10.0.0.2", port: 5000 });
    const lenient = candidateFromJson({
      component: "1",
      foundation: 7,
      ip: "192.0.2.1",
      port: "9",
      priority: "100",
      protocol: "udp",
      type: "host",
    });
    assert.equal(lenient.port, 9);
    assert.equal(lenient.foundation, "7");
  });

  it("names the field that is wrong", () => {
    assert.throws(() => candidateFromJson({ type: "host" }), /candidate\.foundation/);
    assert.throws(
      () =>
        candidateFromJson({
          foundation: "1",
          component: 1,
          ip: "1.2.3.4",
          port: 1,
          priority: 1,
          protocol: "udp",
          type: "bogus",
        }),
      /candidate\.type/,
    );
  });
});
