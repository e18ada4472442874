// Every way a peer can fail authentication must end the handshake with a clear, named error on
// the side that detects it, and the fatal alert must reach the other side.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Encode } from "../../src/common/bytes.js";
import { cert, impostor, Pair } from "./support.js";

const otherFingerprint = (name: string) => cert(name).fingerprint;

/** Runs the handshake to its end (with timers, so retransmissions cannot hide a failure). */
function run(pair: Pair): Pair {
  pair.start().pump();
  for (let i = 0; i < 20 && pair.tick(); i++) pair.pump();
  return pair;
}

describe("DTLS handshake refusals", () => {
  it("the client refuses a server whose certificate does not have the expected fingerprint", () => {
    const pair = run(new Pair({ client: { remoteFingerprint: otherFingerprint("ec-c") } }));
    const error = pair.error("client");
    assert.equal(error.name, "DtlsError");
    assert.equal(error.code, "fingerprint-mismatch");
    assert.equal(error.alertName, "bad_certificate");
    assert.equal(pair.error("server").code, "alert-received");
    assert.equal(pair.error("server").alertName, "bad_certificate");
    assert.equal(pair.of("client", "connected").length, 0);
  });

  it("the server refuses a client whose certificate does not have the expected fingerprint", () => {
    const pair = run(new Pair({ server: { remoteFingerprint: otherFingerprint("ec-c") } }));
    assert.equal(pair.error("server").code, "fingerprint-mismatch");
    assert.equal(pair.error("client").alertName, "bad_certificate");
    assert.equal(pair.of("server", "connected").length, 0);
    assert.equal(pair.of("client", "connected").length, 0);
  });

  it("a fingerprint given after the handshake that does not match fails without any data delivered", () => {
    const pair = new Pair({ fingerprints: false }).start().pump();
    pair.server.setRemoteFingerprint(pair.now, cert("ec-a").fingerprint);
    pair.pump();
    pair.server.send(pair.now, utf8Encode("secret"));
    pair.pump();
    pair.client.setRemoteFingerprint(pair.now, otherFingerprint("ec-c"));
    pair.pump();
    assert.equal(pair.error("client").code, "fingerprint-mismatch");
    assert.equal(pair.of("client", "data").length, 0);
  });

  it("the client refuses a ServerKeyExchange signed with another key than the certificate's", () => {
    const pair = run(new Pair({ server: { certificate: impostor(cert("ec-b")) } }));
    const error = pair.error("client");
    assert.equal(error.code, "handshake-failed");
    assert.equal(error.alertName, "decrypt_error");
    assert.match(error.message, /ServerKeyExchange signature does not verify/);
    assert.equal(pair.error("server").alertName, "decrypt_error");
  });

  it("the client refuses an RSA ServerKeyExchange signed with another key", () => {
    const pair = run(new Pair({ server: { certificate: impostor(cert("rsa-b")) } }));
    assert.match(pair.error("client").message, /ServerKeyExchange signature does not verify/);
  });

  it("the server refuses a CertificateVerify signed with another key than the certificate's", () => {
    const pair = run(new Pair({ client: { certificate: impostor(cert("ec-a")) } }));
    const error = pair.error("server");
    assert.equal(error.code, "handshake-failed");
    assert.equal(error.alertName, "decrypt_error");
    assert.match(error.message, /CertificateVerify signature does not verify/);
    assert.equal(pair.error("client").alertName, "decrypt_error");
  });

  it("the server refuses a client's Finished with a wrong verify_data", () => {
    const pair = run(new Pair({ client: { bugs: { badFinished: true } } }));
    const error = pair.error("server");
    assert.equal(error.alertName, "decrypt_error");
    assert.match(error.message, /client's Finished does not verify/);
    assert.equal(pair.error("client").code, "alert-received");
  });

  it("the client refuses a server's Finished with a wrong verify_data", () => {
    const pair = run(new Pair({ server: { bugs: { badFinished: true } } }));
    const error = pair.error("client");
    assert.equal(error.alertName, "decrypt_error");
    assert.match(error.message, /server's Finished does not verify/);
    assert.equal(pair.error("server").code, "alert-received");
  });

  it("the server refuses a ClientHello that carries a renegotiation (RFC 5746 §3.6)", () => {
    const pair = run(
      new Pair({ client: { bugs: { renegotiationInfo: new Uint8Array(12).fill(7) } } }),
    );
    const error = pair.error("server");
    assert.equal(error.alertName, "handshake_failure");
    assert.match(error.message, /renegotiation_info/);
  });

  it("the server refuses a client without the extended master secret (RFC 7627)", () => {
    const pair = run(new Pair({ client: { bugs: { noExtendedMasterSecret: true } } }));
    assert.equal(pair.error("server").alertName, "handshake_failure");
    assert.match(pair.error("server").message, /extended master secret/);
  });

  it("a transcript changed in flight (the ClientHello's suites reordered) fails the client's CertificateVerify", () => {
    const pair = new Pair();
    pair.filter = (from, datagram, index) => {
      if (from !== "client" || index !== 0) return datagram;
      // Swap the two cipher suites: the keys are unchanged, the transcripts now differ, so the
      // first signature over the transcript (CertificateVerify) no longer verifies.
      const out = Uint8Array.from(datagram);
      const at = findSequence(out, [0xc0, 0x2b, 0xc0, 0x2f]);
      out.set([0xc0, 0x2f, 0xc0, 0x2b], at);
      return out;
    };
    run(pair);
    assert.match(pair.error("server").message, /CertificateVerify signature does not verify/);
  });
});

function findSequence(haystack: Uint8Array, needle: number[]): number {
  for (let i = 0; i + needle.length <= haystack.length; i++)
    if (needle.every((b, j) => haystack[i + j] === b)) return i;
  throw new Error("sequence not found");
}
