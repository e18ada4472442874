// A ping probe: opens a session to a full JID, prints the selected pair and round-trip times.
//
//   XMPP_SERVICE=… XMPP_JID=alice@example.org XMPP_PASSWORD=… npx tsx examples/ping-probe.ts bot@example.org/res
import { client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { jingleIceUdp } from "../src/index.js";

const { XMPP_SERVICE, XMPP_JID, XMPP_PASSWORD } = process.env;
const peer = process.argv[2];
if (!XMPP_SERVICE || !XMPP_JID || !XMPP_PASSWORD || !peer)
  throw new Error("usage: ping-probe.ts <full-jid> (and XMPP_* variables)");
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

const session = jingle.initiate(peer);
const channel = await session.connect();
const pair = channel.selectedPair!;
console.log(
  `selected pair: ${pair.local.type} ${pair.local.address.address}:${pair.local.address.port} ⇄ ${pair.remote.type} ${pair.remote.address.address}:${pair.remote.address.port}`,
);
for (let i = 0; i < 5; i++) {
  const sent = performance.now();
  const reply = new Promise((resolve) => channel.once("message", resolve));
  channel.send(new TextEncoder().encode(`ping ${i}`));
  await reply;
  console.log(`rtt ${(performance.now() - sent).toFixed(2)} ms`);
}
await session.terminate("success");
await xmpp.stop();
