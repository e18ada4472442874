// Harness for the interop peers: processes that speak the `jingle-ice peer` line protocol
// (one JSON object per line; events on stdout, commands on stdin). The libnice and aioice peers
// live next to this file; our own CLI is one more entry in PEER_KINDS.
//
// Protocol summary (the peers implement exactly this):
//   stdout events, each with "ev" and "t" (ms since the peer started): hello (first),
//   local-credentials, local-candidate, gathering-done, state, connected, selected-pair, data,
//   ping-done, stats, error (the peer keeps running), bye (last).
//   stdin commands, each with "cmd": remote-credentials, remote-candidate, end-of-candidates,
//   role, send, ping, stats, restart, quit.
//   Ping datagrams are "ping <seq>" (padded with " ...." to `size` bytes) on component 1; every
//   peer answers "ping <n>" with "pong <n>" plus the same padding.
import { spawn, execFile } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { CandidateJson } from "../../src/cli/candidate-json.js";

/** The repository root (peers are spawned with it as their working directory). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INTEROP_DIR = dirname(fileURLToPath(import.meta.url));
/** The system interpreter: the python3 on PATH may be another build without gi and aioice. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

// ---------------------------------------------------------------------------------------------
// Peer kinds: adding an implementation is one entry here.

/** What it takes to run one implementation of the peer protocol. */
export interface PeerKindSpec {
  /** argv before the protocol options. */
  readonly command: () => readonly string[];
  /** Whether the peer takes `--nomination regular|aggressive`. */
  readonly nomination: boolean;
  /** Names of checks in PREREQUISITES that must pass before the peer can run. */
  readonly requires: readonly PrerequisiteName[];
}

export const PEER_KINDS = {
  libnice: {
    command: () => [SYSTEM_PYTHON, join(INTEROP_DIR, "libnice-peer.py")],
    nomination: true,
    requires: ["libnice"],
  },
  aioice: {
    command: () => [SYSTEM_PYTHON, join(INTEROP_DIR, "aioice-peer.py")],
    nomination: false,
    requires: ["aioice"],
  },
  "jingle-ice": {
    command: () => [process.execPath, "--import", "tsx", join(REPO_ROOT, "src/cli/bin.ts"), "peer"],
    // Its CLI has no --nomination option (strict option parsing).
    nomination: false,
    requires: ["jingle-ice-cli"],
  },
} as const satisfies Record<string, PeerKindSpec>;

export type PeerKind = keyof typeof PEER_KINDS;
export type Role = "controlling" | "controlled";

export interface PeerOptions {
  /** Host candidates only on these addresses. @default ["127.0.0.1"] */
  bind?: readonly string[];
  /** STUN server "IP:PORT". */
  stun?: string;
  turn?: { server: string; user: string; pass: string; transport?: "udp" | "tcp" };
  relayOnly?: boolean;
  /** @default 1 */
  components?: number;
  /** Answer non-ping datagrams with "echo:<data>". */
  echo?: boolean;
  verbose?: boolean;
  /** Only for kinds with `nomination: true`. */
  nomination?: "regular" | "aggressive";
  /** Appended verbatim. */
  extraArgs?: readonly string[];
}

/** The argv that starts a peer of this kind (argv[0] is the program). */
export function peerCommand(kind: PeerKind, role: Role, opts: PeerOptions = {}): string[] {
  const spec: PeerKindSpec = PEER_KINDS[kind];
  const argv = [...spec.command(), "--role", role];
  for (const ip of opts.bind ?? ["127.0.0.1"]) argv.push("--bind", ip);
  if (opts.stun !== undefined) argv.push("--stun", opts.stun);
  if (opts.turn !== undefined) {
    argv.push("--turn", opts.turn.server, "--turn-user", opts.turn.user);
    argv.push("--turn-pass", opts.turn.pass);
    if (opts.turn.transport !== undefined) argv.push("--turn-transport", opts.turn.transport);
  }
  if (opts.relayOnly === true) argv.push("--relay-only");
  if (opts.components !== undefined) argv.push("--components", String(opts.components));
  if (opts.echo === true) argv.push("--echo");
  if (opts.verbose === true) argv.push("--verbose");
  if (opts.nomination !== undefined) {
    if (!spec.nomination) throw new Error(`the ${kind} peer has no --nomination option`);
    argv.push("--nomination", opts.nomination);
  }
  argv.push(...(opts.extraArgs ?? []));
  return argv;
}

// ---------------------------------------------------------------------------------------------
// Protocol types

/** A candidate with XEP-0176 attribute names: the same JSON format `jingle-ice peer` speaks. */
export type Candidate = CandidateJson;

export type IceStateName =
  "gathering" | "checking" | "connected" | "completed" | "failed" | "disconnected";

interface EventBase {
  /** Milliseconds since the peer process started. */
  t: number;
}
export interface HelloEvent extends EventBase {
  ev: "hello";
  impl: string;
  version: string;
  proto: number;
  role: Role;
  components: number;
  pid: number;
}
export interface LocalCredentialsEvent extends EventBase {
  ev: "local-credentials";
  ufrag: string;
  pwd: string;
}
export interface LocalCandidateEvent extends EventBase {
  ev: "local-candidate";
  candidate: Candidate;
}
export interface GatheringDoneEvent extends EventBase {
  ev: "gathering-done";
}
export interface StateEvent extends EventBase {
  ev: "state";
  component: number;
  state: IceStateName;
}
export interface ConnectedEvent extends EventBase {
  ev: "connected";
  component: number;
  /** From the moment the peer had remote credentials and >= 1 remote candidate. */
  connect_ms: number;
}
export interface SelectedPairEvent extends EventBase {
  ev: "selected-pair";
  component: number;
  local: Candidate;
  remote: Candidate;
}
export interface DataEvent extends EventBase {
  ev: "data";
  component: number;
  len: number;
  text?: string;
  b64?: string;
}
export interface PingDoneEvent extends EventBase {
  ev: "ping-done";
  sent: number;
  received: number;
  rtt_avg_ms: number | null;
  rtt_min_ms: number | null;
  rtt_max_ms: number | null;
  rtt_p50_ms: number | null;
}
export interface StatsEvent extends EventBase {
  ev: "stats";
  [counter: string]: unknown;
}
export interface ErrorEvent extends EventBase {
  ev: "error";
  message: string;
}
export interface ByeEvent extends EventBase {
  ev: "bye";
  [field: string]: unknown;
}

export type PeerEvent =
  | HelloEvent
  | LocalCredentialsEvent
  | LocalCandidateEvent
  | GatheringDoneEvent
  | StateEvent
  | ConnectedEvent
  | SelectedPairEvent
  | DataEvent
  | PingDoneEvent
  | StatsEvent
  | ErrorEvent
  | ByeEvent;

export type EventName = PeerEvent["ev"];
export type EventOf<K extends EventName> = Extract<PeerEvent, { ev: K }>;

export type PeerCommand =
  | { cmd: "remote-credentials"; ufrag: string; pwd: string }
  | { cmd: "remote-candidate"; candidate: Candidate }
  | { cmd: "end-of-candidates" }
  | { cmd: "role"; role: Role }
  | { cmd: "send"; component: number; text: string }
  | { cmd: "send"; component: number; b64: string }
  | { cmd: "ping"; count: number; interval_ms?: number; size?: number; wait_ms?: number }
  | { cmd: "stats" }
  | { cmd: "restart" }
  | { cmd: "quit" };

// ---------------------------------------------------------------------------------------------
// Protocol validation

const STATES = new Set([
  "gathering",
  "checking",
  "connected",
  "completed",
  "failed",
  "disconnected",
]);
const CANDIDATE_TYPES = new Set(["host", "srflx", "prflx", "relay"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);

function candidateProblem(c: unknown): string | null {
  if (!isObj(c)) return "candidate is not an object";
  for (const k of ["component", "generation", "network", "port", "priority"]) {
    if (!isNum(c[k])) return `candidate.${k} is not a number`;
  }
  for (const k of ["foundation", "id", "ip", "protocol"]) {
    if (!isStr(c[k])) return `candidate.${k} is not a string`;
  }
  if (!CANDIDATE_TYPES.has(c["type"] as string)) return `candidate.type ${String(c["type"])}`;
  if (c["rel-addr"] !== undefined && !isStr(c["rel-addr"])) return "candidate.rel-addr";
  if (c["rel-port"] !== undefined && !isNum(c["rel-port"])) return "candidate.rel-port";
  return null;
}

/** Field checks per event; each returns a problem description or null. */
const EVENT_CHECKS: Record<EventName, (e: Obj) => string | null> = {
  hello: (e) =>
    isStr(e["impl"]) &&
    isStr(e["version"]) &&
    e["proto"] === 1 &&
    (e["role"] === "controlling" || e["role"] === "controlled") &&
    isNum(e["components"]) &&
    isNum(e["pid"])
      ? null
      : "hello needs impl, version, proto 1, role, components, pid",
  "local-credentials": (e) =>
    isStr(e["ufrag"]) && isStr(e["pwd"]) ? null : "local-credentials needs ufrag and pwd",
  "local-candidate": (e) => candidateProblem(e["candidate"]),
  "gathering-done": () => null,
  state: (e) =>
    isNum(e["component"]) && STATES.has(e["state"] as string)
      ? null
      : `bad state event (state ${String(e["state"])})`,
  connected: (e) =>
    isNum(e["component"]) && isNum(e["connect_ms"]) && e["connect_ms"] >= 0
      ? null
      : "connected needs component and connect_ms >= 0",
  "selected-pair": (e) =>
    isNum(e["component"])
      ? (candidateProblem(e["local"]) ?? candidateProblem(e["remote"]))
      : "selected-pair needs component",
  data: (e) =>
    isNum(e["component"]) && isNum(e["len"]) && (isStr(e["text"]) || isStr(e["b64"]))
      ? null
      : "data needs component, len and text or b64",
  "ping-done": (e) =>
    isNum(e["sent"]) &&
    isNum(e["received"]) &&
    ["rtt_avg_ms", "rtt_min_ms", "rtt_max_ms", "rtt_p50_ms"].every((k) => isNumOrNull(e[k]))
      ? null
      : "ping-done needs sent, received and rtt_*_ms",
  stats: () => null,
  error: (e) => (isStr(e["message"]) ? null : "error needs message"),
  bye: () => null,
};

/** Parses one stdout line; returns the event or a protocol-violation description. */
export function parseEventLine(line: string): PeerEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `non-JSON line on stdout: ${JSON.stringify(line.slice(0, 200))}`;
  }
  if (!isObj(value)) return `stdout line is not a JSON object: ${line.slice(0, 200)}`;
  const ev = value["ev"];
  if (!isStr(ev)) return `line without "ev": ${line.slice(0, 200)}`;
  if (!isNum(value["t"])) return `line without numeric "t": ${line.slice(0, 200)}`;
  const check = EVENT_CHECKS[ev as EventName] as ((e: Obj) => string | null) | undefined;
  if (check === undefined) return `unknown event "${ev}"`;
  const problem = check(value);
  if (problem !== null) return `${problem}: ${line.slice(0, 300)}`;
  return value as unknown as PeerEvent;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

export type PrerequisiteName = "libnice" | "aioice" | "jingle-ice-cli";

const INSTALL_HINT =
  "run ./scripts/setup as root, or: apt-get install -y gir1.2-nice-0.1 python3-gi python3-aioice";

const PREREQUISITES: Record<PrerequisiteName, () => Promise<string | null>> = {
  libnice: () =>
    pythonCheck(
      "import gi; gi.require_version('Nice', '0.1'); from gi.repository import Nice",
      "libnice through python3-gi (Debian gir1.2-nice-0.1, python3-gi)",
    ),
  aioice: () => pythonCheck("import aioice", "aioice (Debian python3-aioice)"),
  "jingle-ice-cli": () =>
    Promise.resolve(
      existsSync(join(REPO_ROOT, "src/cli/bin.ts"))
        ? null
        : "src/cli/bin.ts (the `jingle-ice peer` CLI) does not exist",
    ),
};

export function pythonCheck(code: string, what: string): Promise<string | null> {
  if (!existsSync(SYSTEM_PYTHON)) return Promise.resolve(`${SYSTEM_PYTHON} is missing (${what})`);
  return new Promise((resolve) => {
    execFile(SYSTEM_PYTHON, ["-c", code], { timeout: 15_000 }, (err, _stdout, stderr) => {
      if (err === null) resolve(null);
      else {
        const last = stderr.trim().split("\n").pop() ?? err.message;
        resolve(`${what} is not usable with ${SYSTEM_PYTHON}: ${last}`);
      }
    });
  });
}

const prerequisiteResults = new Map<PrerequisiteName, Promise<string | null>>();

/**
 * Throws a clear error when a peer kind cannot run here (missing Debian packages or modules).
 * Tests call this and FAIL (not skip) when something is missing.
 */
export async function requirePeers(kinds: readonly PeerKind[]): Promise<void> {
  const names = [
    ...new Set(kinds.flatMap((k): readonly PrerequisiteName[] => PEER_KINDS[k].requires)),
  ];
  const problems: string[] = [];
  for (const name of names) {
    let result = prerequisiteResults.get(name);
    if (result === undefined) {
      result = PREREQUISITES[name]();
      prerequisiteResults.set(name, result);
    }
    const problem = await result;
    if (problem !== null) problems.push(problem);
  }
  if (problems.length > 0) {
    const needsApt = names.some((n) => n === "libnice" || n === "aioice");
    throw new Error(
      `interop peers cannot run: ${problems.join("; ")}` + (needsApt ? ` — ${INSTALL_HINT}` : ""),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Peer processes

/** Every peer not yet reaped, so that nothing outlives the test process. */
const livePeers = new Set<Peer>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of livePeers) p.killNow();
  });
}

const STDERR_LIMIT = 256 * 1024;

export interface WaitOptions {
  /** Only events with this index or later in `peer.events` count. @default 0 */
  fromIndex?: number;
  /** Included in the timeout message. */
  what?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type Listener = (e: PeerEvent, index: number) => void;

/** One peer process speaking the line protocol. */
export class Peer {
  /** Every event received, in order. */
  readonly events: PeerEvent[] = [];
  /** Protocol violations seen on stdout (non-JSON lines, missing fields, order). */
  readonly violations: string[] = [];
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  readonly pid: number | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrText = "";
  private stderrDropped = 0;
  private readonly listeners = new Set<Listener>();
  private exitInfo: ExitInfo | null = null;
  private readonly exitWaiters = new Set<() => void>();
  private readonly violationWaiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly argv: readonly string[],
  ) {
    const [program, ...args] = argv;
    if (program === undefined) throw new Error("empty peer argv");
    this.child = spawn(program, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.pid = this.child.pid;
    livePeers.add(this);
    installExitHook();
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exitInfo = { code, signal };
        livePeers.delete(this);
        for (const w of this.exitWaiters) w();
        resolve(this.exitInfo);
      });
    });
    this.child.on("error", (err) => {
      this.stderrText += `\n[harness] spawn error: ${err.message}\n`;
    });
    this.child.stdin.on("error", () => {
      /* EPIPE after the peer exited: reported through `exited`. */
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrText += chunk;
      if (this.stderrText.length > STDERR_LIMIT) {
        const cut = this.stderrText.length - STDERR_LIMIT;
        this.stderrDropped += cut;
        this.stderrText = this.stderrText.slice(cut);
      }
    });
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on("line", (line) =>
      this.onLine(line),
    );
  }

  /** The peer's stderr so far (the last 256 KiB). */
  stderr(): string {
    return (
      (this.stderrDropped > 0 ? `[… ${this.stderrDropped} chars dropped]\n` : "") + this.stderrText
    );
  }

  /** The hello event (once received). */
  get hello(): HelloEvent | undefined {
    const first = this.events[0];
    return first?.ev === "hello" ? first : undefined;
  }

  get exitStatus(): ExitInfo | null {
    return this.exitInfo;
  }

  private onLine(line: string): void {
    const parsed = parseEventLine(line);
    if (typeof parsed === "string") {
      this.violation(parsed);
      return;
    }
    if (this.events.length === 0 && parsed.ev !== "hello") {
      this.violation(`first event is "${parsed.ev}", not "hello"`);
    }
    if (this.events.some((e) => e.ev === "bye")) this.violation(`"${parsed.ev}" after "bye"`);
    this.events.push(parsed);
    const index = this.events.length - 1;
    for (const l of [...this.listeners]) l(parsed, index);
  }

  private violation(message: string): void {
    this.violations.push(message);
    for (const w of [...this.violationWaiters]) w();
  }

  /** Subscribes to future events; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes one command line to the peer's stdin. */
  send(cmd: PeerCommand): void {
    this.sendRaw(JSON.stringify(cmd));
  }

  /** Writes one arbitrary line (for robustness tests: bad JSON, unknown commands). */
  sendRaw(line: string): void {
    if (this.exitInfo !== null || this.child.stdin.destroyed) return;
    this.child.stdin.write(line + "\n");
  }

  /**
   * Resolves with the first event (at index >= fromIndex, already received or future) that
   * matches. Rejects on timeout, on a protocol violation, or when the peer exits first.
   */
  waitFor<E extends PeerEvent>(
    predicate: (e: PeerEvent) => e is E,
    timeoutMs: number,
    opts?: WaitOptions,
  ): Promise<E>;
  waitFor(
    predicate: (e: PeerEvent) => boolean,
    timeoutMs: number,
    opts?: WaitOptions,
  ): Promise<PeerEvent>;
  waitFor(
    predicate: (e: PeerEvent) => boolean,
    timeoutMs: number,
    opts: WaitOptions = {},
  ): Promise<PeerEvent> {
    const from = opts.fromIndex ?? 0;
    const what = opts.what ?? "a matching event";
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i] as PeerEvent;
      if (predicate(e)) return Promise.resolve(e);
    }
    const violationsBefore = this.violations.length;
    return new Promise<PeerEvent>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        unsubscribe();
        this.exitWaiters.delete(onExit);
        this.violationWaiters.delete(onViolation);
      };
      const fail = (why: string): void => {
        cleanup();
        reject(new Error(`${this.name}: ${why} while waiting for ${what}`));
      };
      const timer = setTimeout(() => fail(`timeout after ${timeoutMs} ms`), timeoutMs);
      const unsubscribe = this.onEvent((e, index) => {
        if (index >= from && predicate(e)) {
          cleanup();
          resolve(e);
        }
      });
      const onExit = (): void =>
        fail(`peer exited (${JSON.stringify(this.exitInfo)}) before the event came`);
      const onViolation = (): void =>
        fail(`protocol violation: ${this.violations.slice(violationsBefore).join("; ")}`);
      this.exitWaiters.add(onExit);
      this.violationWaiters.add(onViolation);
      if (this.exitInfo !== null) onExit();
      else if (this.violations.length > violationsBefore) onViolation();
    });
  }

  /** waitFor() on an event name, with an optional extra condition. */
  waitForEvent<K extends EventName>(
    ev: K,
    timeoutMs: number,
    where: (e: EventOf<K>) => boolean = () => true,
    opts: WaitOptions = {},
  ): Promise<EventOf<K>> {
    return this.waitFor((e): e is EventOf<K> => e.ev === ev && where(e as EventOf<K>), timeoutMs, {
      what: `"${ev}"`,
      ...opts,
    });
  }

  /** Sends `quit`, waits for the exit, and kills the process if it is not gone in time. */
  async quit(timeoutMs = 3000): Promise<ExitInfo> {
    if (this.exitInfo !== null) return this.exitInfo;
    this.send({ cmd: "quit" });
    this.child.stdin.end();
    return this.stop(timeoutMs);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 1000): Promise<ExitInfo> {
    if (this.exitInfo !== null) return this.exitInfo;
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!gone) {
      this.child.kill("SIGTERM");
      const termed = await Promise.race([
        this.exited.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), 1000))),
      ]);
      clearTimeout(timer);
      if (!termed) this.killNow();
    }
    return this.exited;
  }

  /** SIGKILL now (synchronous; safe in an exit handler). */
  killNow(): void {
    if (this.exitInfo === null) this.child.kill("SIGKILL");
  }

  /** A report for failure messages: argv, exit status, violations, events and stderr tail. */
  report(maxStderr = 4000): string {
    const err = this.stderr();
    return [
      `--- ${this.name}: ${this.argv.join(" ")}`,
      `exit: ${JSON.stringify(this.exitInfo)}`,
      `violations: ${JSON.stringify(this.violations)}`,
      `events: ${this.events.map((e) => e.ev).join(", ")}`,
      `stderr (last ${maxStderr} chars):`,
      err.length > maxStderr ? err.slice(-maxStderr) : err,
    ].join("\n");
  }
}

/** Starts a peer process from a full argv. */
export function spawnPeer(argv: readonly string[], name?: string): Peer {
  return new Peer(name ?? argv.slice(0, 3).join(" "), argv);
}

/** Starts a peer of a given kind: `spawnPeer(peerCommand(kind, role, opts))`. */
export function startPeer(kind: PeerKind, role: Role, opts: PeerOptions = {}): Peer {
  return new Peer(`${kind}/${role}`, peerCommand(kind, role, opts));
}

/** Quits every peer still running (then kills the stubborn ones). Call it in `afterEach`. */
export async function stopAllPeers(timeoutMs = 3000): Promise<void> {
  await Promise.all([...livePeers].map((p) => p.quit(timeoutMs)));
}

/** Runs `fn` and always stops the given peers afterwards; on failure adds their reports. */
export async function withPeers<T>(peers: readonly Peer[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const reports = peers.map((p) => p.report()).join("\n");
    if (err instanceof Error) err.message += `\n${reports}`;
    throw err;
  } finally {
    await Promise.all(peers.map((p) => p.quit()));
  }
}

// ---------------------------------------------------------------------------------------------
// Pairing and pings

export interface PeerConnectInfo {
  /** connect_ms of each component, reported by the peer itself. */
  connectMs: Record<number, number>;
  /** The `connected` events. */
  connected: ConnectedEvent[];
  /** The last `selected-pair` per component received by the time both were connected. */
  selected: Record<number, SelectedPairEvent>;
}

export interface PairResult {
  a: PeerConnectInfo;
  b: PeerConnectInfo;
  /** Wall time measured by the harness from connectPair() to both sides connected. */
  wallMs: number;
  /** Stops relaying signalling between the two peers. */
  stopRelay: () => void;
}

function relayOnto(from: Peer, to: Peer): () => void {
  const forward = (e: PeerEvent): void => {
    if (e.ev === "local-credentials")
      to.send({ cmd: "remote-credentials", ufrag: e.ufrag, pwd: e.pwd });
    else if (e.ev === "local-candidate")
      to.send({ cmd: "remote-candidate", candidate: e.candidate });
    else if (e.ev === "gathering-done") to.send({ cmd: "end-of-candidates" });
  };
  // What already arrived first, in order, then everything new (trickle).
  for (const e of from.events) forward(e);
  return from.onEvent(forward);
}

async function waitConnected(p: Peer, timeoutMs: number): Promise<PeerConnectInfo> {
  const hello = await p.waitForEvent("hello", timeoutMs);
  const connected: ConnectedEvent[] = [];
  for (let c = 1; c <= hello.components; c++) {
    const e = await p.waitFor(
      (e) =>
        (e.ev === "connected" && e.component === c) ||
        (e.ev === "state" && e.component === c && e.state === "failed"),
      timeoutMs,
      { what: `"connected" for component ${c}` },
    );
    if (e.ev !== "connected") throw new Error(`${p.name}: component ${c} failed`);
    connected.push(e);
  }
  const selected: Record<number, SelectedPairEvent> = {};
  for (const e of p.events) if (e.ev === "selected-pair") selected[e.component] = e;
  return {
    connectMs: Object.fromEntries(connected.map((e) => [e.component, e.connect_ms])),
    connected,
    selected,
  };
}

/**
 * Relays credentials and candidates between two peers both ways (trickle; end-of-candidates on
 * gathering-done), and waits until every component of both reports `connected`.
 * Relaying goes on after it resolves (late candidates, restarts) until `stopRelay()`.
 */
export async function connectPair(
  a: Peer,
  b: Peer,
  opts: { timeoutMs?: number } = {},
): Promise<PairResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const start = performance.now();
  const stops = [relayOnto(a, b), relayOnto(b, a)];
  const stopRelay = (): void => stops.forEach((s) => s());
  try {
    const [ia, ib] = await Promise.all([waitConnected(a, timeoutMs), waitConnected(b, timeoutMs)]);
    return { a: ia, b: ib, wallMs: performance.now() - start, stopRelay };
  } catch (err) {
    stopRelay();
    throw err;
  }
}

export interface PingOptions {
  /** @default 20 */
  intervalMs?: number;
  /** @default 0 (no padding) */
  size?: number;
  /** How long the peer waits for the last pong. @default 2000 */
  waitMs?: number;
}

/** Sends a `ping` command and resolves with the `ping-done` that follows it. */
export async function ping(
  peer: Peer,
  count: number,
  opts: PingOptions = {},
): Promise<PingDoneEvent> {
  const intervalMs = opts.intervalMs ?? 20;
  const waitMs = opts.waitMs ?? 2000;
  const fromIndex = peer.events.length;
  peer.send({ cmd: "ping", count, interval_ms: intervalMs, size: opts.size ?? 0, wait_ms: waitMs });
  return peer.waitForEvent("ping-done", count * intervalMs + waitMs + 5000, () => true, {
    fromIndex,
  });
}
