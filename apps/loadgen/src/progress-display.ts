import type { Writable } from 'node:stream';
import type { LoadProgress } from './load-progress.js';

export interface ProgressDisplayOptions {
  /** Redraw one bar in place (a terminal) instead of printing lines. */
  tty: boolean;
  /** Without a terminal: at most one line per this many milliseconds. Default 5000. */
  lineIntervalMs?: number;
  /** Width of the bar in characters. Default 30. */
  barWidth?: number;
}

const PHASE_NAMES: Record<LoadProgress['phase'], string> = {
  ready: 'waiting for server',
  warmup: 'warmup',
  measure: 'measure',
};

/** Formats one progress snapshot as a single line (no newline). */
export function formatProgress(p: LoadProgress, barWidth = 30): string {
  const seconds = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  if (p.phase === 'ready') return `${PHASE_NAMES.ready} ... ${seconds}`;
  const filled = Math.round(p.fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const rate = p.elapsedMs > 0 ? (p.ok * 1000) / p.elapsedMs : 0;
  return (
    `${PHASE_NAMES[p.phase]} ${bar} ${(p.fraction * 100).toFixed(0).padStart(3)}%  ` +
    `${p.completed}/${p.planned}  ${rate.toFixed(1)} ok/s  ${p.errors} errors  ${seconds}`
  );
}

/**
 * Shows a run's progress on a stream (stderr): a bar redrawn in place on a terminal, otherwise a line
 * every few seconds and at each phase change.
 */
export class ProgressDisplay {
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private lastPhase: LoadProgress['phase'] | undefined;
  private drawn = false;

  constructor(
    private readonly stream: Writable,
    private readonly options: ProgressDisplayOptions,
  ) {}

  update(progress: LoadProgress): void {
    const line = formatProgress(progress, this.options.barWidth);
    if (this.options.tty) {
      if (this.lastPhase !== undefined && this.lastPhase !== progress.phase) this.stream.write('\n');
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      const now = performance.now();
      const phaseChanged = progress.phase !== this.lastPhase;
      if (!phaseChanged && now - this.lastLineAt < (this.options.lineIntervalMs ?? 5_000)) return;
      this.stream.write(`${line}\n`);
      this.lastLineAt = now;
    }
    this.lastPhase = progress.phase;
  }

  /** Ends the bar's line (terminal) so that what follows starts on a new line. */
  finish(): void {
    if (this.options.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
