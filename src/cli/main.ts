/**
 * The `jingle-ice` command. Subcommands:
 *
 *   jingle-ice peer [options]            drive an ICE agent over a JSON-lines protocol (docs/cli.md)
 *   jingle-ice call <full-jid> [options] open a Jingle session over XMPP, ping, terminate
 *   jingle-ice answer [options]          accept Jingle sessions over XMPP and echo datagrams
 *   jingle-ice send <full-jid> <path>    send a file (XEP-0234 over data channels)
 *   jingle-ice receive --dir D [options] receive files into D
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { answerUsage, callUsage, peerUsage, receiveUsage, sendUsage, usage } from "./usage.js";
import { VERSION } from "./version.js";
import { runPeer, type PeerOptions } from "./peer.js";
import { turnOptionSpecs, turnServersFromArgs } from "./turn-options.js";

export { UsageError };

/** Parses `peer` arguments. */
export function parsePeerArgs(args: readonly string[], env: NodeJS.ProcessEnv = {}): PeerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        role: { type: "string", default: "controlling" },
        bind: { type: "string", multiple: true, default: [] },
        stun: { type: "string", multiple: true, default: [] },
        ...turnOptionSpecs,
        "turn-ca": { type: "string" },
        "relay-only": { type: "boolean", default: false },
        components: { type: "string", default: "1" },
        echo: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.role !== "controlling" && values.role !== "controlled") {
    throw new UsageError(`--role must be controlling or controlled, not ${values.role}`);
  }
  const components = Number(values.components);
  if (!Number.isInteger(components) || components < 1 || components > 2) {
    throw new UsageError(`--components must be 1 or 2, not ${values.components}`);
  }
  const turn = turnServersFromArgs(values, env);
  if (values["relay-only"] && turn.length === 0) {
    throw new UsageError("--relay-only needs a --turn server");
  }
  return {
    role: values.role,
    bind: values.bind,
    stun: values.stun,
    turn,
    turnCa: values["turn-ca"],
    relayOnly: values["relay-only"],
    components,
    echo: values.echo,
    verbose: values.verbose,
  };
}

/** Runs the command line; resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const commandUsage =
    command === "call"
      ? callUsage
      : command === "answer"
        ? answerUsage
        : command === "peer"
          ? peerUsage
          : command === "send"
            ? sendUsage
            : command === "receive"
              ? receiveUsage
              : usage;
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${commandUsage}\n`);
    return 0;
  }
  try {
    if (command === "call" || command === "answer") {
      // Loaded on demand: `peer` (a bare ICE agent) needs none of XMPP, Jingle, DTLS or SCTP,
      // and loading them all made its first connection measurably slower (bench/connect.ts).
      const xmpp = await import("./xmpp-commands.js");
      return command === "call"
        ? await xmpp.runCall(xmpp.parseCallArgs(rest, process.env))
        : await xmpp.runAnswer(xmpp.parseAnswerArgs(rest, process.env));
    }
    if (command === "send" || command === "receive") {
      // On demand too, like call and answer.
      const files = await import("./file-commands.js");
      return command === "send"
        ? await files.runSend(files.parseSendArgs(rest, process.env))
        : await files.runReceive(files.parseReceiveArgs(rest, process.env));
    }
    if (command === "peer") {
      return await runPeer(parsePeerArgs(rest, process.env), {
        input: process.stdin,
        writeLine: (line) => process.stdout.write(`${line}\n`),
        log: (message) => process.stderr.write(`${message}\n`),
      });
    }
    throw new UsageError(
      command === undefined ? "missing subcommand" : `unknown subcommand ${command}`,
    );
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`jingle-ice: ${error.message}\n${commandUsage}\n`);
      return 2;
    }
    process.stderr.write(`jingle-ice: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
