import { LatencyHistogram } from './latency-histogram.js';
import type { RequestSample } from './request-sample.js';

/** Completions during one second of the measured window. */
export interface TimeSeriesPoint {
  /** Seconds since the start of the measured window (this bucket covers [second, second + 1)). */
  second: number;
  /** Successful answers completed in this second (the throughput). */
  ok: number;
  /** Failed requests completed in this second. */
  errors: number;
  /** Mean and maximum latency of the successful answers completed in this second (0 when none). */
  meanLatencyMs: number;
  maxLatencyMs: number;
}

interface Bucket {
  ok: number;
  errors: number;
  latencySumMs: number;
  maxLatencyMs: number;
}

/**
 * Accumulates the samples of the measured window: counts, accuracy, errors by code, the latency
 * histogram of successful answers, the open loop's dispatch lag and a per-second time series.
 * Single-threaded (Node's event loop), so plain counters are exact.
 */
export class RunRecorder {
  readonly latency = new LatencyHistogram();
  /** How late the open loop handed requests to the client, relative to their intended time. */
  readonly dispatchLag = new LatencyHistogram();
  readonly errorsByCode = new Map<string, number>();
  requests = 0;
  ok = 0;
  errors = 0;
  correct = 0;
  incorrect = 0;
  unlabeled = 0;
  /** Labels of the answered, labeled pairs: how many were 1. */
  answeredPositive = 0;
  lastCompletedAt: number;
  private readonly buckets: Bucket[] = [];

  constructor(readonly windowStart: number) {
    this.lastCompletedAt = windowStart;
  }

  record(sample: RequestSample): void {
    this.requests++;
    if (sample.completedAt > this.lastCompletedAt) this.lastCompletedAt = sample.completedAt;
    const index = Math.max(0, Math.floor((sample.completedAt - this.windowStart) / 1000));
    while (this.buckets.length <= index)
      this.buckets.push({ ok: 0, errors: 0, latencySumMs: 0, maxLatencyMs: 0 });
    const bucket = this.buckets[index];
    if (sample.client < 0) this.dispatchLag.recordMs(sample.sentAt - sample.intendedAt);
    const { outcome } = sample;
    if (!outcome.ok) {
      this.errors++;
      bucket.errors++;
      this.errorsByCode.set(outcome.code, (this.errorsByCode.get(outcome.code) ?? 0) + 1);
      return;
    }
    this.ok++;
    bucket.ok++;
    bucket.latencySumMs += sample.latencyMs;
    if (sample.latencyMs > bucket.maxLatencyMs) bucket.maxLatencyMs = sample.latencyMs;
    this.latency.recordMs(sample.latencyMs);
    if (sample.label === null) this.unlabeled++;
    else {
      if (sample.label === 1) this.answeredPositive++;
      if (outcome.prediction === sample.label) this.correct++;
      else this.incorrect++;
    }
  }

  /** Errors by code, most frequent first (ties by code). */
  errorCounts(): Record<string, number> {
    const entries = [...this.errorsByCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return Object.fromEntries(entries);
  }

  timeSeries(): TimeSeriesPoint[] {
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return this.buckets.map((b, second) => ({
      second,
      ok: b.ok,
      errors: b.errors,
      meanLatencyMs: b.ok === 0 ? 0 : round(b.latencySumMs / b.ok),
      maxLatencyMs: round(b.maxLatencyMs),
    }));
  }
}
