// Pieces the e2e tests share: `jingle-ice call` / `jingle-ice answer` as processes logged in to
// a test server, and the datagram service the CLI's `answer` offers, for in-process channels.
import { once } from "node:events";
import type { SessionChannel } from "../../src/plugin/session.js";
import { REPO_ROOT } from "../interop/harness.js";
import { JsonLinesProcess } from "../support/json-lines.js";
import type { XmppServer } from "../support/xmpp-server.js";

/**
 * Runs `jingle-ice <args> --json --bind 127.0.0.1` (from the sources, through tsx) as
 * `user@domain/cli`.
 */
export function startJingleCli(
  server: XmppServer,
  user: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): JsonLinesProcess {
  const { password } = server.credentials(user);
  return new JsonLinesProcess(
    `jingle-ice ${args[0] ?? ""} (${server.kind})`,
    [
      process.execPath,
      "--import",
      "tsx",
      "src/cli/bin.ts",
      ...args,
      "--json",
      "--bind",
      "127.0.0.1",
    ],
    {
      XMPP_SERVICE: server.service,
      XMPP_JID: `${server.jid(user)}/cli`,
      XMPP_PASSWORD: password,
      ...env,
    },
    REPO_ROOT,
  );
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What {@link serveDatagrams} saw. */
export interface Served {
  /** Every datagram received, as text. */
  readonly received: string[];
  /** Resolves with the first datagram (past or future) that equals `text`. */
  receive(text: string, timeoutMs?: number): Promise<string>;
}

/**
 * Answers like `jingle-ice answer`: `ping <n>` with `pong <n>`, anything else but an echo with
 * `echo:<data>`.
 */
export function serveDatagrams(channel: SessionChannel): Served {
  const received: string[] = [];
  channel.on("message", (data) => {
    const text = decoder.decode(data);
    received.push(text);
    const ping = /^ping (\d+)/.exec(text);
    if (ping !== null) channel.send(encoder.encode(`pong ${ping[1]}${text.slice(ping[0].length)}`));
    else if (!text.startsWith("echo:")) channel.send(encoder.encode(`echo:${text}`));
  });
  return {
    received,
    async receive(text, timeoutMs = 5_000) {
      const deadline = AbortSignal.timeout(timeoutMs);
      while (!received.includes(text)) {
        await once(channel, "message", { signal: deadline }).catch(() => {
          throw new Error(`no datagram ${JSON.stringify(text)} (got ${JSON.stringify(received)})`);
        });
      }
      return text;
    },
  };
}

/** Sends `text` as one datagram. */
export function sendText(channel: SessionChannel, text: string): void {
  channel.send(encoder.encode(text));
}
