/**
 * `jingle-ice peer`: drives one ICE agent from a line-oriented JSON protocol on stdin/stdout so
 * scripts and other stacks' harnesses can use it without XMPP. stdout carries protocol lines
 * only; logs go to stderr. The protocol is documented in the README ("The CLI peer").
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { IceConnection } from "../node/ice-connection.js";
import type { CandidatePairInfo, IceRole, IceState } from "../ice/types.js";
import type { TurnServerConfig } from "../turn/server.js";
import { candidateFromJson, candidateToJson } from "./candidate-json.js";
import { VERSION } from "./version.js";

/** Parsed `peer` options. */
export interface PeerOptions {
  readonly role: IceRole;
  readonly bind: readonly string[];
  readonly stun: readonly string[];
  /** TURN servers with their credentials. */
  readonly turn: readonly TurnServerConfig[];
  /** A CA file (PEM) for `turns:` servers. */
  readonly turnCa: string | undefined;
  readonly relayOnly: boolean;
  readonly components: number;
  readonly echo: boolean;
  readonly verbose: boolean;
}

/** Where protocol lines and logs go (stdout/stderr in the CLI; buffers in tests). */
export interface PeerIo {
  readonly input: NodeJS.ReadableStream;
  writeLine(line: string): void;
  log(message: string): void;
}

const reportedStates = new Set<IceState>([
  "checking",
  "connected",
  "completed",
  "failed",
  "disconnected",
]);

interface PingRun {
  readonly sent: Map<number, number>;
  readonly rtts: number[];
  count: number;
  doneTimer: NodeJS.Timeout | undefined;
  finished: boolean;
}

/** Runs the peer until `quit` or the end of stdin; resolves with the exit code. */
export async function runPeer(options: PeerOptions, io: PeerIo): Promise<number> {
  const started = performance.now();
  const t = (): number => Math.round((performance.now() - started) * 1000) / 1000;
  const emit = (ev: string, fields: Record<string, unknown> = {}): void =>
    io.writeLine(JSON.stringify({ ev, t: t(), ...fields }));
  const log = (message: string): void => {
    if (options.verbose) io.log(`[jingle-ice peer ${t().toFixed(1)} ms] ${message}`);
  };

  emit("hello", {
    impl: "jingle-ice",
    version: VERSION,
    proto: 1,
    role: options.role,
    components: options.components,
    pid: process.pid,
  });
  const ca = options.turnCa === undefined ? undefined : await readFile(options.turnCa, "utf8");

  const connection = await IceConnection.create({
    role: options.role,
    components: options.components,
    ...(options.bind.length > 0 ? { addresses: options.bind } : {}),
    stunServers: options.stun,
    turnServers: options.turn.map((t) => (ca === undefined ? t : { ...t, ca: [ca] })),
    relayOnly: options.relayOnly,
  });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let remoteCredentials = false;
  let remoteCandidates = 0;
  let readyAt: number | undefined;
  const connectedReported = new Set<number>();
  let ping: PingRun | undefined;

  const markReady = (): void => {
    if (readyAt === undefined && remoteCredentials && remoteCandidates > 0)
      readyAt = performance.now();
  };
  const pairJson = (pair: CandidatePairInfo) => ({
    component: pair.component,
    local: candidateToJson(pair.local),
    remote: candidateToJson(pair.remote),
  });

  emit("local-credentials", connection.localCredentials);
  connection.on("local-credentials", (credentials) => emit("local-credentials", credentials));
  connection.on("local-candidate", (candidate) =>
    emit("local-candidate", { candidate: candidateToJson(candidate) }),
  );
  connection.on("turn-error", (server, error) =>
    emit("error", { message: `TURN server ${server.address}:${server.port}: ${error.message}` }),
  );
  connection.on("gathering-complete", () => emit("gathering-done"));
  connection.on("stun-server-error", (server, error) =>
    emit("error", { message: `STUN server ${server.address}:${server.port}: ${error.message}` }),
  );
  connection.on("error", (error) => emit("error", { message: error.message }));
  connection.on("state", (component, state) => {
    if (reportedStates.has(state)) emit("state", { component, state });
    if ((state === "connected" || state === "completed") && !connectedReported.has(component)) {
      connectedReported.add(component);
      const connectMs = readyAt === undefined ? 0 : performance.now() - readyAt;
      emit("connected", { component, connect_ms: Math.round(connectMs * 1000) / 1000 });
    }
  });
  connection.on("selected-pair", (pair) => emit("selected-pair", pairJson(pair)));
  connection.on("data", (component, data) => {
    const text = decodeText(decoder, data);
    const pingMatch = text === undefined ? null : /^ping (\d+)/.exec(text);
    if (pingMatch !== null) {
      // "pong" plus the rest of the ping, padding included, so replies are as large as requests.
      connection.send(component, encoder.encode(`pong${text!.slice(4)}`));
      return;
    }
    const pongMatch = text === undefined ? null : /^pong (\d+)/.exec(text);
    if (pongMatch !== null && ping !== undefined) {
      const sentAt = ping.sent.get(Number(pongMatch[1]));
      if (sentAt !== undefined) {
        ping.sent.delete(Number(pongMatch[1]));
        ping.rtts.push(performance.now() - sentAt);
        if (ping.rtts.length === ping.count) finishPing(ping);
      }
      return;
    }
    emit("data", {
      component,
      len: data.length,
      ...(text !== undefined ? { text } : { b64: Buffer.from(data).toString("base64") }),
    });
    if (options.echo)
      connection.send(component, Uint8Array.from([...encoder.encode("echo:"), ...data]));
  });

  for (let component = 1; component <= options.components; component++)
    emit("state", { component, state: "gathering" });
  connection.startGathering();

  const finishPing = (run: PingRun): void => {
    if (run.finished) return;
    run.finished = true;
    clearTimeout(run.doneTimer);
    const sorted = [...run.rtts].sort((a, b) => a - b);
    const round = (x: number | undefined): number | null =>
      x === undefined ? null : Math.round(x * 1000) / 1000;
    emit("ping-done", {
      sent: run.count,
      received: run.rtts.length,
      rtt_avg_ms: round(
        sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : undefined,
      ),
      rtt_min_ms: round(sorted[0]),
      rtt_max_ms: round(sorted[sorted.length - 1]),
      rtt_p50_ms: round(sorted[Math.floor((sorted.length - 1) / 2)]),
    });
  };

  const startPing = (count: number, intervalMs: number, size: number, waitMs: number): void => {
    const run: PingRun = {
      sent: new Map(),
      rtts: [],
      count,
      doneTimer: undefined,
      finished: false,
    };
    ping = run;
    let seq = 0;
    const sendOne = (): void => {
      if (run.finished) return;
      const text = `ping ${seq}`;
      const bytes = encoder.encode(text.padEnd(Math.max(size, text.length), "."));
      run.sent.set(seq, performance.now());
      if (!connection.send(1, bytes)) log(`ping ${seq}: no validated pair yet`);
      seq++;
      if (seq < count) setTimeout(sendOne, intervalMs);
      else run.doneTimer = setTimeout(() => finishPing(run), waitMs);
    };
    if (count <= 0) finishPing(run);
    else sendOne();
  };

  const handle = (line: string): boolean => {
    let command: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (
        typeof parsed !== "object" ||
        parsed === null ||
        typeof (parsed as { cmd?: unknown }).cmd !== "string"
      ) {
        throw new TypeError('a command is an object with a string "cmd"');
      }
      command = parsed as Record<string, unknown>;
    } catch (error) {
      emit("error", { message: `bad command line: ${(error as Error).message}` });
      return true;
    }
    try {
      switch (command["cmd"]) {
        case "remote-credentials":
          connection.setRemoteCredentials(String(command["ufrag"]), String(command["pwd"]));
          remoteCredentials = true;
          markReady();
          break;
        case "remote-candidate": {
          const accepted = connection.addRemoteCandidate(candidateFromJson(command["candidate"]));
          if (accepted) remoteCandidates++;
          else log(`ignored remote candidate ${JSON.stringify(command["candidate"])}`);
          markReady();
          break;
        }
        case "end-of-candidates":
          connection.endOfRemoteCandidates();
          break;
        case "role":
          if (command["role"] !== "controlling" && command["role"] !== "controlled")
            throw new TypeError("role must be controlling or controlled");
          connection.setRole(command["role"]);
          break;
        case "send": {
          const component = Number(command["component"] ?? 1);
          const data =
            typeof command["b64"] === "string"
              ? Buffer.from(command["b64"], "base64")
              : encoder.encode(String(command["text"] ?? ""));
          if (!connection.send(component, data))
            emit("error", { message: `send: no validated pair on component ${component}` });
          break;
        }
        case "ping":
          startPing(
            Number(command["count"] ?? 10),
            Number(command["interval_ms"] ?? 10),
            Number(command["size"] ?? 0),
            Number(command["wait_ms"] ?? 2000),
          );
          break;
        case "stats":
          emit("stats", { ...connection.stats() });
          break;
        case "restart":
          remoteCredentials = false;
          remoteCandidates = 0;
          readyAt = undefined;
          connectedReported.clear();
          connection.restart();
          break;
        case "quit":
          return false;
        default:
          emit("error", { message: `unknown command ${JSON.stringify(command["cmd"])}` });
      }
    } catch (error) {
      emit("error", { message: `${String(command["cmd"])}: ${(error as Error).message}` });
    }
    return true;
  };

  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    if (!handle(line)) break;
  }
  lines.close();
  if (ping?.doneTimer !== undefined) clearTimeout(ping.doneTimer);
  emit("bye", { stats: connection.stats() });
  await connection.close();
  return 0;
}

function decodeText(
  decoder: { decode(data: Uint8Array): string },
  data: Uint8Array,
): string | undefined {
  try {
    const text = decoder.decode(data);
    return /^[\x20-\x7e\t\r\n\u00a0-\uffff]*$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
