// Demo: two ICE agents on 127.0.0.1 (one process, real UDP sockets) gather, trickle their
// candidates to each other through an in-memory "signalling channel", run connectivity checks,
// nominate a pair, and exchange datagrams over it. Run it with `npm run demo` (or ./scripts/demo).
import {
  DatagramChannel,
  IceConnection,
  toRemoteCandidateInput,
  type Candidate,
} from "../src/index.js";

const started = performance.now();
const step = (who: string, text: string): void =>
  console.log(
    `${(performance.now() - started).toFixed(1).padStart(7)} ms  ${who.padEnd(5)} ${text}`,
  );
const show = (c: Candidate): string =>
  `${c.type} ${c.address.address}:${c.address.port} (priority ${c.priority}, foundation ${c.foundation})`;

const alice = await IceConnection.create({ role: "controlling", addresses: ["127.0.0.1"] });
const bob = await IceConnection.create({ role: "controlled", addresses: ["127.0.0.1"] });
step("", "two agents created, each with one UDP socket on 127.0.0.1");

for (const [name, self, peer] of [
  ["alice", alice, bob],
  ["bob", bob, alice],
] as const) {
  const { ufrag, pwd } = self.localCredentials;
  step(name, `credentials ufrag=${ufrag} pwd=${pwd.slice(0, 4)}… → signalled to the peer`);
  peer.setRemoteCredentials(ufrag, pwd);
  self.on("local-candidate", (c) => {
    step(name, `trickles candidate ${show(c)}`);
    peer.addRemoteCandidate(toRemoteCandidateInput(c));
  });
  self.on("gathering-complete", () => {
    step(name, "gathering complete → end-of-candidates");
    peer.endOfRemoteCandidates();
  });
  self.on("state", (component, state) => step(name, `component ${component} is ${state}`));
  self.on("selected-pair", (p) => step(name, `selected pair ${show(p.local)} ⇄ ${show(p.remote)}`));
}

const selected = Promise.all([
  new Promise((resolve) => alice.once("selected-pair", resolve)),
  new Promise((resolve) => bob.once("selected-pair", resolve)),
]);
alice.startGathering();
bob.startGathering();
await selected;

const aliceChannel = new DatagramChannel(alice);
const bobChannel = new DatagramChannel(bob);
bobChannel.on("message", (data) => {
  step("bob", `received "${new TextDecoder().decode(data)}", echoing it`);
  bobChannel.send(data);
});
const echoed = new Promise<string>((resolve) =>
  aliceChannel.once("message", (data) => resolve(new TextDecoder().decode(data))),
);
step("alice", 'sends "hello over ICE"');
aliceChannel.send(new TextEncoder().encode("hello over ICE"));
const reply = await echoed;
step("alice", `got the echo "${reply}"`);

const stats = alice.stats();
step(
  "alice",
  `checks sent ${stats.checksSent}, received ${stats.checksReceived}, datagrams ${stats.dataSent} out / ${stats.dataReceived} in`,
);
await aliceChannel.close();
await bobChannel.close();
const ok = reply === "hello over ICE";
console.log(ok ? "demo finished: ICE connected two agents over loopback" : "demo FAILED");
process.exit(ok ? 0 : 1);
