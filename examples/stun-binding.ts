// Demo: an ICE-style STUN Binding exchange on loopback, using jingle-ice's sans-IO STUN layer
// with a plain node:dgram socket on each side. Run it with `npm run demo` (or ./scripts/demo).
//
// 1. A "remote agent" answers Binding requests that carry its short-term credentials
//    (RFC 8445 §7.3: USERNAME "remote:local", MESSAGE-INTEGRITY with its password, FINGERPRINT)
//    with a success response carrying XOR-MAPPED-ADDRESS, and anything else with an error.
// 2. The "local agent" sends a connectivity-check-like request through a StunClientTransaction
//    (RFC 8489 §6.2.1 retransmissions driven by one timer), verifies the response, and prints
//    what it learnt.
// 3. It then sends a request signed with the wrong password and shows the 401 it gets back.
// Only 127.0.0.1 is used.
import { createSocket, type Socket } from "node:dgram";
import {
  StunClientTransaction,
  StunMethod,
  attr,
  createTransactionId,
  decodeStunMessage,
  encodeStunMessage,
  formatTransportAddress,
  getAttribute,
  shortTermKey,
  verifyMessageIntegrity,
  type DecodedStunMessage,
} from "../src/stun/index.js";
import { cryptoRng } from "../src/index.js";

const remoteUfrag = "R3mt";
const localUfrag = "L0cl";
const remotePassword = "remote-password-0123456789";
const remoteKey = shortTermKey(remotePassword);
const step = (text: string): void => console.log(`• ${text}`);

function bind(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}

/** The answering side: validates credentials as an ICE agent does (RFC 8445 §7.3). */
function answer(socket: Socket): void {
  socket.on("message", (data, rinfo) => {
    let request: DecodedStunMessage;
    try {
      request = decodeStunMessage(data);
    } catch (error) {
      step(`remote: dropped a datagram that is not STUN (${(error as Error).message})`);
      return;
    }
    const username = getAttribute(request, "USERNAME");
    const authentic =
      username === `${remoteUfrag}:${localUfrag}` && verifyMessageIntegrity(request, remoteKey);
    const from = { family: "IPv4" as const, address: rinfo.address, port: rinfo.port };
    const reply = authentic
      ? encodeStunMessage(
          {
            class: "success",
            method: StunMethod.Binding,
            transactionId: request.transactionId,
            attributes: [attr("XOR-MAPPED-ADDRESS", from)],
          },
          { messageIntegrity: remoteKey, fingerprint: true },
        )
      : encodeStunMessage(
          {
            class: "error",
            method: StunMethod.Binding,
            transactionId: request.transactionId,
            attributes: [attr("ERROR-CODE", { code: 401, reason: "Unauthenticated" })],
          },
          { fingerprint: true },
        );
    step(
      `remote: ${authentic ? "valid" : "INVALID"} check from ${formatTransportAddress(from)}, answering ${reply.length} bytes`,
    );
    socket.send(reply, rinfo.port, rinfo.address);
  });
}

/** Sends one request through a transaction and resolves with the decoded response. */
function transact(
  socket: Socket,
  to: { address: string; port: number },
  password: string,
): Promise<DecodedStunMessage> {
  const transactionId = createTransactionId(cryptoRng);
  const request = encodeStunMessage(
    {
      class: "request",
      method: StunMethod.Binding,
      transactionId,
      attributes: [
        attr("USERNAME", `${remoteUfrag}:${localUfrag}`),
        attr("PRIORITY", 1853824767),
        attr("ICE-CONTROLLING", 0x1234_5678_9abc_def0n),
      ],
    },
    { messageIntegrity: shortTermKey(password), fingerprint: true },
  );
  const started = performance.now();
  const transaction = new StunClientTransaction(started, transactionId, request);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      const now = performance.now();
      transaction.handleTimeout(now);
      for (let bytes; (bytes = transaction.pollTransmit());) {
        step(
          `local: sending Binding request #${transaction.transmissions} (${bytes.length} bytes, id ${Buffer.from(transactionId).toString("hex")})`,
        );
        socket.send(bytes, to.port, to.address);
      }
      const deadline = transaction.pollTimeout();
      if (transaction.state === "timed-out") return finish(new Error("Binding request timed out"));
      if (deadline !== undefined)
        timer = setTimeout(pump, Math.max(0, deadline - performance.now()));
    };
    const onMessage = (data: Buffer): void => {
      try {
        const response = decodeStunMessage(data);
        if (!Buffer.from(response.transactionId).equals(transactionId)) return;
        transaction.complete();
        step(
          `local: response after ${(performance.now() - started).toFixed(2)} ms, FINGERPRINT ok`,
        );
        finish(undefined, response);
      } catch (error) {
        step(`local: ignored a malformed datagram (${(error as Error).message})`);
      }
    };
    const finish = (error?: Error, response?: DecodedStunMessage): void => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      if (error) reject(error);
      else resolve(response!);
    };
    socket.on("message", onMessage);
    pump();
  });
}

const remote = await bind();
const local = await bind();
answer(remote);
const remoteAddress = remote.address();
step(
  `remote agent listening on 127.0.0.1:${remoteAddress.port}, local agent on 127.0.0.1:${local.address().port}`,
);

const ok = await transact(local, remoteAddress, remotePassword);
const integrity = verifyMessageIntegrity(ok, remoteKey);
step(`local: ${ok.class} response, MESSAGE-INTEGRITY ${integrity ? "verified" : "FAILED"}`);
const mapped = getAttribute(ok, "XOR-MAPPED-ADDRESS");
step(
  `local: the remote agent sees us at ${mapped ? formatTransportAddress(mapped) : "?"} (XOR-MAPPED-ADDRESS)`,
);

const denied = await transact(local, remoteAddress, "wrong-password");
const error = getAttribute(denied, "ERROR-CODE");
step(`local: with a wrong password the check gets ${denied.class} ${error?.code} ${error?.reason}`);

remote.close();
local.close();
const success = integrity && mapped !== undefined && error?.code === 401;
console.log(success ? "demo finished: STUN Binding over loopback works" : "demo FAILED");
process.exit(success ? 0 : 1);
