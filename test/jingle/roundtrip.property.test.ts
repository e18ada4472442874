// Properties of the Jingle model (fast-check, docs/testing.md): parse(build(j)) = j for every model
// that build can emit; built transports always carry credentials with their candidates; and
// parsing hostile elements returns a model or throws JingleParseError, nothing else — a bad
// candidate never fails the stanza.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ACTIONS_WITH_CONTENT,
  CANDIDATE_TYPES,
  JINGLE_ACTIONS,
  JingleBuildError,
  JingleParseError,
  NS_JINGLE,
  NS_JINGLE_ICE_UDP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  REASON_CONDITIONS,
  buildCandidate,
  buildJingle,
  children,
  namespaceOf,
  parseJingle,
  type Content,
  type ContentGroup,
  type SctpTransport,
  type IceUdpTransport,
  type Jingle,
  type JingleCandidate,
  type OtherTransport,
  type Reason,
  type XmlElement,
} from "../../src/jingle/index.js";
import { x } from "./support.js";

const runs = Number(process.env["FC_RUNS"] ?? 300);
const U32 = 0xffffffff;

/** fc.record without null-prototype objects, so results compare equal to parsed models. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });
const nonEmpty = fc.string({ minLength: 1, maxLength: 12 });
const sidLike = fc.oneof(nonEmpty, fc.stringMatching(/^[A-Za-z0-9+/=]{1,24}$/));
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });
/** Leaves `key` out when `value` is undefined (exactOptionalPropertyTypes). */
const maybe = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

const candidate: fc.Arbitrary<JingleCandidate> = fc
  .record(
    {
      component: fc.integer({ min: 1, max: 256 }),
      foundation: nonEmpty,
      generation: fc.integer({ min: 0, max: U32 }),
      id: nonEmpty,
      ip: nonEmpty,
      network: fc.integer({ min: 0, max: U32 }),
      port: fc.integer({ min: 1, max: 0xffff }),
      priority: fc.integer({ min: 1, max: U32 }),
      type: fc.constantFrom(...CANDIDATE_TYPES),
      relAddr: nonEmpty,
      relPort: fc.integer({ min: 0, max: 0xffff }),
    },
    { noNullPrototype: true },
  )
  .map(({ relAddr, relPort, ...c }) => ({
    ...c,
    protocol: "udp" as const,
    ...(c.type !== "host" && { relAddr, relPort }),
  }));

/** `withCreds` false leaves ufrag/pwd out even when there are candidates (build must refuse). */
const iceUdp = (alwaysCreds: boolean): fc.Arbitrary<IceUdpTransport> =>
  rec({
    ufrag: nonEmpty,
    pwd: nonEmpty,
    withCreds: fc.boolean(),
    candidates: fc.array(candidate, { maxLength: 4 }),
    remote: opt(
      rec({
        component: fc.integer({ min: 1, max: 256 }),
        ip: nonEmpty,
        port: fc.integer({ min: 1, max: 0xffff }),
      }),
    ),
    gatheringComplete: fc.boolean(),
    sctp: opt(sctp),
  }).map(({ ufrag, pwd, withCreds, candidates, remote, gatheringComplete, sctp }) => ({
    kind: "ice-udp" as const,
    ...((withCreds || (alwaysCreds && candidates.length > 0)) && { ufrag, pwd }),
    candidates,
    ...maybe("remoteCandidate", remote),
    gatheringComplete,
    skipped: [],
    ...maybe("sctp", sctp),
  }));

/** Both data-channel variants as build emits them (Conversations' needs both numbers). */
const sctp: fc.Arbitrary<SctpTransport> = fc.oneof(
  rec({
    port: opt(fc.integer({ min: 1, max: 0xffff })),
    protocol: opt(fc.constantFrom("webrtc-datachannel", "other")),
    streams: opt(fc.integer({ min: 1, max: 0xffff })),
  }).map(({ port, protocol, streams }) => ({
    variant: "sctpmap" as const,
    ...maybe("port", port),
    protocol: protocol ?? "webrtc-datachannel",
    ...maybe("streams", streams),
  })),
  rec({
    port: fc.integer({ min: 1, max: 0xffff }),
    maxMessageSize: fc.integer({ min: 0, max: 0xffffffff }),
  }).map(({ port, maxMessageSize }) => ({
    variant: "webrtc-datachannel" as const,
    port,
    maxMessageSize,
  })),
);

const group: fc.Arbitrary<ContentGroup> = rec({
  semantics: fc.constantFrom("BUNDLE", "LS"),
  contents: fc.array(nonEmpty, { maxLength: 3 }),
});

const other: fc.Arbitrary<OtherTransport> = fc
  .constantFrom("urn:xmpp:jingle:transports:raw-udp:1", "urn:xmpp:jingle:transports:ibb:1")
  .map((xmlns) => ({ kind: "other", element: x("transport", { xmlns, "block-size": "4096" }) }));

const content = (alwaysCreds: boolean): fc.Arbitrary<Content> =>
  rec({
    creator: fc.constantFrom("initiator" as const, "responder" as const),
    name: nonEmpty,
    disposition: opt(nonEmpty),
    senders: opt(fc.constantFrom("both" as const, "initiator" as const, "none" as const)),
    media: opt(fc.constantFrom("audio", "video", "application")),
    transport: opt(fc.oneof(iceUdp(alwaysCreds), other)),
  }).map(({ creator, name, disposition, senders, media, transport }) => ({
    creator,
    name,
    ...maybe("disposition", disposition),
    ...maybe("senders", senders),
    ...maybe(
      "description",
      media && x("description", { xmlns: "urn:xmpp:jingle:apps:rtp:1", media }),
    ),
    ...maybe("transport", transport),
  }));

const reason: fc.Arbitrary<Reason> = rec({
  condition: fc.constantFrom(...REASON_CONDITIONS),
  text: opt(fc.string({ maxLength: 20 })),
  sid: fc.stringMatching(/^[A-Za-z0-9+/]{1,16}$/),
}).map(({ condition, text, sid }) => ({
  condition,
  ...maybe("text", text),
  ...(condition === "alternative-session" && { sid }),
}));

const infoElement = fc
  .constantFrom(
    ["ringing", "urn:xmpp:jingle:apps:rtp:1:info"],
    ["mute", "urn:xmpp:jingle:apps:rtp:1:info"],
    ["active", "urn:xmpp:jingle:apps:rtp:1:info"],
  )
  .map(([name, xmlns]) => x(name ?? "", { xmlns: xmlns ?? "" }));

const jingle = (alwaysCreds = true): fc.Arbitrary<Jingle> =>
  fc.constantFrom(...JINGLE_ACTIONS).chain((action) =>
    rec({
      sid: sidLike,
      initiator: opt(nonEmpty),
      responder: opt(nonEmpty),
      contents: fc.array(content(alwaysCreds), {
        minLength: ACTIONS_WITH_CONTENT.has(action) ? 1 : 0,
        maxLength: 3,
      }),
      reason: opt(reason),
      groups: opt(fc.array(group, { minLength: 1, maxLength: 2 })),
      info: opt(fc.array(infoElement, { minLength: 1, maxLength: 2 })),
    }).map(({ sid, initiator, responder, contents, reason, groups, info }) => ({
      action,
      sid,
      ...maybe("initiator", initiator),
      ...maybe("responder", responder),
      contents,
      ...maybe("reason", reason),
      ...maybe("groups", groups),
      ...maybe("info", info),
    })),
  );

/** Every ICE-UDP <transport/> in a built <jingle/>. */
function iceTransports(built: XmlElement): XmlElement[] {
  return children(built, "content", NS_JINGLE).flatMap((c) => [
    ...children(c, "transport", NS_JINGLE_ICE_UDP, NS_JINGLE),
    // Conversations' data-channel transport wraps the ICE-UDP one.
    ...children(c, "transport", NS_JINGLE_WEBRTC_DATACHANNEL, NS_JINGLE).flatMap((w) =>
      children(w, "transport", NS_JINGLE_ICE_UDP),
    ),
  ]);
}

const CANDIDATE_ATTRS = [
  "component",
  "foundation",
  "generation",
  "id",
  "ip",
  "network",
  "port",
  "priority",
  "protocol",
  "type",
];

describe("Jingle model properties", () => {
  it("parses every built model back to itself", () => {
    fc.assert(
      fc.property(jingle(), (j) => {
        assert.deepEqual(parseJingle(buildJingle(j)), j);
      }),
      { numRuns: runs },
    );
  });

  it("puts ufrag and pwd on every transport with candidates, or refuses to build", () => {
    fc.assert(
      fc.property(jingle(false), (j) => {
        const missing = j.contents.some(
          (c) =>
            c.transport?.kind === "ice-udp" &&
            c.transport.candidates.length > 0 &&
            (c.transport.ufrag === undefined || c.transport.pwd === undefined),
        );
        if (missing) {
          assert.throws(() => buildJingle(j), JingleBuildError);
          return;
        }
        for (const transport of iceTransports(buildJingle(j))) {
          const candidates = children(transport, "candidate");
          if (candidates.length === 0) continue;
          assert.ok(transport.attrs["ufrag"] && transport.attrs["pwd"]);
          for (const c of candidates) {
            const expected = [...CANDIDATE_ATTRS];
            if (c.attrs["type"] !== "host") expected.push("rel-addr", "rel-port");
            assert.deepEqual(Object.keys(c.attrs).sort(), expected.sort());
            assert.equal(c.attrs["protocol"], "udp");
          }
        }
      }),
      { numRuns: runs },
    );
  });

  it("never fails a transport-info for its candidates, and can re-emit every one it keeps", () => {
    const value = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("0", "1", "65535", "65536", "4294967295", "4294967296", "-1", "udp", "tcp"),
      fc.constantFrom("host", "srflx", "prflx", "relay", "HOST", "local", "192.0.2.1", "::1"),
    );
    const attrs = fc.dictionary(
      fc.constantFrom(...CANDIDATE_ATTRS, "rel-addr", "rel-port", "tcptype", "xmlns"),
      value,
      { maxKeys: 12, noNullPrototype: true },
    );
    fc.assert(
      fc.property(fc.array(attrs, { maxLength: 5 }), (all) => {
        const element = x(
          "jingle",
          { xmlns: NS_JINGLE, action: "transport-info", sid: "s" },
          x(
            "content",
            { name: "data" },
            x("transport", { xmlns: NS_JINGLE_ICE_UDP }, ...all.map((a) => x("candidate", a))),
          ),
        );
        const transport = parseJingle(element).contents[0]?.transport;
        assert.equal(transport?.kind, "ice-udp");
        if (transport?.kind !== "ice-udp") return;
        const inNamespace = all.filter(
          (a) => namespaceOf(x("candidate", a), NS_JINGLE_ICE_UDP) === NS_JINGLE_ICE_UDP,
        );
        assert.equal(transport.candidates.length + transport.skipped.length, inNamespace.length);
        for (const c of transport.candidates) buildCandidate(c);
      }),
      { numRuns: runs },
    );
  });

  it("parses any element tree into a model or throws JingleParseError, nothing else", () => {
    const names = [
      "jingle",
      "content",
      "transport",
      "candidate",
      "remote-candidate",
      "gathering-complete",
      "reason",
      "success",
      "alternative-session",
      "sid",
      "text",
      "description",
    ];
    const tree = fc.letrec<{ node: XmlElement }>((tie) => ({
      node: rec({
        name: fc.constantFrom(...names),
        attrs: fc.dictionary(
          fc.constantFrom("xmlns", "action", "sid", "name", "creator", "senders", "port", "type"),
          fc.oneof(
            fc.constantFrom(NS_JINGLE, NS_JINGLE_ICE_UDP, "transport-info", "session-terminate"),
            fc.string({ maxLength: 5 }),
          ),
          { maxKeys: 4, noNullPrototype: true },
        ),
        children: fc.array(
          fc.oneof({ depthSize: "small" }, fc.string({ maxLength: 3 }), tie("node")),
          {
            maxLength: 4,
          },
        ),
      }).map((r): XmlElement => r),
    }));
    fc.assert(
      fc.property(tree.node, (root) => {
        const element = { ...root, name: "jingle", attrs: { ...root.attrs, xmlns: NS_JINGLE } };
        try {
          parseJingle(element);
        } catch (err) {
          assert.ok(err instanceof JingleParseError, String(err));
          assert.equal(err.condition, "bad-request");
        }
      }),
      { numRuns: runs },
    );
  });
});
