// DTLS in Jingle sessions (XEP-0320) through the plugin, over the in-memory XMPP stand-in with
// real ICE and DTLS on 127.0.0.1: encrypted by default, plaintext only when both sides ask, and
// a fingerprint swapped in signalling ends the session with security-error; a responder's
// fingerprint may come in a transport-info before its session-accept (XEP-0320 §1).
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { xml } from "@xmpp/xml";
import { DatagramChannel } from "../../src/node/datagram-channel.js";
import { DtlsChannel } from "../../src/node/dtls-channel.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import { jingleIceUdp, type JingleIceOptions, type JingleSession } from "../../src/plugin/index.js";
import { FakeNetwork } from "./fake-xmpp.js";

const ice = { addresses: ["127.0.0.1"] };
const ALICE = "alice@jingle.test/bot";
const BOB = "bob@jingle.test/bot";

/** Alice calls Bob; both echo nothing, Bob accepts. */
async function call(
  aliceOptions: JingleIceOptions,
  bobOptions: JingleIceOptions,
  network = new FakeNetwork(),
) {
  const alice = jingleIceUdp(network.client(ALICE), { ice, ...aliceOptions });
  const bob = jingleIceUdp(network.client(BOB), { ice, ...bobOptions });
  const incoming = new Promise<{
    session: JingleSession;
    accepted: ReturnType<JingleSession["accept"]>;
  }>((resolve) =>
    bob.on("incoming", (session) => {
      const accepted = session.accept();
      accepted.catch(() => undefined);
      resolve({ session, accepted });
    }),
  );
  const refused = once(bob, "refused").then(
    ([r]) => r as { reason: { condition: string; text?: string } },
  );
  refused.catch(() => undefined);
  const session = alice.initiate(BOB);
  return { network, session, connected: session.connect(), incoming, refused };
}

describe("DTLS in Jingle sessions (XEP-0320)", () => {
  it("encrypts by default: the initiator offers actpass, the responder answers active and is the DTLS client", async () => {
    const aliceCertificate = generateCertificate();
    const bobCertificate = generateCertificate();
    const { session, connected, incoming } = await call(
      { certificate: aliceCertificate },
      { certificate: bobCertificate },
    );
    const channel = await connected;
    const { session: theirs, accepted } = await incoming;
    const bobChannel = await accepted;
    assert.ok(channel instanceof DtlsChannel && bobChannel instanceof DtlsChannel);
    assert.equal(session.dtls?.role, "server");
    assert.equal(theirs.dtls?.role, "client");
    assert.deepEqual(session.dtls?.remoteFingerprint, bobCertificate.fingerprint);
    assert.deepEqual(theirs.dtls?.remoteFingerprint, aliceCertificate.fingerprint);
    assert.match(session.dtls!.cipherSuite, /AES_128_GCM/);
    bobChannel.on("message", (data) => bobChannel.send(data));
    const echoed = once(channel, "message");
    channel.send(new TextEncoder().encode("secret"));
    assert.equal(new TextDecoder().decode((await echoed)[0] as Uint8Array), "secret");
    await session.terminate();
  });

  it("runs plaintext only when both sides set dtls: false", async () => {
    const { session, connected } = await call({ dtls: false }, { dtls: false });
    const channel = await connected;
    assert.ok(channel instanceof DatagramChannel);
    assert.equal(session.dtls, undefined);
    await session.terminate();
  });

  it("refuses an offer without a fingerprint with security-error when DTLS is on", async () => {
    const { connected, refused } = await call({ dtls: false }, {});
    await assert.rejects(connected, { name: "JingleSessionError", reason: "security-error" });
    assert.match((await refused).reason.text!, /DTLS is required/);
  });

  it("refuses an offer with a fingerprint with security-error when DTLS is off", async () => {
    const { connected, refused } = await call({}, { dtls: false });
    await assert.rejects(connected, { reason: "security-error" });
    assert.match((await refused).reason.text!, /without DTLS/);
  });

  it("takes the responder's fingerprint from a transport-info sent before its session-accept, which carries none (XEP-0320 §1)", async () => {
    const network = new FakeNetwork();
    const bobCertificate = generateCertificate();
    network.rewrite = (from, payload) => {
      if (from !== BOB || payload.attrs["action"] !== "session-accept") return;
      // Bob's fingerprint leaves the session-accept for a transport-info delivered just before.
      const content = payload.getChildElements()[0]!;
      const transport = content.getChildElements().find((e) => e.name === "transport")!;
      const children = (transport as unknown as { children: unknown[] }).children;
      const [fingerprint] = children.splice(
        children.findIndex((c) => (c as { name?: string }).name === "fingerprint"),
        1,
      );
      const { xmlns = "", ufrag = "", pwd = "" } = transport.attrs;
      const info = xml(
        "jingle",
        { ...(payload.attrs as Record<string, string>), action: "transport-info" },
        xml(
          "content",
          content.attrs as Record<string, string>,
          xml("transport", { xmlns, ufrag, pwd }, fingerprint),
        ),
      );
      void network.sender(BOB).iqCaller.request(xml("iq", { type: "set", to: ALICE }, info));
    };
    const { session, connected, incoming } = await call(
      {},
      { certificate: bobCertificate },
      network,
    );
    const channel = await connected;
    await (
      await incoming
    ).accepted;
    assert.ok(channel instanceof DtlsChannel);
    assert.equal(session.dtls?.role, "server");
    assert.deepEqual(session.dtls?.remoteFingerprint, bobCertificate.fingerprint);
    const accept = network.payloads.findIndex(
      (p) => p.from === BOB && p.element.attrs["action"] === "session-accept",
    );
    const info = network.payloads.findIndex(
      (p) => p.from === BOB && p.element.attrs["action"] === "transport-info",
    );
    assert.ok(info >= 0 && info < accept, "the transport-info came first");
    await session.terminate();
  });

  it("ends both sides with security-error when signalling swapped the offerer's fingerprint", async () => {
    const network = new FakeNetwork();
    const mallory = generateCertificate();
    network.rewrite = (from, payload) => {
      if (from !== ALICE || payload.attrs["action"] !== "session-initiate") return;
      const transport = payload
        .getChildElements()[0]!
        .getChildElements()
        .find((e) => e.name === "transport")!;
      const fingerprint = transport.getChildElements().find((e) => e.name === "fingerprint")!;
      (fingerprint as unknown as { children: string[] }).children = [mallory.fingerprint.value];
    };
    const { connected, incoming } = await call({}, {}, network);
    const [{ accepted }] = await Promise.all([incoming]);
    await assert.rejects(accepted, (error: Error & { reason?: string }) => {
      assert.equal(error.reason, "security-error");
      assert.match(error.message, /does not match its fingerprint/);
      return true;
    });
    await assert.rejects(connected, { reason: "security-error" });
  });
});
