// An echo bot: answers Jingle ICE-UDP sessions from an allow-list and echoes every datagram.
//
//   XMPP_SERVICE=xmpp://127.0.0.1:5222 XMPP_JID=bot@example.org XMPP_PASSWORD=secret \
//     ALLOW=alice@example.org npx tsx examples/echo-bot.ts
import { client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { jingleIceUdp } from "../src/index.js";

const { XMPP_SERVICE, XMPP_JID, XMPP_PASSWORD, ALLOW = "" } = process.env;
if (!XMPP_SERVICE || !XMPP_JID || !XMPP_PASSWORD)
  throw new Error("set XMPP_SERVICE, XMPP_JID and XMPP_PASSWORD");
const allow = ALLOW.split(",").filter(Boolean);
const [username, domain] = XMPP_JID.split("@");

const xmpp = client({
  service: XMPP_SERVICE,
  domain: domain!,
  username: username!,
  password: XMPP_PASSWORD,
});
const jingle = jingleIceUdp(xmpp, {
  // XEP-0176 §10: only peers on the list ever see our addresses.
  policy: (peer) => allow.length === 0 || allow.includes(peer.split("/")[0]!),
});

jingle.on("incoming", async (session) => {
  console.log(`session ${session.sid} from ${session.peer}`);
  const channel = await session.accept();
  console.log(
    `connected via ${channel.selectedPair?.local.type} ⇄ ${channel.selectedPair?.remote.type}`,
  );
  channel.on("message", (data) => channel.send(data));
  session.on("terminated", (reason) =>
    console.log(`session ${session.sid} ended: ${reason.condition}`),
  );
});

await xmpp.start();
await xmpp.send(xml("presence", {}, jingle.caps())); // XEP-0115 caps
console.log(`echo bot online as ${xmpp.jid?.toString()}`);
