// Lenient candidate parsing (docs/plugin.md): odd candidates are skipped with a reason, never
// failing the stanza; unknown attributes and children are ignored.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NS_JINGLE_ICE_UDP } from "../../src/jingle/index.js";
import { host, jingle, parseOne, transportInfo, transportOf, without, x } from "./support.js";

describe("lenient candidate parsing", () => {
  it("accepts a candidate without id, network and generation, leaving them out", () => {
    const { candidates, skipped } = parseOne({
      component: "1",
      foundation: "1",
      ip: "192.0.2.1",
      port: "3478",
      priority: "2130706431",
      protocol: "udp",
      type: "host",
    });
    assert.deepEqual(skipped, []);
    assert.deepEqual(candidates, [
      {
        component: 1,
        foundation: "1",
        ip: "192.0.2.1",
        port: 3478,
        priority: 2130706431,
        protocol: "udp",
        type: "host",
      },
    ]);
  });

  it("leaves out a generation or network it cannot read, and keeps the candidate", () => {
    const [candidate] = parseOne({ ...host, generation: "x", network: "-1" }).candidates;
    assert.ok(candidate);
    assert.equal("generation" in candidate, false);
    assert.equal("network" in candidate, false);
  });

  it("keeps a numeric-looking foundation as the string it was", () => {
    assert.equal(parseOne({ ...host, foundation: "0042" }).candidates[0]?.foundation, "0042");
    assert.equal(parseOne({ ...host, foundation: "1" }).candidates[0]?.foundation, "1");
  });

  it("skips a tcp candidate and records why, with its attributes as received", () => {
    const attrs = { ...host, protocol: "tcp", tcptype: "passive" };
    const { candidates, skipped } = parseOne(attrs);
    assert.deepEqual(candidates, []);
    assert.deepEqual(skipped, [{ candidate: attrs, reason: "unsupported-protocol" }]);
  });

  it("reads protocol and type case-insensitively, and takes a missing protocol as udp", () => {
    const [candidate] = parseOne({ ...without("protocol"), type: "HOST" }).candidates;
    assert.equal(candidate?.protocol, "udp");
    assert.equal(candidate?.type, "host");
    assert.equal(parseOne({ ...host, protocol: "UDP" }).candidates.length, 1);
  });

  it("skips priority 0 and priorities above 2^32−1, and accepts 2^32−1", () => {
    for (const priority of ["0", "4294967296", "99999999999", "-5", "1e3", ""]) {
      assert.deepEqual(
        parseOne({ ...host, priority }).skipped.map((s) => s.reason),
        ["bad-priority"],
        priority,
      );
    }
    assert.equal(
      parseOne({ ...host, priority: "4294967295" }).candidates[0]?.priority,
      2 ** 32 - 1,
    );
    assert.equal(parseOne({ ...host, priority: "1" }).candidates[0]?.priority, 1);
  });

  it("skips a candidate whose port is 0, above 65535, not a number or missing", () => {
    for (const attrs of [
      { ...host, port: "0" },
      { ...host, port: "65536" },
      { ...host, port: "http" },
      { ...host, port: " 80" },
      without("port"),
    ]) {
      assert.deepEqual(
        parseOne(attrs).skipped.map((s) => s.reason),
        ["bad-port"],
      );
    }
    assert.equal(parseOne({ ...host, port: "65535" }).candidates[0]?.port, 65535);
  });

  it("skips a candidate of unknown or missing type", () => {
    for (const attrs of [
      { ...host, type: "local" },
      { ...host, type: "tcp-active" },
      without("type"),
    ]) {
      assert.deepEqual(
        parseOne(attrs).skipped.map((s) => s.reason),
        ["bad-type"],
      );
    }
  });

  it("skips a candidate without component 1–256, foundation or ip", () => {
    const reasons = (attrs: Record<string, string>) => parseOne(attrs).skipped.map((s) => s.reason);
    assert.deepEqual(reasons({ ...host, component: "0" }), ["bad-component"]);
    assert.deepEqual(reasons({ ...host, component: "257" }), ["bad-component"]);
    assert.deepEqual(reasons(without("foundation")), ["bad-foundation"]);
    assert.deepEqual(reasons({ ...host, ip: "" }), ["bad-ip"]);
  });

  it("keeps the good candidates next to a bad one, in order", () => {
    const { candidates, skipped } = transportOf(
      transportInfo(
        x("candidate", { ...host, id: "a" }),
        x("candidate", { ...host, id: "b", priority: "0" }),
        x("candidate", { ...host, id: "c", port: "9" }),
      ),
    );
    assert.deepEqual(
      candidates.map((c) => c.id),
      ["a", "c"],
    );
    assert.deepEqual(
      skipped.map((s) => s.candidate["id"]),
      ["b"],
    );
  });

  it("keeps rel-addr/rel-port (rel-port 0 included) for non-host types only, and both or none", () => {
    const srflx = { ...host, type: "srflx", "rel-addr": "0.0.0.0", "rel-port": "0" };
    const [kept] = parseOne(srflx).candidates;
    assert.equal(kept?.relAddr, "0.0.0.0");
    assert.equal(kept?.relPort, 0);
    const [hostWithRel] = parseOne({ ...host, "rel-addr": "10.0.0.1", "rel-port": "5" }).candidates;
    assert.equal(hostWithRel && "relAddr" in hostWithRel, false);
    const [half] = parseOne({ ...srflx, "rel-port": "x" }).candidates;
    assert.equal(half && ("relAddr" in half || "relPort" in half), false);
  });

  it("ignores unknown attributes and unknown children", () => {
    const { candidates } = transportOf(
      transportInfo(
        x("candidate", { ...host, tcptype: "so", "x-custom": "1" }),
        x("rtcp-mux"),
        x("fingerprint", { xmlns: "urn:xmpp:jingle:apps:dtls:0", hash: "sha-256" }, "AB:CD"),
        x("candidate", { ...host, id: "foreign", xmlns: "urn:example:other" }),
      ),
    );
    assert.deepEqual(
      candidates.map((c) => c.id),
      ["c1"],
    );
  });

  it("reads <gathering-complete/> in XEP-0371's namespace too", () => {
    const transport = transportOf(
      transportInfo(x("gathering-complete", { xmlns: "urn:xmpp:jingle:transports:ice:0" })),
    );
    assert.equal(transport.gatheringComplete, true);
  });

  it("takes the first readable <remote-candidate/> and ignores unreadable ones", () => {
    const transport = transportOf(
      transportInfo(
        x("remote-candidate", { component: "1", ip: "10.0.0.1", port: "0" }),
        x("remote-candidate", { component: "1", ip: "10.0.0.2", port: "5000" }),
        x("remote-candidate", { component: "2", ip: "10.0.0.3", port: "5001" }),
      ),
    );
    assert.deepEqual(transport.remoteCandidate, { component: 1, ip: "10.0.0.2", port: 5000 });
  });

  it("reads a transport with candidates but no credentials, leaving ufrag and pwd out", () => {
    const element = jingle(
      {},
      x(
        "content",
        { name: "data" },
        x("transport", { xmlns: NS_JINGLE_ICE_UDP, ufrag: "" }, x("candidate", host)),
      ),
    );
    const transport = transportOf(element);
    assert.equal("ufrag" in transport || "pwd" in transport, false);
    assert.equal(transport.candidates.length, 1);
  });
});
