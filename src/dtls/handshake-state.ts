/**
 * The handshake as an explicit table of states × accepted messages (after BoringSSL's
 * `ssl_hs_wait_*` states): in each state exactly the messages listed are processed; any other
 * handshake message is a fatal `unexpected_message` (RFC 5246 §7.2.2). The full handshake with
 * mutual authentication, as WebRTC runs it (RFC 8827 §6.5, RFC 5763 §5):
 *
 * ```
 * client                                         server
 * ClientHello                      -->                                     flight 1
 *                                  <--  HelloVerifyRequest (optional)      flight 2
 * ClientHello (+cookie)            -->                                     flight 3
 *                                       ServerHello, Certificate,
 *                                       ServerKeyExchange,
 *                                  <--  CertificateRequest, ServerHelloDone flight 4
 * Certificate, ClientKeyExchange,
 * CertificateVerify, [CCS], Finished -->                                   flight 5
 *                                  <--  [CCS], Finished                    flight 6
 * ```
 * @module
 */
import { HandshakeType as H } from "./constants.js";

/** Where the handshake is. */
export type HandshakeStateName =
  | "client-start"
  | "client-wait-server-hello"
  | "client-wait-certificate"
  | "client-wait-server-key-exchange"
  | "client-wait-certificate-request-or-done"
  | "client-wait-server-hello-done"
  | "client-wait-change-cipher-spec"
  | "client-wait-finished"
  | "server-wait-client-hello"
  | "server-wait-certificate"
  | "server-wait-client-key-exchange"
  | "server-wait-certificate-verify"
  | "server-wait-change-cipher-spec"
  | "server-wait-finished"
  /** Both Finished verified: application data may flow (once the fingerprint matched). */
  | "established"
  /** Failed or closed: nothing more is processed. */
  | "closed";

/** The handshake messages each state accepts (the peer's ChangeCipherSpec is not one). */
export const ACCEPTED_MESSAGES: Readonly<Record<HandshakeStateName, readonly number[]>> = {
  "client-start": [],
  "client-wait-server-hello": [H.helloVerifyRequest, H.serverHello],
  "client-wait-certificate": [H.certificate],
  "client-wait-server-key-exchange": [H.serverKeyExchange],
  "client-wait-certificate-request-or-done": [H.certificateRequest, H.serverHelloDone],
  "client-wait-server-hello-done": [H.serverHelloDone],
  "client-wait-change-cipher-spec": [],
  "client-wait-finished": [H.finished],
  "server-wait-client-hello": [H.clientHello],
  // WebRTC requires the client's certificate (RFC 8827 §6.5): an empty one is refused later.
  "server-wait-certificate": [H.certificate],
  "server-wait-client-key-exchange": [H.clientKeyExchange],
  "server-wait-certificate-verify": [H.certificateVerify],
  "server-wait-change-cipher-spec": [],
  "server-wait-finished": [H.finished],
  // New handshake messages after the handshake are renegotiation: refused (see the endpoint).
  established: [],
  closed: [],
};

/** The states in which the peer's ChangeCipherSpec switches the read epoch. */
export const CHANGE_CIPHER_SPEC_STATES: readonly HandshakeStateName[] = [
  "client-wait-change-cipher-spec",
  "server-wait-change-cipher-spec",
];

/** Whether `state` processes a handshake message of type `msgType`. */
export function accepts(state: HandshakeStateName, msgType: number): boolean {
  return ACCEPTED_MESSAGES[state].includes(msgType);
}
