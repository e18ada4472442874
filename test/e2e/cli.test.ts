// `jingle-ice answer` and `jingle-ice call` as processes, through a real Prosody and a real
// ejabberd on 127.0.0.1.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { stopAllProcesses } from "../support/json-lines.js";
import type { XmppServer } from "../support/xmpp-server.js";
import { XMPP_SERVER_KINDS, requireXmppServer, startXmppServer } from "../support/xmpp-servers.js";
import { startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;

for (const kind of XMPP_SERVER_KINDS) {
  describe(`jingle-ice call and answer through ${kind}`, () => {
    let server: XmppServer | undefined;
    after(async () => {
      await stopAllProcesses();
      await server?.stop();
    });

    it("call reaches an answering peer, gets every ping answered and exits 0; answer --once exits after it", async () => {
      await requireXmppServer(kind);
      server = await startXmppServer(kind, {
        users: { caller: "caller-pw", answerer: "answerer-pw" },
      });
      const answer = startJingleCli(server, "answerer", ["answer", "--once"]);
      await answer.waitFor("online", WAIT_MS);
      const call = startJingleCli(server, "caller", [
        "call",
        `${server.jid("answerer")}/cli`,
        "--pings",
        "3",
      ]);
      assert.equal(await call.exitCode(WAIT_MS), 0, call.report());
      await call.waitFor("ping-done", 0, (e) => e["received"] === 3);
      await call.waitFor("selected-pair", 0);
      assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
      await answer.waitFor("terminated", 0, (e) => e["reason"] === "success");
    });
  });
}
