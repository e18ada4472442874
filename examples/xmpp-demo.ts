// The quick-start demo (./scripts/demo): a throwaway Prosody and coturn on 127.0.0.1, two bots
// that log in, open a Jingle ICE-UDP session (XEP-0166/XEP-0176), exchange datagrams both ways
// and end the session — printing each step. Everything stays on loopback and is removed at
// the end.
import { once } from "node:events";
import { jingleIceUdp, type JingleSession } from "../src/index.js";
import { startCoturn } from "../test/support/coturn.js";
import { connectClient, startProsody } from "../test/support/prosody.js";

const started = performance.now();
const step = (who: string, text: string): void =>
  console.log(
    `${(performance.now() - started).toFixed(1).padStart(8)} ms  ${who.padEnd(6)} ${text}`,
  );

const coturn = await startCoturn({
  auth: { kind: "static-auth-secret", realm: "jingle.test", secret: "demo-secret" },
});
step("", `coturn listening on 127.0.0.1:${coturn.port}`);
const prosody = await startProsody({
  users: { alice: "alice-demo", bob: "bob-demo" },
  externalServices: [
    { type: "stun", host: "127.0.0.1", port: coturn.port, transport: "udp" },
    {
      type: "turn",
      host: "127.0.0.1",
      port: coturn.port,
      transport: "udp",
      secret: "demo-secret",
      restricted: true,
    },
  ],
});
step(
  "",
  `Prosody listening on ${prosody.service} for ${prosody.domain} (XEP-0215 points at coturn)`,
);

let ok = false;
const [alice, bob] = await Promise.all([
  connectClient(prosody, "alice", "demo"),
  connectClient(prosody, "bob", "demo"),
]);
try {
  step("alice", `online as ${alice.jid}`);
  step("bob", `online as ${bob.jid}`);
  const options = { ice: { addresses: ["127.0.0.1"] }, iceServers: "auto" as const };
  const aliceJingle = jingleIceUdp(alice, options);
  const bobJingle = jingleIceUdp(bob, options);

  bobJingle.on("incoming", (session: JingleSession) => {
    step("bob", `session-initiate from ${session.peer} (sid ${session.sid}) → accepting`);
    void session.accept().then(
      (channel) => {
        const pair = channel.selectedPair!;
        step(
          "bob",
          `ICE selected ${pair.local.type} ${pair.local.address.address}:${pair.local.address.port} ⇄ ${pair.remote.type} ${pair.remote.address.address}:${pair.remote.address.port}`,
        );
        channel.on("message", (data) => {
          step("bob", `received "${new TextDecoder().decode(data)}" → echoing`);
          channel.send(data);
        });
      },
      (error: Error) => step("bob", `session ended before its channel opened: ${error.message}`),
    );
    session.on("terminated", (reason) => step("bob", `session-terminate (${reason.condition})`));
  });

  step("alice", `session-initiate to ${bob.jid} (candidates trickle in transport-info)`);
  const session = aliceJingle.initiate(String(bob.jid));
  const channel = await session.connect();
  const pair = channel.selectedPair!;
  step(
    "alice",
    `channel open: ${pair.local.type} ${pair.local.address.address}:${pair.local.address.port} ⇄ ${pair.remote.type} ${pair.remote.address.address}:${pair.remote.address.port}`,
  );
  for (const text of ["hello over Jingle", "second datagram"]) {
    const echoed = once(channel, "message");
    step("alice", `sends "${text}"`);
    channel.send(new TextEncoder().encode(text));
    const [data] = (await echoed) as [Uint8Array];
    step("alice", `got the echo "${new TextDecoder().decode(data)}"`);
  }
  const stats = session.ice!.stats();
  step(
    "alice",
    `checks sent ${stats.checksSent}, datagrams ${stats.dataSent} out / ${stats.dataReceived} in`,
  );
  await session.terminate("success");
  step("alice", "session ended");
  ok = true;
} finally {
  await Promise.all([alice.stop(), bob.stop()]).catch(() => undefined);
  await prosody.stop();
  await coturn.stop();
}
console.log(
  ok
    ? "demo finished: two XMPP bots exchanged datagrams over a Jingle ICE-UDP session"
    : "demo FAILED",
);
process.exit(ok ? 0 : 1);
