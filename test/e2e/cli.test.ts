// `jingle-ice answer` and `jingle-ice call` as processes, through a real Prosody on 127.0.0.1.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { createInterface } from "node:readline";
import { requireProsody, startProsody, type Prosody } from "../support/prosody.js";

let prosody: Prosody | undefined;
after(async () => {
  await prosody?.stop();
});

interface Run {
  readonly events: Record<string, unknown>[];
  readonly code: Promise<number | null>;
  readonly stderr: () => string;
  kill(): void;
}

function run(args: string[], user: string, password: string, domain: string, service: string): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], {
    env: {
      ...process.env,
      XMPP_SERVICE: service,
      XMPP_JID: `${user}@${domain}/cli`,
      XMPP_PASSWORD: password,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on("line", (line) =>
    events.push(JSON.parse(line) as Record<string, unknown>),
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { events, code, stderr: () => stderr, kill: () => child.kill() };
}

async function until(
  predicate: () => boolean,
  ms: number,
  what: string,
  report: () => string,
): Promise<void> {
  const end = performance.now() + ms;
  while (!predicate()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}\n${report()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("jingle-ice call and answer", () => {
  it("call reaches an answering peer, gets every ping answered and exits 0; answer --once exits after it", async () => {
    await requireProsody();
    prosody = await startProsody({ users: { caller: "caller-pw", answerer: "answerer-pw" } });
    const p = prosody;
    const answer = run(
      ["answer", "--once", "--json", "--bind", "127.0.0.1"],
      "answerer",
      "answerer-pw",
      p.domain,
      p.service,
    );
    try {
      await until(
        () => answer.events.some((e) => e["ev"] === "online"),
        30_000,
        "answer online",
        answer.stderr,
      );
      const call = run(
        ["call", `answerer@${p.domain}/cli`, "--pings", "3", "--json", "--bind", "127.0.0.1"],
        "caller",
        "caller-pw",
        p.domain,
        p.service,
      );
      const code = await call.code;
      assert.equal(code, 0, call.stderr() + JSON.stringify(call.events));
      const done = call.events.find((e) => e["ev"] === "ping-done");
      assert.equal(done?.["received"], 3);
      assert.ok(call.events.some((e) => e["ev"] === "selected-pair"));
      assert.equal(await answer.code, 0, answer.stderr());
      assert.ok(answer.events.some((e) => e["ev"] === "terminated" && e["reason"] === "success"));
    } finally {
      answer.kill();
    }
  });
});
