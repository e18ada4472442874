/**
 * Transfer progress for `send` and `receive` (docs/cli.md): the figures (bytes, rate, ETA) and
 * how they are shown — one bar redrawn in place on a terminal, or a line per MiB (text, or JSON
 * with `--json`) when the output is not a terminal.
 */

/** Where a transfer stands. */
export interface ProgressFigures {
  readonly bytes: number;
  readonly total: number;
  /** Bytes per second since the first byte; 0 before any time has passed. */
  readonly rate: number;
  /** Seconds left at the current rate; undefined while the rate is unknown. */
  readonly eta: number | undefined;
}

/** The figures after `bytes` of `total` in `elapsedMs`. */
export function progressFigures(bytes: number, total: number, elapsedMs: number): ProgressFigures {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? Math.max(0, total - bytes) / rate : bytes >= total ? 0 : undefined;
  return { bytes, total, rate, eta };
}

/** `1.5 MiB`, `512 B`: binary units, one decimal above bytes. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `m:ss` (or `h:mm:ss`), `--:--` when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** One line: `[########--------]  50%  5.0 MiB / 10.0 MiB  2.5 MiB/s  ETA 0:02`. */
export function renderBar(f: ProgressFigures, width = 24): string {
  const fraction = f.total > 0 ? Math.min(1, f.bytes / f.total) : 1;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${bar}] ${percent}  ${formatBytes(f.bytes)} / ${formatBytes(f.total)}  ${formatBytes(Math.round(f.rate))}/s  ETA ${formatEta(f.eta)}`;
}

/** A terminal to draw on (process.stderr when it is one). */
export interface Terminal {
  write(text: string): unknown;
}

/** How often the bar is redrawn at most, ms. */
export const REDRAW_MS = 100;

/**
 * Draws `figures` in place on `terminal` (at most every {@link REDRAW_MS}, and always the last
 * one); {@link finish} ends the line.
 */
export class ProgressBar {
  private drawnAt = -Infinity;
  private drawn = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(f: ProgressFigures): void {
    const t = this.now();
    if (t - this.drawnAt < REDRAW_MS && f.bytes < f.total) return;
    this.drawnAt = t;
    this.drawn = true;
    this.terminal.write(`\r${renderBar(f)}\u001b[K`);
  }

  /** Ends the bar's line (before the next message). */
  finish(): void {
    if (this.drawn) this.terminal.write("\n");
    this.drawn = false;
  }
}
