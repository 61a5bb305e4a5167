/** What a ThroughputMeter measured from start() to stop(). */
export interface ThroughputSummary {
  /** Real inferences counted. */
  readonly inferences: number;
  readonly seconds: number;
  /** inferences / seconds (0 when no time passed). */
  readonly perSecond: number;
}

export interface ThroughputMeterOptions {
  /** Receives one line a second: `current throughput N` (and `, <suffix>`). Omit for silence. */
  readonly print?: (line: string) => void;
  /** Appended to each line after a comma (the bootstrap's accuracy). */
  readonly suffix?: () => string;
  /** Default 1000. */
  readonly intervalMs?: number;
}

/**
 * The reference's console figure: real inferences (never dummies) finished in each second, printed
 * as `current throughput N` every second (also when N is 0), and the average over the whole run.
 * add() is called from the batch completion path; counting is a plain increment on the one JS
 * thread, so no count is lost.
 */
export class ThroughputMeter {
  readonly #print: ((line: string) => void) | undefined;
  readonly #suffix: (() => string) | undefined;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #current = 0;
  #total = 0;
  #startedAt = 0;
  #stoppedAt: number | undefined;

  constructor(options: ThroughputMeterOptions = {}) {
    this.#print = options.print;
    this.#suffix = options.suffix;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  /** Start counting, and printing every interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#startedAt = performance.now();
    this.#stoppedAt = undefined;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Count `n` finished real inferences. */
  add(n: number): void {
    this.#current += n;
    this.#total += n;
  }

  /** Real inferences counted so far. */
  get total(): number {
    return this.#total;
  }

  /** Stop printing; the summary of the run. Idempotent. */
  stop(): ThroughputSummary {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#stoppedAt = performance.now();
    }
    return this.summary();
  }

  /** The run so far (or until stop()). */
  summary(): ThroughputSummary {
    const end = this.#stoppedAt ?? performance.now();
    const seconds = this.#startedAt === 0 ? 0 : (end - this.#startedAt) / 1000;
    return { inferences: this.#total, seconds, perSecond: seconds > 0 ? this.#total / seconds : 0 };
  }

  #tick(): void {
    const n = this.#current;
    this.#current = 0;
    if (this.#print === undefined) return;
    const suffix = this.#suffix?.();
    this.#print(`current throughput ${n}${suffix ? `, ${suffix}` : ''}`);
  }
}

/** The closing line: `average throughput X/s over T s`. */
export function averageThroughputLine(summary: ThroughputSummary): string {
  return `average throughput ${summary.perSecond.toFixed(1)}/s over ${summary.seconds.toFixed(1)} s`;
}
