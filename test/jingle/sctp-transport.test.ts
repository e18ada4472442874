// Data-channel signalling in Jingle, both variants: XEP-0343's <sctpmap/> inside the ICE-UDP
// transport (StanzaJS, Jitsi) and Conversations' webrtc-datachannel transport wrapping it, with
// the BUNDLE <group/> (XEP-0338) Conversations sends. Stanzas are written as those clients send
// them (attribute for attribute), read into the model, and built back.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  JingleBuildError,
  JingleParseError,
  MAX_GROUP_CONTENTS,
  MAX_GROUPS,
  NS_JINGLE,
  NS_JINGLE_DTLS,
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_GROUPING,
  NS_JINGLE_ICE_UDP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  buildJingle,
  buildTransport,
  parseJingle,
  type IceUdpTransport,
  type Jingle,
  type XmlElement,
} from "../../src/jingle/index.js";
import { pretty, x } from "./support.js";

const FT = "urn:xmpp:jingle:apps:file-transfer:5";
const FINGERPRINT =
  "5C:9A:1E:6F:1B:95:9B:52:4E:80:D2:72:03:0F:0B:39:D7:21:64:5C:43:1E:2B:EE:4A:85:6C:BE:8C:F0:A4:6E";
const candidate = x("candidate", {
  component: "1",
  foundation: "3516138925",
  generation: "0",
  id: "a8f9",
  ip: "192.0.2.17",
  network: "1",
  port: "52611",
  priority: "2122260223",
  protocol: "udp",
  type: "host",
});
const fingerprint = x(
  "fingerprint",
  { xmlns: NS_JINGLE_DTLS, hash: "sha-256", setup: "actpass" },
  FINGERPRINT,
);

/** StanzaJS / Jitsi: XEP-0343 §3's <sctpmap/> after the fingerprint in the ICE-UDP transport. */
const stanzaJsInitiate = pretty(
  x(
    "jingle",
    { xmlns: NS_JINGLE, action: "session-initiate", initiator: "a@x.test/s", sid: "s1" },
    x(
      "content",
      { creator: "initiator", name: "data", senders: "both" },
      x("description", { xmlns: FT }),
      x(
        "transport",
        { xmlns: NS_JINGLE_ICE_UDP, pwd: "Ocx8x1Ht0tW8v9ILiZcE7vAB", ufrag: "hH9q" },
        fingerprint,
        x("sctpmap", {
          xmlns: NS_JINGLE_DTLS_SCTP,
          number: "5000",
          protocol: "webrtc-datachannel",
          streams: "1024",
        }),
        candidate,
      ),
    ),
  ),
);

/** Conversations: the outer transport around ICE-UDP, then the BUNDLE group. */
function conversations(action: string, inner: XmlElement[], outer: Record<string, string>) {
  return pretty(
    x(
      "jingle",
      { xmlns: NS_JINGLE, action, initiator: "c@x.test/Conversations.AbCd", sid: "s2" },
      x(
        "content",
        { creator: "initiator", name: "f7e6", senders: "initiator" },
        ...(action === "session-initiate" ? [x("description", { xmlns: FT })] : []),
        x(
          "transport",
          { xmlns: NS_JINGLE_WEBRTC_DATACHANNEL, ...outer },
          x(
            "transport",
            { xmlns: NS_JINGLE_ICE_UDP, pwd: "b2VQ3tIh8Tl1cTqd", ufrag: "Q7xP" },
            ...inner,
          ),
        ),
      ),
      ...(action === "session-initiate"
        ? [
            x(
              "group",
              { xmlns: NS_JINGLE_GROUPING, semantics: "BUNDLE" },
              x("content", { name: "f7e6" }),
            ),
          ]
        : []),
    ),
  );
}
const conversationsInitiate = conversations("session-initiate", [fingerprint, candidate], {
  "sctp-port": "5000",
  "max-message-size": "262144",
});

function transportOf(jingle: Jingle): IceUdpTransport {
  const transport = jingle.contents[0]?.transport;
  assert.equal(transport?.kind, "ice-udp");
  return transport;
}

describe("XEP-0343 <sctpmap/> in the ICE-UDP transport", () => {
  it("reads StanzaJS's session-initiate: port, protocol and streams next to the fingerprint and candidates", () => {
    const transport = transportOf(parseJingle(stanzaJsInitiate));
    assert.deepEqual(transport.sctp, {
      variant: "sctpmap",
      port: 5000,
      protocol: "webrtc-datachannel",
      streams: 1024,
    });
    assert.equal(transport.candidates.length, 1);
    assert.equal(transport.fingerprints?.[0]?.value, FINGERPRINT);
  });

  it("builds the sctpmap after the fingerprint and before the candidates, and reads it back", () => {
    const parsed = parseJingle(stanzaJsInitiate);
    const built = buildJingle(parsed);
    const transport = (built.children[0] as XmlElement).children[1] as XmlElement;
    assert.deepEqual(
      transport.children.map((c) => (c as XmlElement).name),
      ["fingerprint", "sctpmap", "candidate"],
    );
    assert.deepEqual(parseJingle(built), parsed);
  });

  it("writes protocol webrtc-datachannel when the model names none", () => {
    const built = buildTransport({
      kind: "ice-udp",
      candidates: [],
      gatheringComplete: false,
      skipped: [],
      sctp: { variant: "sctpmap", port: 5000 },
    });
    assert.deepEqual(built.children[0], {
      name: "sctpmap",
      attrs: { xmlns: NS_JINGLE_DTLS_SCTP, number: "5000", protocol: "webrtc-datachannel" },
      children: [],
    });
  });

  it("keeps the first sctpmap, and a transport without one has no sctp", () => {
    const twice = pretty(
      x(
        "transport",
        { xmlns: NS_JINGLE_ICE_UDP },
        x("sctpmap", { xmlns: NS_JINGLE_DTLS_SCTP, number: "5001" }),
        x("sctpmap", { xmlns: NS_JINGLE_DTLS_SCTP, number: "5002" }),
      ),
    );
    const jingle = (t: XmlElement) =>
      x(
        "jingle",
        { xmlns: NS_JINGLE, action: "transport-info", sid: "s" },
        x("content", { name: "c" }, t),
      );
    assert.deepEqual(transportOf(parseJingle(jingle(twice))).sctp, {
      variant: "sctpmap",
      port: 5001,
    });
    const none = transportOf(parseJingle(jingle(x("transport", { xmlns: NS_JINGLE_ICE_UDP }))));
    assert.equal("sctp" in none, false);
  });

  for (const [attr, value] of [
    ["number", "0"],
    ["number", "65536"],
    ["number", "-1"],
    ["number", "5e3"],
    ["streams", "0"],
    ["streams", "99999999999"],
  ] as const) {
    it(`refuses a stanza whose sctpmap has ${attr}='${value}' with bad-request`, () => {
      const bad = x(
        "jingle",
        { xmlns: NS_JINGLE, action: "transport-info", sid: "s" },
        x(
          "content",
          { name: "c" },
          x(
            "transport",
            { xmlns: NS_JINGLE_ICE_UDP },
            x("sctpmap", { xmlns: NS_JINGLE_DTLS_SCTP, [attr]: value }),
          ),
        ),
      );
      assert.throws(
        () => parseJingle(bad),
        (e: unknown) => {
          assert.ok(e instanceof JingleParseError);
          assert.equal(e.condition, "bad-request");
          assert.match(e.message, new RegExp(`${attr}='${value}'`));
          return true;
        },
      );
    });
  }
});

describe("Conversations' webrtc-datachannel transport", () => {
  it("reads its session-initiate: the ICE-UDP transport inside, sctp-port and max-message-size outside, and the BUNDLE group", () => {
    const jingle = parseJingle(conversationsInitiate);
    const transport = transportOf(jingle);
    assert.deepEqual(transport.sctp, {
      variant: "webrtc-datachannel",
      port: 5000,
      maxMessageSize: 262144,
    });
    assert.equal(transport.ufrag, "Q7xP");
    assert.equal(transport.pwd, "b2VQ3tIh8Tl1cTqd");
    assert.equal(transport.candidates[0]?.ip, "192.0.2.17");
    assert.equal(transport.fingerprints?.[0]?.setup, "actpass");
    assert.deepEqual(jingle.groups, [{ semantics: "BUNDLE", contents: ["f7e6"] }]);
    assert.equal(jingle.info, undefined, "the group is not an info payload");
  });

  it("reads its transport-info, the outer element repeated around one candidate", () => {
    const info = conversations("transport-info", [candidate], {
      "sctp-port": "5000",
      "max-message-size": "262144",
    });
    const transport = transportOf(parseJingle(info));
    assert.equal(transport.sctp?.variant, "webrtc-datachannel");
    assert.equal(transport.candidates.length, 1);
  });

  it("reads an outer element without attributes or without an ICE-UDP transport inside", () => {
    const bare = x(
      "jingle",
      { xmlns: NS_JINGLE, action: "transport-info", sid: "s" },
      x("content", { name: "c" }, x("transport", { xmlns: NS_JINGLE_WEBRTC_DATACHANNEL })),
    );
    assert.deepEqual(transportOf(parseJingle(bare)), {
      kind: "ice-udp",
      candidates: [],
      gatheringComplete: false,
      skipped: [],
      sctp: { variant: "webrtc-datachannel" },
    });
  });

  it("builds the same shape back (outer transport, ICE-UDP inside, group after the content) and reads it back", () => {
    const parsed = parseJingle(conversationsInitiate);
    const built = buildJingle(parsed);
    const [content, group] = built.children as XmlElement[];
    const outer = content!.children[1] as XmlElement;
    assert.deepEqual(outer.attrs, {
      xmlns: NS_JINGLE_WEBRTC_DATACHANNEL,
      "sctp-port": "5000",
      "max-message-size": "262144",
    });
    assert.equal((outer.children[0] as XmlElement).attrs["xmlns"], NS_JINGLE_ICE_UDP);
    assert.deepEqual(group, {
      name: "group",
      attrs: { xmlns: NS_JINGLE_GROUPING, semantics: "BUNDLE" },
      children: [{ name: "content", attrs: { name: "f7e6" }, children: [] }],
    });
    assert.deepEqual(parseJingle(built), parsed);
  });

  it("refuses to build the outer transport without sctp-port or max-message-size (both mandatory for Conversations)", () => {
    const base = {
      kind: "ice-udp",
      candidates: [],
      gatheringComplete: false,
      skipped: [],
    } as const;
    assert.throws(
      () => buildTransport({ ...base, sctp: { variant: "webrtc-datachannel", port: 5000 } }),
      JingleBuildError,
    );
    assert.throws(
      () => buildTransport({ ...base, sctp: { variant: "webrtc-datachannel", maxMessageSize: 1 } }),
      JingleBuildError,
    );
    assert.throws(
      () =>
        buildTransport({
          ...base,
          sctp: { variant: "webrtc-datachannel", port: 70000, maxMessageSize: 1 },
        }),
      JingleBuildError,
    );
  });

  for (const [attr, value] of [
    ["sctp-port", "0"],
    ["sctp-port", "port"],
    ["max-message-size", "4294967296"],
    ["max-message-size", "-5"],
  ] as const) {
    it(`refuses a stanza whose outer transport has ${attr}='${value}' with bad-request`, () => {
      const bad = conversations("transport-info", [candidate], { [attr]: value });
      assert.throws(() => parseJingle(bad), { name: "JingleParseError", condition: "bad-request" });
    });
  }
});

describe("XEP-0338 groups", () => {
  it(`keeps at most ${MAX_GROUPS} groups of at most ${MAX_GROUP_CONTENTS} names, skipping nameless contents and groups without semantics`, () => {
    const names = Array.from({ length: MAX_GROUP_CONTENTS + 5 }, (_, i) =>
      x("content", { name: `n${i}` }),
    );
    const groups = [
      x("group", { xmlns: NS_JINGLE_GROUPING }, x("content", { name: "lost" })),
      ...Array.from({ length: MAX_GROUPS + 2 }, () =>
        x("group", { xmlns: NS_JINGLE_GROUPING, semantics: "BUNDLE" }, x("content", {}), ...names),
      ),
    ];
    const jingle = parseJingle(
      x("jingle", { xmlns: NS_JINGLE, action: "session-terminate", sid: "s" }, ...groups),
    );
    assert.equal(jingle.groups?.length, MAX_GROUPS);
    assert.deepEqual(
      jingle.groups?.[0]?.contents,
      names.slice(0, MAX_GROUP_CONTENTS).map((n) => n.attrs["name"]),
    );
  });

  it("leaves groups out of a jingle that has none, and a group in another namespace stays an info payload", () => {
    const other = x("group", { xmlns: "urn:example:other", semantics: "BUNDLE" });
    const jingle = parseJingle(
      x("jingle", { xmlns: NS_JINGLE, action: "session-info", sid: "s" }, other),
    );
    assert.equal("groups" in jingle, false);
    assert.deepEqual(jingle.info, [other]);
  });
});
