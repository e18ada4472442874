// Every decoder, fed random or mutated bytes, either succeeds or throws DtlsDecodeError: nothing
// else escapes (the endpoint turns that error into a drop or a decode_error alert).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeAlert } from "../../src/dtls/alert.js";
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeFinished,
} from "../../src/dtls/certificate-messages.js";
import { DtlsDecodeError } from "../../src/dtls/errors.js";
import { decodeHandshakeFragments } from "../../src/dtls/handshake-header.js";
import {
  decodeClientHello,
  decodeHelloVerifyRequest,
  decodeServerHello,
  encodeClientHello,
} from "../../src/dtls/hello.js";
import {
  decodeCertificateVerify,
  decodeClientKeyExchange,
  decodeServerKeyExchange,
} from "../../src/dtls/key-exchange-messages.js";
import { decodeRecords } from "../../src/dtls/record.js";
import { sampleClientHello } from "./support.js";

const decoders: [string, (b: Uint8Array) => unknown][] = [
  ["records", (b) => decodeRecords(b, () => {})],
  ["handshake fragments", decodeHandshakeFragments],
  ["ClientHello", decodeClientHello],
  ["ServerHello", decodeServerHello],
  ["HelloVerifyRequest", decodeHelloVerifyRequest],
  ["Certificate", decodeCertificate],
  ["CertificateRequest", decodeCertificateRequest],
  ["ServerKeyExchange", decodeServerKeyExchange],
  ["ClientKeyExchange", decodeClientKeyExchange],
  ["CertificateVerify", decodeCertificateVerify],
  ["Finished", decodeFinished],
  ["alert", decodeAlert],
];

function onlyDocumentedErrors(bytes: Uint8Array): void {
  for (const [name, decode] of decoders) {
    try {
      decode(bytes);
    } catch (error) {
      assert.ok(error instanceof DtlsDecodeError, `${name} threw ${String(error)}`);
    }
  }
}

describe("DTLS decoders on hostile bytes", () => {
  it("throw only DtlsDecodeError on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), onlyDocumentedErrors), {
      numRuns: 2000,
    });
  });

  it("throw only DtlsDecodeError on mutations of a valid ClientHello", () => {
    const valid = encodeClientHello(sampleClientHello);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(valid.length),
        (edits, cut) => {
          const mutated = Uint8Array.from(valid);
          for (const [at, value] of edits) mutated[at] = value;
          onlyDocumentedErrors(mutated.subarray(0, cut));
          onlyDocumentedErrors(mutated);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
