// A datagram stream: `receive` answers a session and prints the throughput it receives;
// `send <full-jid>` opens a session and sends 1000-byte datagrams for 5 seconds.
//
//   XMPP_*=… npx tsx examples/stream.ts receive
//   XMPP_*=… npx tsx examples/stream.ts send receiver@example.org/res
import { client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { jingleIceUdp } from "../src/index.js";

const { XMPP_SERVICE, XMPP_JID, XMPP_PASSWORD } = process.env;
const [mode, peer] = process.argv.slice(2);
if (!XMPP_SERVICE || !XMPP_JID || !XMPP_PASSWORD || (mode !== "receive" && mode !== "send")) {
  throw new Error("usage: stream.ts receive | send <full-jid> (and XMPP_* variables)");
}
const [username, domain] = XMPP_JID.split("@");
const xmpp = client({
  service: XMPP_SERVICE,
  domain: domain!,
  username: username!,
  password: XMPP_PASSWORD,
});
const jingle = jingleIceUdp(xmpp);
await xmpp.start();
await xmpp.send(xml("presence"));

if (mode === "receive") {
  jingle.on("incoming", async (session) => {
    const channel = await session.accept();
    let bytes = 0;
    let datagrams = 0;
    channel.on("message", (data) => {
      bytes += data.length;
      datagrams++;
    });
    const timer = setInterval(() => {
      console.log(`${datagrams} datagrams/s, ${((bytes * 8) / 1e6).toFixed(1)} Mbit/s`);
      bytes = 0;
      datagrams = 0;
    }, 1000);
    session.on("terminated", () => clearInterval(timer));
  });
  console.log(`receiver online as ${xmpp.jid?.toString()}`);
} else {
  const session = jingle.initiate(peer!);
  const channel = await session.connect();
  const payload = new Uint8Array(1000);
  const until = performance.now() + 5000;
  let sent = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 32; i++) if (channel.send(payload)) sent++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  console.log(`sent ${sent} datagrams in 5 s`);
  await session.terminate("success");
  await xmpp.stop();
}
