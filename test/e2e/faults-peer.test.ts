// Fault (issue 10): the peer process is SIGKILLed mid-session — no session-terminate, no
// unavailable presence the survivor would see. Consent (RFC 7675) fails within its 30 s, and the
// survivor ends the session with connectivity-error (docs/plugin.md, "Faults"). Real processes:
// Prosody on 127.0.0.1, `jingle-ice answer` (the survivor) and `jingle-ice call` (killed).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";
import { stopAllProcesses } from "../support/json-lines.js";
import { startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;
/** RFC 7675 §5.1: consent expires 30 s after the last answered check; a margin for a slow machine. */
const CONSENT_WAIT_MS = 50_000;

describe("fault: the peer process is SIGKILLed mid-session", () => {
  let server: Prosody | undefined;
  after(async () => {
    await stopAllProcesses();
    await server?.stop();
  });

  it("the survivor's consent fails and it ends the session with connectivity-error, then exits", async (t) => {
    await requireProsody();
    server = await startProsody({ users: { caller: "caller-pw", answerer: "answerer-pw" } });
    const answer = startJingleCli(server, "answerer", [
      "answer",
      "--once",
      "--allow",
      server.jid("caller"),
    ]);
    await answer.waitFor("online", WAIT_MS);
    // A long call: a ping every 200 ms for far longer than the test.
    const call = startJingleCli(server, "caller", [
      "call",
      `${server.jid("answerer")}/cli`,
      "--pings",
      "100000",
      "--interval",
      "200",
    ]);
    await call.waitFor("dtls", WAIT_MS);
    await answer.waitFor("dtls", WAIT_MS);
    const killedAt = performance.now();
    await call.kill("SIGKILL");
    const terminated = await answer.waitFor("terminated", CONSENT_WAIT_MS);
    t.diagnostic(
      `session ended ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the SIGKILL`,
    );
    assert.equal(terminated["reason"], "connectivity-error", answer.report());
    assert.match(String(terminated["text"]), /stopped answering/, answer.report());
    // Only the consent failure ended it: the caller never said goodbye.
    assert.equal(answer.all("terminated").length, 1);
    assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
  });
});
