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
      // --allow with capitals: JIDs are compared normalized.
      const allow = server.jid("caller").toUpperCase();
      const answer = startJingleCli(server, "answerer", ["answer", "--once", "--allow", allow]);
      await answer.waitFor("online", WAIT_MS);
      await answer.waitFor("policy", 0, (e) => JSON.stringify(e["allow"]).includes("caller@"));
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
      // DTLS (XEP-0320): the caller is the DTLS server, the answerer the client, and each one's
      // remote fingerprint is the other's local one.
      const [ours] = call.all("dtls");
      const [theirs] = answer.all("dtls");
      assert.equal(ours?.["role"], "server", call.report());
      assert.equal(theirs?.["role"], "client", answer.report());
      assert.equal(ours["remote_fingerprint"], theirs["local_fingerprint"]);
      assert.equal(theirs["remote_fingerprint"], ours["local_fingerprint"]);
    });

    it("answer declines a caller it was not told to allow, and the caller exits 1 with reason decline", async () => {
      server ??= await startXmppServer(kind, {
        users: { caller: "caller-pw", answerer: "answerer-pw" },
      });
      const answer = startJingleCli(server, "answerer", ["answer", "--allow", "someone@else.test"]);
      await answer.waitFor("online", WAIT_MS);
      const call = startJingleCli(server, "caller", ["call", `${server.jid("answerer")}/cli`]);
      assert.equal(await call.exitCode(WAIT_MS), 1, call.report());
      await call.waitFor("error", 0, (e) => e["reason"] === "decline");
      await answer.waitFor("declined", 0);
      assert.equal(answer.indexOf("incoming"), -1, "the application never saw the session");
    });

    it("call exits 1 with the reason when the login is refused, instead of retrying for ever", async () => {
      server ??= await startXmppServer(kind, {
        users: { caller: "caller-pw", answerer: "answerer-pw" },
      });
      const call = startJingleCli(server, "caller", ["call", `${server.jid("answerer")}/cli`], {
        XMPP_PASSWORD: "wrong",
      });
      assert.equal(await call.exitCode(WAIT_MS), 1, call.report());
      await call.waitFor("error", 0, (e) => /login as .* failed/.test(String(e["message"])));
    });
  });
}
