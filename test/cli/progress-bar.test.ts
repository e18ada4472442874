// The CLI's transfer progress (src/cli/progress-bar.ts): the figures (rate, ETA), their
// formatting, and a bar redrawn in place at most every 100 ms and always at the end.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ProgressBar,
  formatBytes,
  formatEta,
  progressFigures,
  renderBar,
} from "../../src/cli/progress-bar.js";

describe("transfer progress", () => {
  it("computes the rate since the start and the time left at that rate", () => {
    assert.deepEqual(progressFigures(5 * 1024 * 1024, 10 * 1024 * 1024, 2000), {
      bytes: 5 * 1024 * 1024,
      total: 10 * 1024 * 1024,
      rate: 2.5 * 1024 * 1024,
      eta: 2,
    });
    assert.equal(progressFigures(0, 100, 0).eta, undefined, "no rate yet");
    assert.equal(progressFigures(0, 0, 0).eta, 0, "an empty file is done");
  });

  it("formats bytes in binary units and the ETA as m:ss or h:mm:ss", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
    assert.equal(formatEta(undefined), "--:--");
    assert.equal(formatEta(65), "1:05");
    assert.equal(formatEta(3725), "1:02:05");
  });

  it("draws one line with the bar, percentage, bytes, rate and ETA", () => {
    const f = progressFigures(5 * 1024 * 1024, 10 * 1024 * 1024, 2000);
    assert.equal(renderBar(f, 10), "[#####-----]  50%  5.0 MiB / 10.0 MiB  2.5 MiB/s  ETA 0:02");
  });

  it("redraws in place at most every 100 ms, always at the end, and ends the line once", () => {
    const out: string[] = [];
    let now = 0;
    const bar = new ProgressBar({ write: (t: string) => out.push(t) }, () => now);
    bar.update(progressFigures(1, 4, 10));
    now = 50;
    bar.update(progressFigures(2, 4, 60)); // too soon: not drawn
    now = 150;
    bar.update(progressFigures(3, 4, 160));
    now = 160;
    bar.update(progressFigures(4, 4, 170)); // the end: drawn at once
    bar.finish();
    bar.finish();
    assert.equal(out.length, 4);
    assert.ok(out.slice(0, 3).every((l) => l.startsWith("\r[") && l.endsWith("\u001b[K")));
    assert.match(out[2]!, /100%/);
    assert.equal(out[3], "\n");
  });
});
