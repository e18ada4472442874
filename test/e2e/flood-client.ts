// The flooder of test/e2e/faults-flood.test.ts, as a process of its own (so that the bot's
// process holds only the bot): logs in over 127.0.0.1 with SASL PLAIN, sends FLOOD_COUNT Jingle
// IQs to FLOOD_TO (a garbage sid, FLOOD_SID — a real session's sid — with junk candidates, and a
// malformed <jingle/>, in turn), FLOOD_WINDOW in flight at once, and reports as JSON lines:
// `online`, then `done` with the error conditions of the replies and the number of results.
import { client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { buildJingle } from "../../src/jingle/build.js";
import { NS_JINGLE, type Jingle } from "../../src/jingle/model.js";
import { toXmpp } from "../../src/plugin/xmpp.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

/** A transport-info for `sid` carrying `count` junk candidates (ports 1…, tiny priorities). */
function junkTransportInfo(sid: string, count: number): Jingle {
  return {
    action: "transport-info",
    sid,
    contents: [
      {
        creator: "initiator",
        name: "datagram",
        transport: {
          kind: "ice-udp",
          ufrag: "junk",
          pwd: "junk-password-0123456789",
          candidates: Array.from({ length: count }, (_, i) => ({
            component: 1,
            foundation: `f${i}`,
            ip: "127.0.0.1",
            port: 1 + i,
            priority: 1 + i,
            protocol: "udp" as const,
            type: "host" as const,
          })),
          gatheringComplete: false,
          skipped: [],
        },
      },
    ],
  };
}

const report = (ev: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, ...fields })}\n`);
};

const xmpp = client({
  service: env("FLOOD_SERVICE"),
  domain: env("FLOOD_DOMAIN"),
  resource: "flood",
  credentials: (
    authenticate: (c: { username: string; password: string }, m: string) => Promise<void>,
  ) => authenticate({ username: env("FLOOD_USER"), password: env("FLOOD_PASSWORD") }, "PLAIN"),
} as never);
xmpp.reconnect.stop();
xmpp.on("error", (error: Error) => report("error", { message: error.message }));
await xmpp.start();
report("online");

const to = env("FLOOD_TO");
const count = Number(env("FLOOD_COUNT"));
const window = Number(env("FLOOD_WINDOW"));
const payloads = [
  () => toXmpp(buildJingle(junkTransportInfo("no-such-session", 1))), // a garbage sid
  () => toXmpp(buildJingle(junkTransportInfo(env("FLOOD_SID"), 20))), // the real sid, not its peer
  () => xml("jingle", { xmlns: NS_JINGLE }), // malformed: no sid, no action
];
const conditions: Record<string, number> = {};
let results = 0;
let next = 0;
const sender = async (): Promise<void> => {
  for (let i = next++; i < count; i = next++) {
    try {
      await xmpp.iqCaller.request(xml("iq", { type: "set", to }, payloads[i % 3]!()), 120_000);
      results++;
    } catch (error) {
      const condition = (error as { condition?: string }).condition ?? String(error);
      conditions[condition] = (conditions[condition] ?? 0) + 1;
    }
  }
};
await Promise.all(Array.from({ length: window }, sender));
report("done", { conditions, results, rss: process.memoryUsage().rss });
await xmpp.stop();
