// Fault (issue 10): the TURN server (a real coturn on 127.0.0.1) is SIGKILLed under a relayed
// session. Both sides are relay-only, so the only path dies with it: consent (RFC 7675) fails,
// and each side ends the session with connectivity-error (XEP-0166 §7.4) and says so
// (docs/plugin.md, "Faults"). Real processes: Prosody, coturn, `jingle-ice answer` and `call`.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { requireCoturn, startCoturn, type Coturn } from "../support/coturn.js";
import { stopAllProcesses } from "../support/json-lines.js";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";
import { startJingleCli } from "./jingle-processes.js";

const WAIT_MS = 30_000;
/** RFC 7675 §5.1: consent expires 30 s after the last answered check; a margin for a slow machine. */
const CONSENT_WAIT_MS = 50_000;

describe("fault: coturn is killed under a relayed session", () => {
  let server: Prosody | undefined;
  let turn: Coturn | undefined;
  after(async () => {
    await stopAllProcesses();
    await Promise.all([server?.stop(), turn?.stop()]);
  });

  it("consent fails on the relayed pair, both sides end with connectivity-error and the caller exits 1", async (t) => {
    await Promise.all([requireProsody(), requireCoturn()]);
    [server, turn] = await Promise.all([
      startProsody({ users: { caller: "caller-pw", answerer: "answerer-pw" } }),
      startCoturn({
        auth: { kind: "long-term", realm: "jingle-ice.test", users: { u1: "p1", u2: "p2" } },
      }),
    ]);
    const relay = (user: string) => [
      "--relay-only",
      "--turn",
      `127.0.0.1:${turn!.port}`,
      "--turn-user",
      user,
    ];
    const answer = startJingleCli(
      server,
      "answerer",
      ["answer", "--once", "--allow", server.jid("caller"), ...relay("u1")],
      { TURN_PASSWORD: "p1" },
    );
    await answer.waitFor("online", WAIT_MS);
    const call = startJingleCli(
      server,
      "caller",
      [
        "call",
        `${server.jid("answerer")}/cli`,
        "--pings",
        "100000",
        "--interval",
        "200",
        ...relay("u2"),
      ],
      { TURN_PASSWORD: "p2" },
    );
    const pair = await call.waitFor("selected-pair", WAIT_MS);
    const local = pair["local"] as { type?: string };
    const remote = pair["remote"] as { type?: string };
    assert.equal(local.type, "relay", call.report());
    assert.equal(remote.type, "relay", call.report());
    await answer.waitFor("dtls", WAIT_MS);
    // Let a few pings (200 ms apart) cross the relay first.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const killedAt = performance.now();
    process.kill(turn.pid, "SIGKILL");
    const terminated = await answer.waitFor("terminated", CONSENT_WAIT_MS);
    t.diagnostic(
      `answer ended ${((performance.now() - killedAt) / 1000).toFixed(1)} s after coturn died`,
    );
    assert.equal(terminated["reason"], "connectivity-error", answer.report());
    assert.equal(await call.exitCode(CONSENT_WAIT_MS), 1, call.report());
    const failed = await call.waitFor("error", 0, (e) => e["reason"] !== undefined);
    assert.equal(failed["reason"], "connectivity-error", call.report());
    assert.ok(Number(failed["pings_answered"]) >= 1, "datagrams went through the relay first");
    assert.equal(await answer.exitCode(WAIT_MS), 0, answer.report());
    t.diagnostic(`both exited ${((performance.now() - killedAt) / 1000).toFixed(1)} s after`);
  });
});
