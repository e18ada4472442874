/** The TURN options shared by `peer`, `call` and `answer`, read into structured servers. */
import { parseHostPort } from "../common/address.js";
import type { TurnServerConfig, TurnTransport } from "../turn/server.js";
import { UsageError } from "./errors.js";
import { readSecret } from "./secrets.js";

/** The option definitions, for `parseArgs`. */
export const turnOptionSpecs = {
  turn: { type: "string" as const, multiple: true as const, default: [] as string[] },
  "turn-user": { type: "string" as const },
  "turn-pass": { type: "string" as const },
  "turn-pass-file": { type: "string" as const },
  "turn-transport": { type: "string" as const, default: "udp" },
};

/**
 * `--turn HOST:PORT` (repeatable) with one `--turn-transport` and one set of credentials
 * (`--turn-user`; the password from `--turn-pass-file`, TURN_PASSWORD or `--turn-pass`).
 * @throws {UsageError} for a bad transport or address, or TURN servers without credentials.
 */
export function turnServersFromArgs(
  values: {
    readonly turn: readonly string[];
    readonly "turn-user"?: string | undefined;
    readonly "turn-pass"?: string | undefined;
    readonly "turn-pass-file"?: string | undefined;
    readonly "turn-transport": string;
  },
  env: NodeJS.ProcessEnv = {},
): TurnServerConfig[] {
  const transport = values["turn-transport"];
  if (transport !== "udp" && transport !== "tcp" && transport !== "tls")
    throw new UsageError("--turn-transport must be udp, tcp or tls");
  const username = values["turn-user"];
  if (values.turn.length === 0) return [];
  const password = readSecret({
    flag: values["turn-pass"],
    file: values["turn-pass-file"],
    env: env["TURN_PASSWORD"],
    fileFlag: "--turn-pass-file",
  });
  if (username === undefined || password === undefined)
    throw new UsageError(
      "--turn needs --turn-user and a password (--turn-pass-file, TURN_PASSWORD or --turn-pass)",
    );
  return values.turn.map((server) => {
    const address = parseHostPort(server);
    if (address === undefined) throw new UsageError(`--turn takes HOST:PORT, not ${server}`);
    return { ...address, transport: transport satisfies TurnTransport, username, password };
  });
}
