/**
 * A throwaway server process for tests (docs/testing.md, docs/field-notes.md): one real server (turnserver, prosody)
 * run from a fresh temp dir and listening on 127.0.0.1 only, on ports that are free when it
 * starts, with its stdout and stderr captured.
 *
 * The harnesses (coturn.ts, prosody.ts) write the config and say when their server is ready;
 * {@link startServer} does the rest, the same for every server:
 * - picks the listener ports — never one another instance in this test process holds, whichever
 *   harness started it — and retries on other ports when the server cannot bind them;
 * - spawns the server under `setpriv --pdeathsig KILL` where util-linux has it, so the kernel
 *   kills it if the test process dies;
 * - keeps the tail of its output for {@link ServerLog.waitForLog} and for the errors it throws;
 * - stops it with SIGTERM, then SIGKILL, and removes its temp dir; a process `exit` hook does
 *   the same (SIGKILL) for every instance a test left running.
 * @module
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** The only address the servers listen on. */
export const LOOPBACK = "127.0.0.1";

const STOP_GRACE_MS = 2_000;
const MAX_BIND_ATTEMPTS = 5;
const DEFAULT_LOG_WAIT_MS = 5_000;
/** Listener ports are drawn from below Linux's default ephemeral range (32768–60999). */
const PORT_RANGE = { min: 20_000, max: 32_000 } as const;
/** At most this much log is kept (the tail). */
const MAX_LOG_CHARS = 1 << 20;

/** What a listener port must be free for: TCP only, or TCP and UDP (the same number). */
export type PortKind = "tcp" | "tcp+udp";

/** Options of {@link ServerLog.waitForLog}. */
export interface LogWaitOptions {
  /** Search from this {@link ServerLog.logMark} on. @default 0 (the start) */
  readonly since?: number;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** Append the whole log to the rejection's message. @default true */
  readonly withLog?: boolean;
}

/** The captured output of a server process. */
export interface ServerLog {
  /** Everything the process wrote to stdout and stderr so far (the last 1 MiB). */
  log(): string;
  /** A position in the log, for `waitForLog({ since })`. */
  logMark(): number;
  /**
   * Resolves with the first match of `pattern` in the log (from `since` on); rejects after
   * `timeoutMs`, or when the process exits first.
   */
  waitForLog(pattern: RegExp, options?: LogWaitOptions): Promise<RegExpExecArray>;
}

/** A started server; {@link ServerProcess.stop} ends it. */
export interface ServerProcess extends ServerLog {
  /** The process id (of the server itself: setpriv execs it). */
  readonly pid: number;
  /** The instance's temp dir; removed by stop(). */
  readonly dir: string;
  /** The listener ports, in the order of {@link ServerSpec.ports}. */
  readonly ports: readonly number[];
  /** Milliseconds from spawning the server to ready (the successful attempt only). */
  readonly startupMs: number;
  /** SIGTERM (SIGKILL after 2 s), waits for the exit, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** How to start one kind of server, for {@link startServer}. */
export interface ServerSpec {
  /**
   * The harness's name: the temp dir is `jingle-ice-<name>-…`, the lines it adds to the log read
   * `[<name>.ts] …`, log waits fail with `<name> log: …`.
   */
  readonly name: string;
  /** How start errors call the server: `<title> did not start (…)`. @default name */
  readonly title?: string;
  /** One listener port per entry, picked afresh for each attempt. */
  readonly ports: readonly PortKind[];
  /** How long one attempt may take to become ready. */
  readonly startTimeoutMs: number;
  /** Matches the log once the server has failed to bind a port: the attempt is retried. */
  readonly bindFailure: RegExp;
  /** Fills the new temp dir once, before the first attempt (certificates, accounts). */
  prepare?(dir: string): Promise<void>;
  /**
   * Writes the config for `ports` into `dir` and returns the command line to run (the program
   * first). Its errors (bad options) end the start.
   */
  configure(ports: readonly number[], dir: string): Promise<readonly string[]>;
  /** Variables added to the server's environment (it inherits the test's). */
  environment?(dir: string): Readonly<Record<string, string>>;
  /**
   * Resolves once the server is ready. It must settle soon after `signal` aborts (on timeout, a
   * bind failure or the server's exit); its rejection is the reason the attempt failed.
   */
  ready(server: ServerLog, ports: readonly number[], signal: AbortSignal): Promise<unknown>;
  /** Names the listeners in errors, e.g. "127.0.0.1 port 20000". */
  describe(ports: readonly number[]): string;
}

/**
 * Starts the server `spec` describes in a new temp dir and resolves once `spec.ready` does.
 * Retries on other ports (up to 5 attempts) when the log matches `spec.bindFailure`; otherwise
 * rejects with the reason and the captured log, having removed the temp dir.
 */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `jingle-ice-${spec.name}-`));
  try {
    await spec.prepare?.(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    const release = (): void => {
      for (const port of ports) reservedPorts.delete(port);
    };
    let argv: readonly string[];
    try {
      for (const kind of spec.ports) ports.push(await reservePort(kind));
      argv = await spec.configure(ports, dir);
    } catch (err) {
      release();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const where = spec.describe(ports);
    const started = Date.now();
    const proc = new Proc(spec.name, argv, dir, spec.environment?.(dir) ?? {});

    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(
      () => controller.abort(new Error(`not ready within ${spec.startTimeoutMs} ms`)),
      spec.startTimeoutMs,
    );
    const unwatchLog = proc.buffer.onAppend(() => {
      if (spec.bindFailure.test(proc.log())) {
        controller.abort(new BindConflict("cannot bind its ports"));
      }
    });
    void proc.exited.then(() =>
      controller.abort(new Error(`${proc.program} exited during startup`)),
    );
    try {
      await spec.ready(proc, ports, signal);
    } catch (err) {
      controller.abort(err);
      await proc.stop();
      release();
      // The first failure (a probe may add what it saw last to the abort reason).
      const reason = (err as Error).message;
      if (signal.reason instanceof BindConflict && attempt < MAX_BIND_ATTEMPTS) {
        failures.push(`attempt ${attempt} (${where}): ${reason}`);
        continue;
      }
      rmSync(dir, { recursive: true, force: true });
      const earlier = failures.length === 0 ? "" : ` after ${failures.join("; ")}`;
      throw new Error(
        `${spec.title ?? spec.name} did not start (${where}): ${reason}${earlier}\n` +
          `--- ${proc.program} log ---\n${proc.log()}`,
      );
    } finally {
      clearTimeout(timer);
      unwatchLog();
    }
    const startupMs = Date.now() - started;

    let stopping: Promise<void> | undefined;
    return {
      pid: proc.child.pid!,
      dir,
      ports,
      startupMs,
      log: () => proc.log(),
      logMark: () => proc.logMark(),
      waitForLog: (pattern, options) => proc.waitForLog(pattern, options),
      stop(): Promise<void> {
        stopping ??= (async () => {
          await proc.stop();
          release();
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  }
}

/**
 * Waits `ms`, for readiness probes that poll; rejects with `signal.reason` as soon as `signal`
 * aborts.
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Ports

/**
 * Ports handed out in this process, to instances of every harness (so parallel instances never
 * race for the same one).
 */
const reservedPorts = new Set<number>();

/** A port nobody in this process holds and that binds now for TCP (and UDP for "tcp+udp"). */
async function reservePort(kind: PortKind): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min));
    if (reservedPorts.has(port)) continue;
    reservedPorts.add(port);
    if ((await probeTcp(port)) && (kind === "tcp" || (await probeUdp(port)))) return port;
    reservedPorts.delete(port);
  }
  throw new Error(`no free port on ${LOOPBACK} in ${PORT_RANGE.min}–${PORT_RANGE.max}`);
}

function probeUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: "udp4", reuseAddr: false });
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: LOOPBACK, port, exclusive: true }, () =>
      socket.close(() => resolve(true)),
    );
  });
}

function probeTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Cleanup when the test process exits

/** Running servers (of every harness) and their temp dirs. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [child, dir] of live) {
      if (!hasExited(child)) {
        try {
          child.kill("SIGKILL");
        } catch {
          /* best effort */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** util-linux `setpriv --pdeathsig`: the kernel kills the server if this process dies. */
let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivAvailable === undefined) {
    try {
      execFileSync("setpriv", ["--help"], { stdio: "ignore", timeout: 5_000 });
      setprivAvailable = true;
    } catch {
      setprivAvailable = false;
    }
  }
  return setprivAvailable;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

// ---------------------------------------------------------------------------------------------
// One process and its log

class BindConflict extends Error {}

/** The captured stdout+stderr (the last MAX_LOG_CHARS of it), with offsets that survive trimming. */
class LogBuffer {
  private text = "";
  private dropped = 0;
  private readonly listeners = new Set<() => void>();

  append(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > MAX_LOG_CHARS) {
      const cut = this.text.length - MAX_LOG_CHARS;
      this.text = this.text.slice(cut);
      this.dropped += cut;
    }
    for (const listener of this.listeners) listener();
  }

  all(): string {
    return this.text;
  }

  /** Characters written so far (trimmed ones included). */
  mark(): number {
    return this.dropped + this.text.length;
  }

  /** What was written from `mark` on (as much as is still kept). */
  since(mark: number): string {
    return this.text.slice(Math.max(0, mark - this.dropped));
  }

  /** Calls `listener` after every append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/** One spawned server process (one start attempt), registered for the exit hook until stopped. */
class Proc implements ServerLog {
  /** The server's program name (the command line's first word). */
  readonly program: string;
  readonly child: ChildProcess;
  /** Resolves once the process has exited (or failed to spawn). */
  readonly exited: Promise<void>;
  readonly buffer = new LogBuffer();

  constructor(
    private readonly name: string,
    argv: readonly string[],
    dir: string,
    environment: Readonly<Record<string, string>>,
  ) {
    this.program = argv[0]!;
    const [file, ...args] = hasSetpriv() ? ["setpriv", "--pdeathsig", "KILL", "--", ...argv] : argv;
    const child = spawn(file!, args, {
      cwd: dir,
      env: { ...process.env, ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    live.set(child, dir);
    child.stdout!.on("data", (chunk: Buffer) => this.buffer.append(chunk));
    child.stderr!.on("data", (chunk: Buffer) => this.buffer.append(chunk));
    this.exited = new Promise<void>((resolve) => {
      child.once("error", (err) => {
        this.buffer.append(`\n[${name}.ts] spawn error: ${err.message}\n`);
        resolve();
      });
      child.once("exit", (code, signal) => {
        this.buffer.append(`\n[${name}.ts] ${this.program} exited (${signal ?? `code ${code}`})\n`);
        resolve();
      });
    });
  }

  log(): string {
    return this.buffer.all();
  }

  logMark(): number {
    return this.buffer.mark();
  }

  waitForLog(pattern: RegExp, options: LogWaitOptions = {}): Promise<RegExpExecArray> {
    const { since = 0, timeoutMs = DEFAULT_LOG_WAIT_MS, withLog = true } = options;
    return new Promise((resolve, reject) => {
      const settle = (match: RegExpExecArray | undefined, why?: string): void => {
        unsubscribe();
        clearTimeout(timer);
        if (match !== undefined) resolve(match);
        else {
          reject(
            new Error(
              `${this.name} log: no ${String(pattern)} ${why}` +
                (withLog ? `\n--- ${this.program} log ---\n${this.buffer.all()}` : ""),
            ),
          );
        }
      };
      const check = (): void => {
        const match = pattern.exec(this.buffer.since(since));
        if (match !== null) settle(match);
        else if (hasExited(this.child)) settle(undefined, `before ${this.program} exited`);
      };
      // `settle` uses these two; it only runs from `check` and the timer, after both exist.
      const timer = setTimeout(() => settle(undefined, `within ${timeoutMs} ms`), timeoutMs);
      const unsubscribe = this.buffer.onAppend(check);
      check();
    });
  }

  /** SIGTERM, SIGKILL after STOP_GRACE_MS; resolves once it has exited (and is unregistered). */
  async stop(): Promise<void> {
    if (!hasExited(this.child) && this.child.pid !== undefined) {
      this.child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), STOP_GRACE_MS);
      });
      if ((await Promise.race([this.exited, graceOver])) === "timeout") this.child.kill("SIGKILL");
      clearTimeout(timer);
    }
    await this.exited;
    live.delete(this.child);
  }
}

/** The first executable `program` in a `PATH` directory, or undefined. */
export function onPath(program: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Runs `exportName()` from the module at `modulePath` in a child Node with an empty PATH, so a
 * `requireX()` check can be seen failing the way it would on a machine without the binary.
 * Resolves with the child's exit code (3 when the function threw) and its stderr.
 */
export function runWithoutPath(
  modulePath: string,
  exportName: string,
): Promise<{ code: number | null; stderr: string }> {
  const script = `import(${JSON.stringify(modulePath)}).then((m) => m[${JSON.stringify(exportName)}]()).catch((e) => { console.error(e.message); process.exit(3); });`;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { env: { ...process.env, PATH: "/nonexistent" }, timeout: 10_000 },
      (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}
