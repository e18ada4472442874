// A child process that reports JSON lines on stdout (`jingle-ice call/answer --json`,
// test/interop/jingle-peer.py): every line is kept as an event, tests wait for events and read
// the exit code, and failure messages carry the whole story (events and stderr). Processes still
// running when the test process exits are killed.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

/** One stdout line: `ev` names it; the other fields depend on the program. */
export interface JsonEvent {
  readonly ev: string;
  readonly [field: string]: unknown;
}

const STDERR_LIMIT = 256 * 1024;
const live = new Set<JsonLinesProcess>();
let exitHookInstalled = false;

/** One process; its stdout lines are {@link JsonEvent}s (anything else becomes an `unparsed` event). */
export class JsonLinesProcess {
  /** Every event so far, in order. */
  readonly events: JsonEvent[] = [];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrText = "";
  private readonly waiters = new Set<() => void>();
  private done = false;

  constructor(
    readonly name: string,
    readonly argv: readonly string[],
    env: Readonly<Record<string, string>> = {},
    cwd?: string,
  ) {
    const [program, ...args] = argv;
    if (program === undefined) throw new Error("empty argv");
    this.child = spawn(program, args, {
      ...(cwd === undefined ? {} : { cwd }),
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        for (const p of live) p.child.kill("SIGKILL");
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code) => {
        this.done = true;
        live.delete(this);
        this.notify();
        resolve(code);
      });
    });
    this.child.on("error", (err) => (this.stderrText += `\n[spawn error] ${err.message}\n`));
    this.child.stdin.on("error", () => undefined); // EPIPE after the exit
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_LIMIT);
    });
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on("line", (line) => {
      let event: JsonEvent;
      try {
        const value = JSON.parse(line) as unknown;
        event =
          typeof value === "object" && value !== null && typeof (value as JsonEvent).ev === "string"
            ? (value as JsonEvent)
            : { ev: "unparsed", line };
      } catch {
        event = { ev: "unparsed", line };
      }
      this.events.push(event);
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Writes `command` as one JSON line to the process's stdin (ignored once it has exited). */
  send(command: object): void {
    if (this.done || this.child.stdin.destroyed) return;
    this.child.stdin.write(JSON.stringify(command) + "\n");
  }

  /** The last 256 KiB of stderr. */
  stderr(): string {
    return this.stderrText;
  }

  /** Events named `ev` (and matching `where`), so far. */
  all(ev: string, where: (e: JsonEvent) => boolean = () => true): JsonEvent[] {
    return this.events.filter((e) => e.ev === ev && where(e));
  }

  /** The index of the first event named `ev` matching `where`, or -1. */
  indexOf(ev: string, where: (e: JsonEvent) => boolean = () => true): number {
    return this.events.findIndex((e) => e.ev === ev && where(e));
  }

  /**
   * Resolves with the first event (past or future) named `ev` that matches `where`; rejects
   * with {@link report} after `timeoutMs` or when the process exits first.
   */
  waitFor(
    ev: string,
    timeoutMs: number,
    where: (e: JsonEvent) => boolean = () => true,
  ): Promise<JsonEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find((e) => e.ev === ev && where(e));
        if (found !== undefined) settle(() => resolve(found));
        else if (this.done) settle(() => reject(this.failure(`exited before "${ev}"`)));
      };
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        finish();
      };
      const timer = setTimeout(
        () => settle(() => reject(this.failure(`no "${ev}" within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the exit code; kills the process (and rejects) after `timeoutMs`. */
  async exitCode(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, timeoutMs, "late")));
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (result === "late") {
      await this.stop();
      throw this.failure(`still running after ${timeoutMs} ms`);
    }
    return result;
  }

  /** Sends `signal` (e.g. SIGKILL, a crash without goodbye); resolves once it has exited. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.done) this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM, SIGKILL after 2 s; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.done) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** What happened, for failure messages: argv, events and the tail of stderr. */
  report(): string {
    return [
      `--- ${this.name}: ${this.argv.join(" ")}`,
      ...this.events.map((e) => `  ${JSON.stringify(e).slice(0, 600)}`),
      `--- ${this.name} stderr (tail):`,
      this.stderrText.slice(-4_000),
    ].join("\n");
  }

  private failure(why: string): Error {
    return new Error(`${this.name}: ${why}\n${this.report()}`);
  }
}

/** Stops every process still running (for `after` hooks). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}
